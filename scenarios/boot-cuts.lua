-- k quick power cuts during ordinary boots of a good slot (rauc#490).
--
-- Boot counters that are decremented on every boot must not flip a good
-- device to the other slot. Parameters: k=N cuts (default 3), max_delay=S
-- after the boot marker (default: the measured length of a boot).
-- Expected: old-good with the same slot and status as before.
local ota = require("lib.ota")
local dev = rig.device

ota.run{
  name = "boot-cuts",
  expect = { "old-good" },
  artifact = false,
  fault = function(ctx)
    ctx.before = ota.observe()
    local k = rig.param("k", 3)
    for i = 1, k do
      dev:off()
      local delay = rig.random() * rig.param("max_delay", dev.last_boot_s or 1)
      local t = rig.arm{ when = "console", match = dev.config.boot.marker,
                         delay = delay, label = "boot-cut " .. i }
      dev:on()
      local info = t:wait(60)
      if not info or not info.fired then rig.brick("no boot marker after power-on " .. i, "brick:silent-console") end
      ota.record_cut(ctx, info, "boot", delay, "s")
    end
    ctx.landed = "boot"
  end,
  check = function(ctx, after)
    if not ota.same_state(ctx.before, after) then
      rig.fail(string.format("%d boot cuts changed a good device: %s/%s -> %s/%s", rig.param("k", 3),
        tostring(ctx.before.version), tostring(ctx.before.slot), tostring(after.version),
        tostring(after.slot)), "changed")
    end
  end,
}
