-- A new image that boots but never becomes healthy must roll back.
--
-- Artifact: unhealthy (boots, fails its health check, is never marked good).
-- Expected: rolled-back to the old version without any power cycle from the rig.
local ota = require("lib.ota")
local dev = rig.device

ota.run{
  name = "unhealthy",
  artifact = "unhealthy",
  expect = { "rolled-back" },
  fault = function(ctx)
    local out, st = dev:install(ctx.target)
    if st ~= 0 then rig.fail("install failed: " .. tostring(out)) end
    dev:reboot()
    ctx.rebooting = true
    ctx.new_booted = true
  end,
}
