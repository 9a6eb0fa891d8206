-- Network stall or drop mid-download, then a retry that must succeed.
--
-- Parameters: mode=drop|stall (default drop), fraction=F where the fault hits
-- (default: seeded random 0.1-0.9), stall=S seconds the server stays silent (30).
-- Expected: the first install fails cleanly; the retry installs (resumed if
-- it continued from where it stopped, else new-good).
local ota = require("lib.ota")
local dev = rig.device

ota.run{
  name = "net-fault",
  expect = { "resumed", "new-good" },
  fault = function(ctx)
    local a = ctx.target
    local at = math.floor(a.size * rig.param("fraction", 0.1 + 0.8 * rig.random()))
    local mode = rig.param("mode", "drop")
    if mode == "drop" then
      rig.serve("target", { drop_at = at, times = 1 })
    elseif mode == "stall" then
      rig.serve("target", { stall_at = at, stall = rig.param("stall", 30), times = 1 })
    else
      rig.misuse("mode must be drop or stall, got " .. mode)
    end
    local sent0 = rig.artifact("target").sent
    local out, st = dev:install(a)
    if st == 0 then
      rig.fail(string.format("the install succeeded although the %s at byte %d broke the download", mode, at))
    end
    ctx.install_failed = true
    rig.serve("target", nil)
    local mid = rig.artifact("target").sent
    out, st = dev:install(a)
    if st ~= 0 then rig.fail("the retry after a network " .. mode .. " failed: " .. tostring(out)) end
    local second = rig.artifact("target").sent - mid
    ctx.resumed = second < a.size
    rig.event("retry", { first = mid - sent0, second = second, resumed = ctx.resumed })
    dev:reboot()
    ctx.rebooting = true
    ctx.new_booted = true
  end,
}
