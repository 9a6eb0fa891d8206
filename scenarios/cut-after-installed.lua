-- Power cut after the client acknowledged the install, before any reboot.
--
-- Catches missing syncs: once `installed` was printed the update must survive.
-- Parameters: delay=S (default: seeded random within 0..max_delay), max_delay=S (1.0).
-- Expected: new-good. old-good is listed only because the acknowledgement rule
-- is what rejects it: once `installed` was printed, old is a lost commit (fail).
local ota = require("lib.ota")
local dev = rig.device

ota.run{
  name = "cut-after-installed",
  expect = { "new-good", "old-good" },
  phases = { "after-installed" },
  fault = function(ctx)
    local delay = rig.param("delay", rig.random() * rig.param("max_delay", 1.0))
    local t = rig.arm{ when = "console", match = dev.config.update.installed, delay = delay,
                       label = "cut-after-installed" }
    ota.start_install(ctx.target)
    local info = t:wait(dev.config.update.timeout or 600)
    if not info or not info.fired then rig.fail("the client never acknowledged the install") end
    ota.record_cut(ctx, info, "after-installed", delay, "s")
  end,
}
