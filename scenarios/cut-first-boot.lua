-- Power cut during the first boot of the new image (between the boot marker and ready).
--
-- Parameters: delay=S after the boot marker (default: seeded random within the
-- boot's measured length, marker to ready, taken from the provisioning boot).
-- Expected: new-good (the slot is still on trial and boots again), never a brick.
local ota = require("lib.ota")
local dev = rig.device

ota.run{
  name = "cut-first-boot",
  expect = { "new-good" },
  phases = { "first-boot" },
  fault = function(ctx)
    local out, st = dev:install(ctx.target)
    if st ~= 0 then rig.fail("install failed: " .. tostring(out)) end
    local span = rig.param("max_delay", dev.last_boot_s or 1)
    local delay = rig.param("delay", rig.random() * span)
    local t = rig.arm{ when = "console", match = dev.config.boot.marker, delay = delay, label = "cut-first-boot" }
    local ready = rig.arm{ when = "console", match = dev.config.boot.ready, action = "mark", label = "ready" }
    dev:reboot()
    ctx.new_booted = true
    local info = t:wait(60)
    if not info or not info.fired then rig.fail("the new image never started booting") end
    ctx.first_boot_seen = not ready:fired()
    ota.record_cut(ctx, info, "first-boot", delay, "s")
    ready:disarm()
  end,
}
