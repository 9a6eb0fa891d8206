-- Static strategies: matrix x repeat x cut values per device; keys and
-- seeds are stable; uniform values are seeded and inside the range; a
-- replay of results lands on the same next job (resume).
local M = require("lib.campaign")

local spec = { name = "s", seed = 11, tests = {
  { scenario = "baseline", ["repeat"] = 2, matrix = { post = { "full", "stable" } } },
  { scenario = "cut-install", cut = { param = "delay", strategy = "sweep", from = 0, to = 0.4, points = 5 } },
  { scenario = "cut-install", name = "u", cut = { param = "delay", strategy = "uniform", from = 0.1, to = 0.2, runs = 6 } },
  { scenario = "cut-download", cut = { param = "fraction", strategy = "log", from = 0.01, to = 1, points = 3 },
    devices = { tags = { "fast" } } },
} }
local devs = { { id = "a", tags = { "fast" } }, { id = "b" } }

local function all_jobs(p, id, stop)
  local out = {}
  while true do
    local j = p:next(id)
    if not j or (stop and #out == stop) then return out, j end
    out[#out + 1] = j
    p:result(j.key, { verdict = "pass" })
  end
end

local p = M.new(spec, devs, "s.lua")
local total = p:remaining()
local a = all_jobs(p, "a")
local b = all_jobs(p, "b")
assert(#a == 4 + 5 + 6 + 3, "device a: " .. #a)
assert(#b == 4 + 5 + 6, "device b: " .. #b)
assert(total == #a + #b, "remaining() at the start: " .. total)
assert(p:remaining() == 0)
local keys = {}
for _, j in ipairs(a) do
  assert(not keys[j.key], "duplicate key " .. j.key)
  keys[j.key] = true
end
assert(a[1].key == "t1:baseline/a/post=full/r1", a[1].key)
assert(a[5].params.delay == "0" and a[9].params.delay == "0.4", "sweep values")
for i = 10, 15 do
  local d = tonumber(a[i].params.delay)
  assert(d >= 0.1 and d <= 0.2, "uniform value in range: " .. tostring(d))
end
assert(a[10].params.delay ~= a[11].params.delay, "uniform values differ")
assert(math.abs(tonumber(a[17].params.fraction) - 0.1) < 1e-6, "log-spaced middle point")

-- same seed, same plan; another seed, other uniform values and job seeds
local p2 = M.new(spec, devs, "s.lua")
local a2 = all_jobs(p2, "a")
for i = 1, #a do assert(a[i].key == a2[i].key and a[i].seed == a2[i].seed) end
local spec3 = {}
for k, v in pairs(spec) do spec3[k] = v end
spec3.seed = 12
local a3 = all_jobs(M.new(spec3, devs, "s.lua"), "a")
assert(a3[10].params.delay ~= a[10].params.delay and a3[1].seed ~= a[1].seed)

-- resume: replaying the first 7 results gives the 8th job again
local p4 = M.new(spec, devs, "s.lua")
local done, nxt = all_jobs(p4, "a", 7)
assert(#done == 7 and nxt.key == a[8].key, "replay lands on the next job")
