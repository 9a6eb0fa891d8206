-- Baseline: a clean update must install, boot, commit and stay (new-good).
--
-- Parameters: post=full|stable|none (post-fault checks, default full).
-- Artifacts: target (and next, for the follow-up update).
-- Expected: pass with outcome new-good on any working device.
local ota = require("lib.ota")
local dev = rig.device

ota.run{
  name = "baseline",
  expect = { "new-good" },
  fault = function(ctx)
    local out, st = dev:install(ctx.target)
    if st ~= 0 then rig.fail("install failed (exit " .. tostring(st) .. "): " .. tostring(out)) end
    rig.check(ota.seen(ctx, "installed"), "the client never printed %s", tostring(dev.config.update.installed))
    dev:reboot()
    ctx.rebooting = true
    ctx.new_booted = true
  end,
}
