-- An artifact cut short (a truncated file, served whole with its own
-- checksum, so a transfer check cannot catch it) must be refused.
--
-- Artifact: truncated (the first part of the target). The rig serves it with
-- the sha256 of the truncated bytes: only the update client's own checks
-- (signature, image hash, length) stand between it and the slot. Expected:
-- the install fails, nothing switched (old-good) although the client may
-- have written part of it into the other slot, and the right artifact then
-- installs.
local ota = require("lib.ota")
local dev = rig.device

ota.run{
  name = "truncated-artifact",
  expect = { "old-good" },
  fault = function(ctx)
    local out, st = dev:install(rig.artifact("truncated"))
    if st == 0 then rig.fail("the client accepted a truncated artifact", "accepted-truncated") end
    ctx.install_failed = true
    rig.check(not ota.seen(ctx, "installed"), "the client acknowledged a truncated artifact")
  end,
}
