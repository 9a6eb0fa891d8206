-- Power cut mid-install: `delay` seconds after the client printed update.installing.
--
-- Parameters: delay=S (default: seeded random within 0..max_delay), max_delay=S (0.25).
-- Expected: old-good, or new-good if the install finished first; never a lost
-- commit, never a brick.
local ota = require("lib.ota")
local dev = rig.device

ota.run{
  name = "cut-install",
  expect = { "old-good", "new-good" },
  phases = { "install" },
  fault = function(ctx)
    local delay = rig.param("delay", rig.random() * rig.param("max_delay", 0.25))
    local t = rig.arm{ when = "console", match = dev.config.update.installing, delay = delay,
                       label = "cut-install" }
    ota.start_install(ctx.target)
    local info = t:wait(dev.config.update.timeout or 600)
    if not info or not info.fired then rig.inconclusive("the install never started") end
    ota.record_cut(ctx, info, "install", delay, "s")
  end,
}
