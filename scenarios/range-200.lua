-- A server that answers a Range request with 200 (the whole file) after a drop.
--
-- A client that resumes must notice the 200 and start over, not append the
-- whole file to its partial download. Parameters: fraction=F of the drop.
-- Expected: new-good (the retry installs a correct image).
local ota = require("lib.ota")
local dev = rig.device

ota.run{
  name = "range-200",
  expect = { "new-good" },
  fault = function(ctx)
    local a = ctx.target
    local at = math.floor(a.size * rig.param("fraction", 0.2 + 0.6 * rig.random()))
    rig.serve("target", { drop_at = at, times = 1 })
    local out, st = dev:install(a)
    if st == 0 then rig.fail("the install succeeded although the connection dropped at byte " .. at) end
    ctx.install_failed = true
    rig.serve("target", { range_as_200 = true })
    out, st = dev:install(a)
    if st ~= 0 then rig.fail("the retry against a server answering Range with 200 failed: " .. tostring(out)) end
    rig.serve("target", nil)
    dev:reboot()
    ctx.rebooting = true
    ctx.new_booted = true
  end,
}
