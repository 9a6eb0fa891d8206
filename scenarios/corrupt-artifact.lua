-- A corrupted artifact must be refused, leaving the device as it was.
--
-- The artifact server flips one byte (corrupt_at, default: seeded random) of
-- every response. Expected: the install fails, nothing switched (old-good),
-- and the clean artifact then installs.
local ota = require("lib.ota")
local dev = rig.device

ota.run{
  name = "corrupt-artifact",
  expect = { "old-good" },
  fault = function(ctx)
    local a = ctx.target
    local at = rig.param("corrupt_at", math.floor(rig.random() * (a.size - 1)))
    rig.serve("target", { corrupt_at = at })
    local out, st = dev:install(a)
    rig.serve("target", nil)
    if st == 0 then
      rig.fail("the client accepted an artifact with byte " .. at .. " corrupted", "accepted-corrupt")
    end
    ctx.install_failed = true
    rig.check(not ota.seen(ctx, "installed"), "the client acknowledged a corrupted artifact")
  end,
}
