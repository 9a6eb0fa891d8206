-- Bisection finds the edges of synthetic windows within the resolution and
-- the probe bound 2*log2(n) + scan; repeats, jitter and two windows.
local M = require("lib.campaign")

local function drive(spec, devs, outcome)
  local p = M.new(spec, devs, "test.lua")
  local runs = 0
  for _, d in ipairs(devs) do
    while true do
      local j = p:next(d.id)
      if not j then break end
      runs = runs + 1
      assert(runs < 10000, "runaway plan")
      local v, actual = outcome(j, runs)
      p:result(j.key, { verdict = v, planned = j.planned, actual = actual or j.planned })
    end
  end
  return p, runs
end

local function close(a, b, tol, what)
  assert(math.abs(a - b) <= tol, string.format("%s: %s is not within %s of %s", what, a, tol, b))
end

local function json_findings(p)
  -- findings as Lua data via the same walk (parse is not needed: read the streams)
  local out = {}
  for _, id in ipairs(p:devices()) do
    for _, s in ipairs(p.devs[id].streams) do
      if s.bisect then out[#out + 1] = s.bisect:findings() end
    end
  end
  return out
end

-- one window [0.10, 0.34] in [0, 0.5] at resolution 2 ms
do
  local spec = { name = "b1", seed = 3, tests = { { scenario = "cut-install",
    cut = { param = "delay", strategy = "bisect", from = 0, to = 0.5, resolution = 0.002 } } } }
  local p, runs = drive(spec, { { id = "a" } }, function(j)
    return (j.planned >= 0.10 and j.planned <= 0.34) and "fail" or "pass"
  end)
  local f = json_findings(p)[1]
  assert(#f.windows == 1, "one window expected, got " .. #f.windows)
  close(f.windows[1].first_fail, 0.10, 0.002, "first failing point")
  close(f.windows[1].last_fail, 0.34, 0.002, "last failing point")
  local n = 0.5 / 0.002
  assert(runs <= 2 * math.log(n, 2) + 8, string.format("%d runs > 2*log2(%d)+8", runs, n))
  assert(f.probes == runs)
end

-- two windows; each adds its 2*log2(n/scan) probes
do
  local spec = { name = "b2", seed = 3, tests = { { scenario = "x",
    cut = { param = "delay", strategy = "bisect", from = 0, to = 1, resolution = 0.001, scan = 10 } } } }
  local p, runs = drive(spec, { { id = "a" } }, function(j)
    local x = j.planned
    return ((x >= 0.12 and x <= 0.22) or (x >= 0.55 and x <= 0.71)) and "fail" or "pass"
  end)
  local f = json_findings(p)[1]
  assert(#f.windows == 2, "two windows expected, got " .. #f.windows)
  close(f.windows[1].first_fail, 0.12, 0.001, "w1 first")
  close(f.windows[1].last_fail, 0.22, 0.001, "w1 last")
  close(f.windows[2].first_fail, 0.55, 0.001, "w2 first")
  close(f.windows[2].last_fail, 0.71, 0.001, "w2 last")
  assert(runs <= 2 * (2 * math.log(1000 / 10, 2) + 1) + 10, "too many runs: " .. runs)
  local sep = false
  for _, fl in ipairs(f.flags) do sep = sep or fl:match("2 separate windows") end
  assert(sep, "two windows are flagged")
end

-- a probabilistic window with repeats: a probe fails if any repeat fails,
-- and the disagreement is flagged
do
  local spec = { name = "b3", seed = 3, tests = { { scenario = "x",
    cut = { param = "delay", strategy = "bisect", from = 0, to = 0.4, resolution = 0.004, repeats = 3 } } } }
  local k = 0
  local p, runs = drive(spec, { { id = "a" } }, function(j)
    k = k + 1
    local x = j.planned
    if x >= 0.1 and x <= 0.2 then return (k % 3 == 0) and "pass" or "fail" end
    return "pass"
  end)
  local f = json_findings(p)[1]
  assert(#f.windows == 1)
  close(f.windows[1].first_fail, 0.1, 0.004, "noisy first")
  close(f.windows[1].last_fail, 0.2, 0.004, "noisy last")
  assert(runs == 3 * f.probes, "every probe runs 3 times")
  local prob = false
  for _, fl in ipairs(f.flags) do prob = prob or fl:match("^probabilistic") end
  assert(prob, "disagreeing repeats are flagged")
end

-- a resolution finer than the cut's jitter is refused
do
  local spec = { name = "b4", seed = 3, tests = { { scenario = "x",
    cut = { param = "delay", strategy = "bisect", from = 0, to = 0.5, resolution = 0.0005 } } } }
  local p = drive(spec, { { id = "a" } }, function(j)
    local actual = j.planned + 0.004      -- the cut lands 4 ms late
    return (actual >= 0.1 and actual <= 0.3) and "fail" or "pass", actual
  end)
  local f = json_findings(p)[1]
  local refused = false
  for _, fl in ipairs(f.flags) do refused = refused or fl:match("^resolution 0.0005 refused") end
  assert(f.effective_resolution and f.effective_resolution >= 0.004)
  assert(refused, "resolution below jitter refused")
  local w = f.windows[1]
  assert(math.abs(w.first_fail - w.last_pass_before) <= 0.0041, "bracket stops at the jitter")
end

-- no window at all: the scan only, no edges
do
  local spec = { name = "b5", seed = 3, tests = { { scenario = "x",
    cut = { param = "delay", strategy = "bisect", from = 0, to = 1, resolution = 0.001 } } } }
  local p, runs = drive(spec, { { id = "a" } }, function() return "pass" end)
  assert(runs == 8 and #json_findings(p)[1].windows == 0)
end
