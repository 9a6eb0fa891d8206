-- An artifact signed with a key the device does not trust must be refused.
--
-- Artifact: bad_signature (the same image as the target, signed by another
-- key). Expected: the install fails, nothing switched (old-good), and the
-- right artifact then installs.
local ota = require("lib.ota")
local dev = rig.device

ota.run{
  name = "bad-signature",
  expect = { "old-good" },
  fault = function(ctx)
    local out, st = dev:install(rig.artifact("bad_signature"))
    if st == 0 then rig.fail("the client accepted an artifact signed by an untrusted key", "accepted-bad-signature") end
    ctx.install_failed = true
    rig.check(not ota.seen(ctx, "installed"), "the client acknowledged an artifact with a bad signature")
  end,
}
