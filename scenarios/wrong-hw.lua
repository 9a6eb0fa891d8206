-- An artifact for other hardware must be refused.
--
-- Artifact: wrong_hw (built for another hardware revision / compatible).
-- Expected: the install fails, nothing switched (old-good), and the right
-- artifact then installs.
local ota = require("lib.ota")
local dev = rig.device

ota.run{
  name = "wrong-hw",
  expect = { "old-good" },
  fault = function(ctx)
    local out, st = dev:install(rig.artifact("wrong_hw"))
    if st == 0 then rig.fail("the client accepted an artifact for other hardware", "accepted-wrong-hw") end
    ctx.install_failed = true
    rig.check(not ota.seen(ctx, "installed"), "the client acknowledged an artifact for other hardware")
  end,
}
