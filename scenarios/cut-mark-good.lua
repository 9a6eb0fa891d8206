-- Power cut at and just after mark-good of the new image.
--
-- Parameters: delay=S after the mark-good command was echoed (default: seeded
-- random within 0..max_delay), max_delay=S (0.3).
-- Expected: new-good: whether or not the mark reached the flash, the new
-- image is still the one that boots, and the commit completes afterwards.
local ota = require("lib.ota")
local dev = rig.device

ota.run{
  name = "cut-mark-good",
  expect = { "new-good" },
  fault = function(ctx)
    local out, st = dev:install(ctx.target)
    if st ~= 0 then rig.fail("install failed: " .. tostring(out)) end
    dev:reboot()
    ctx.new_booted = true
    local ok, why = dev:boot()
    if not ok then rig.fail("the new image did not boot: " .. why) end
    local mg = dev.config.update.mark_good
    if type(mg) ~= "string" then rig.skip("update.mark_good is not a shell command") end
    local delay = rig.param("delay", rig.random() * rig.param("max_delay", 0.3))
    local t = rig.arm{ when = "console", match = mg, flags = "l", delay = delay, label = "cut-mark-good" }
    dev:sendline(mg)
    local info = t:wait(30)
    if not info or not info.fired then rig.fail("mark-good was never echoed") end
    ota.record_cut(ctx, info, "mark-good", delay, "s")
    ctx.landed = "mark-good"
  end,
}
