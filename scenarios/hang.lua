-- A new image that hangs during boot must roll back.
--
-- Artifact: hanging. With no watchdog the rig power-cycles the hung board,
-- as an operator would; the boot counter must then fall back to the old
-- slot. Parameters: allowed_cycles=N (default: recovery.cycles, 3).
-- Expected: rolled-back.
local ota = require("lib.ota")
local dev = rig.device

ota.run{
  name = "hang",
  artifact = "hanging",
  expect = { "rolled-back" },
  allowed_cycles = rig.param("allowed_cycles", (dev.config.recovery or {}).cycles or 3),
  fault = function(ctx)
    local out, st = dev:install(ctx.target)
    if st ~= 0 then rig.fail("install failed: " .. tostring(out)) end
    dev:reboot()
    ctx.rebooting = true
    ctx.new_booted = true
  end,
}
