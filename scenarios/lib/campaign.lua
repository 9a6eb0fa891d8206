-- The campaign planner (docs/campaigns.md): turns a campaign file into jobs,
-- one device at a time, and adapts cut points to results (bisection).
--
-- The C side (rig/campaign.c) asks `plan:next(device)` for a device's next
-- job and reports its final result with `plan:result(key, r)`. Each device's
-- sequence of jobs depends only on the campaign file, its seed and the
-- results of that device's own earlier jobs, never on timing or on other
-- devices: so a resumed campaign replays the stored results through the
-- same calls and lands on exactly the job the killed rig was running.

local M = {}
local Plan = {}
Plan.__index = Plan

---------------------------------------------------------------------------
-- helpers

local function fail(where, fmt, ...)
  error({ rig_campaign_error = where .. ": " .. string.format(fmt, ...) }, 0)
end

-- FNV-1a 64 over a string, folded into 31 bits: the seed of a job.
local function hash31(s)
  local h = -3750763034362895579       -- 0xcbf29ce484222325 as a signed integer
  for i = 1, #s do
    h = h ~ s:byte(i)
    h = h * 1099511628211
  end
  return (h ~ (h >> 31)) & 0x7fffffff
end
M.hash31 = hash31

-- A small deterministic generator (xorshift64*) for uniform cut points.
local function uniform(seed)
  local x = seed * 2654435761 + 0x9E3779B9
  if x == 0 then x = 1 end
  x = x ~ (x >> 12); x = x ~ (x << 25); x = x ~ (x >> 27)
  local v = (x * 2685821657736338717) >> 11
  return (v & ((1 << 53) - 1)) / (1 << 53)
end

local function fmtnum(v)
  if math.type(v) == "integer" then return tostring(v) end
  local s = string.format("%.6f", v):gsub("0+$", ""):gsub("%.$", "")
  return s
end
M.fmtnum = fmtnum

local function sorted_keys(t)
  local k = {}
  for key in pairs(t) do k[#k + 1] = key end
  table.sort(k, function(a, b) return tostring(a) < tostring(b) end)
  return k
end

-- Every combination of a matrix { k = {v1, v2}, ... } as a list of tables.
local function combos(matrix)
  local out = { {} }
  for _, k in ipairs(sorted_keys(matrix)) do
    local vals = matrix[k]
    local next_out = {}
    for _, base in ipairs(out) do
      for _, v in ipairs(vals) do
        local c = {}
        for kk, vv in pairs(base) do c[kk] = vv end
        c[k] = v
        next_out[#next_out + 1] = c
      end
    end
    out = next_out
  end
  return out
end

local function params_key(p)
  local parts = {}
  for _, k in ipairs(sorted_keys(p)) do parts[#parts + 1] = k .. "=" .. tostring(p[k]) end
  return table.concat(parts, ",")
end

local failing = { fail = true, brick = true }

---------------------------------------------------------------------------
-- validation of the campaign file

local top_keys = { name = "string", seed = "number", budget = "number", retries = "number",
                   timeout = "number", lab = "string", devices = "table", tests = "table",
                   artifacts = "table", description = "string", schema = "number" }
local test_keys = { scenario = "string", name = "string", ["repeat"] = "number", params = "table",
                    matrix = "table", cut = "table", devices = "table" }
local cut_keys = { param = "string", strategy = "string", from = "number", to = "number",
                   points = "number", runs = "number", resolution = "number", repeats = "number",
                   scan = "number", unit = "string" }
local strategies = { uniform = true, sweep = true, log = true, bisect = true }

local function check_keys(t, allowed, where)
  for k, v in pairs(t) do
    local want = allowed[k]
    if not want then
      local names = sorted_keys(allowed)
      fail(where, "unknown key '%s' (expected one of: %s)", tostring(k), table.concat(names, ", "))
    end
    if type(v) ~= want then
      fail(where, "key '%s' is a %s, expected a %s", k, type(v), want)
    end
  end
end

local function check_selector(sel, where)
  if sel == nil then return end
  for k, v in pairs(sel) do
    if k == "tags" then
      if type(v) ~= "table" then fail(where, "devices.tags must be a list of strings") end
    elseif type(k) ~= "number" or type(v) ~= "string" then
      fail(where, "devices must be a list of device ids or { tags = {...} }")
    end
  end
end

local function selects(sel, dev)
  if sel == nil then return true end
  local any_id = false
  for _, id in ipairs(sel) do
    any_id = true
    if id == dev.id then return true end
  end
  if sel.tags then
    for _, want in ipairs(sel.tags) do
      local has = false
      for _, t in ipairs(dev.tags or {}) do has = has or t == want end
      if not has then return false end
    end
    return true
  end
  return not any_id and sel.tags == nil
end

--- Validate a campaign table; `where` names the file. Returns the spec.
function M.check(spec, where)
  if type(spec) ~= "table" then fail(where, "the file must return a table, got a %s", type(spec)) end
  check_keys(spec, top_keys, where)
  if spec.schema and spec.schema ~= 1 then fail(where, "schema %s is not supported (1)", spec.schema) end
  if not spec.name or not spec.name:match("^[%w][%w%._%-]*$") then
    fail(where, "name is required: letters, digits, '.', '_', '-'")
  end
  if type(spec.tests) ~= "table" or #spec.tests == 0 then fail(where, "tests: a non-empty list is required") end
  check_selector(spec.devices, where .. ": devices")
  for i, t in ipairs(spec.tests) do
    local w = string.format("%s: tests[%d]", where, i)
    if type(t) ~= "table" then fail(w, "expected a table") end
    check_keys(t, test_keys, w)
    if not t.scenario then fail(w, "scenario is required") end
    check_selector(t.devices, w .. ".devices")
    if t["repeat"] and (t["repeat"] < 1 or t["repeat"] > 10000 or math.type(t["repeat"]) ~= "integer") then
      fail(w, "repeat must be an integer from 1 to 10000")
    end
    local cells = 1
    for _, v in pairs(t.matrix or {}) do cells = cells * (type(v) == "table" and #v or 1) end
    if cells > 100000 then fail(w, "matrix: %d combinations (at most 100000)", cells) end
    for k, v in pairs(t.params or {}) do
      if type(k) ~= "string" or (type(v) ~= "string" and type(v) ~= "number" and type(v) ~= "boolean") then
        fail(w, "params.%s: expected a string, number or boolean", tostring(k))
      end
    end
    for k, v in pairs(t.matrix or {}) do
      if type(k) ~= "string" or type(v) ~= "table" or #v == 0 then
        fail(w, "matrix.%s: expected a non-empty list of values", tostring(k))
      end
    end
    if t.cut then
      local c = t.cut
      check_keys(c, cut_keys, w .. ".cut")
      if not c.param then fail(w, "cut.param is required (the scenario parameter to vary, e.g. delay)") end
      if not strategies[c.strategy or ""] then
        fail(w, "cut.strategy must be uniform, sweep, log or bisect, got %s", tostring(c.strategy))
      end
      if not c.from or not c.to or not (c.to > c.from) then fail(w, "cut.from < cut.to is required") end
      if c.strategy == "log" and c.from <= 0 then fail(w, "cut.from must be > 0 for a log-spaced sweep") end
      if (c.strategy == "sweep" or c.strategy == "log") and not (c.points and c.points >= 2) then
        fail(w, "cut.points >= 2 is required for a %s", c.strategy)
      end
      if c.strategy == "uniform" and not (c.runs and c.runs >= 1) then fail(w, "cut.runs >= 1 is required") end
      local limits = { points = 100000, runs = 100000, scan = 1000, repeats = 100 }
      for k, hi in pairs(limits) do
        if c[k] and (math.type(c[k]) ~= "integer" and c[k] ~= math.floor(c[k]) or c[k] > hi) then
          fail(w, "cut.%s must be a whole number up to %d", k, hi)
        end
      end
      if c.strategy == "bisect" and c.resolution and (c.to - c.from) / c.resolution > 1e9 then
        fail(w, "cut.resolution is too fine for the range (more than 1e9 steps)")
      end
      if c.strategy == "bisect" then
        if not (c.resolution and c.resolution > 0) then fail(w, "cut.resolution > 0 is required for bisect") end
        if c.scan and c.scan < 2 then fail(w, "cut.scan must be >= 2") end
      end
    end
  end
  if spec.retries and spec.retries < 0 then fail(where, "retries must be >= 0") end
  return spec
end

---------------------------------------------------------------------------
-- static job lists

local function static_values(c)
  local v = {}
  if c.strategy == "sweep" then
    for i = 0, c.points - 1 do v[#v + 1] = c.from + (c.to - c.from) * i / (c.points - 1) end
  elseif c.strategy == "log" then
    local a, b = math.log(c.from), math.log(c.to)
    for i = 0, c.points - 1 do v[#v + 1] = math.exp(a + (b - a) * i / (c.points - 1)) end
  end
  return v
end

---------------------------------------------------------------------------
-- bisection of a vulnerable window
--
-- A coarse scan of `scan` points (cell midpoints) finds failing clusters;
-- each cluster's two edges are then bisected between the last passing and
-- the first failing probe until the bracket is no wider than the resolution
-- (or the measured jitter of the cut, whichever is larger). Each probe runs
-- `repeats` times; a probe fails if any repeat fails (a window is
-- probabilistic: one failure is proof), and is flagged when repeats disagree.

local Bisect = {}
Bisect.__index = Bisect

local function new_bisect(c)
  local b = setmetatable({ c = c, scan = c.scan or 8, repeats = c.repeats or 1, probes = {},
                           queue = {}, flags = {}, windows = {}, jitter = {}, runs = 0,
                           nprobes = 0, stage = "scan" }, Bisect)
  for i = 0, b.scan - 1 do
    b.queue[#b.queue + 1] = { x = c.from + (c.to - c.from) * (i + 0.5) / b.scan, stage = "scan", i = i }
  end
  return b
end

function Bisect:flag(s)
  for _, f in ipairs(self.flags) do if f == s then return end end
  self.flags[#self.flags + 1] = s
end

function Bisect:jitter_p90()
  local j = self.jitter
  if #j == 0 then return 0 end
  table.sort(j)
  return j[math.max(1, math.ceil(#j * 0.9))]
end

-- The resolution bisection works to: the requested one, or the measured
-- jitter of the cut (planned against actual, 90th percentile so far) when
-- that is coarser: a bracket finer than where the cut really lands means
-- nothing.
function Bisect:eff_resolution()
  local jit = self:jitter_p90()
  local r = self.c.resolution
  if jit > r then
    self.refused = math.max(self.refused or 0, jit)
    return jit
  end
  return r
end

-- The next probe value (and repeat number), or nil when done.
function Bisect:next()
  local p = self.cur
  if p and p.done < self.repeats then return p end
  if p then self.cur = nil end
  local q = table.remove(self.queue, 1)
  if not q then
    self:plan_next()
    q = table.remove(self.queue, 1)
  end
  if not q then return nil end
  q.done, q.fails, q.passes, q.other = 0, 0, 0, 0
  self.cur = q
  self.nprobes = self.nprobes + 1
  return q
end

function Bisect:record(q, r)
  q.done = q.done + 1
  self.runs = self.runs + 1
  if failing[r.verdict] then q.fails = q.fails + 1
  elseif r.verdict == "pass" then q.passes = q.passes + 1
  else q.other = q.other + 1 end
  if r.planned and r.actual then self.jitter[#self.jitter + 1] = math.abs(r.actual - r.planned) end
  if q.done < self.repeats then return end
  q.fail = q.fails > 0
  if q.fails > 0 and q.passes > 0 then
    self:flag(string.format("probabilistic: at %s %d of %d runs failed", fmtnum(q.x), q.fails, q.done))
  end
  if q.passes == 0 and q.fails == 0 then
    self:flag(string.format("no verdict at %s (%d inconclusive or error)", fmtnum(q.x), q.other))
  end
  self.probes[#self.probes + 1] = q
  if q.stage == "scan" then
    self.scanned = (self.scanned or 0) + 1
  elseif q.edge then
    local e = q.edge
    if q.fail then e.f = q.x else e.p = q.x end
  end
  self.cur = nil
end

-- After the scan: brackets of every failing cluster; then bisect them.
function Bisect:plan_next()
  local c = self.c
  if self.stage == "scan" then
    self.stage = "bisect"
    local scan = {}
    for _, q in ipairs(self.probes) do if q.stage == "scan" then scan[q.i] = q end end
    local i = 0
    self.edges = {}
    while i < self.scan do
      if scan[i].fail then
        local j = i
        while j + 1 < self.scan and scan[j + 1].fail do j = j + 1 end
        local w = { lo = { p = i > 0 and scan[i - 1].x or c.from, f = scan[i].x, open = i == 0 },
                    hi = { p = j < self.scan - 1 and scan[j + 1].x or c.to, f = scan[j].x,
                           open = j == self.scan - 1 } }
        self.windows[#self.windows + 1] = w
        self.edges[#self.edges + 1] = w.lo
        self.edges[#self.edges + 1] = w.hi
        i = j + 1
      else
        i = i + 1
      end
    end
    if #self.windows > 1 then self:flag(string.format("%d separate windows", #self.windows)) end
    -- a pass between two failures of one cluster cannot exist by
    -- construction; a failure pattern like F P F is reported as two windows.
  end
  local res = self:eff_resolution()
  for _, e in ipairs(self.edges or {}) do
    if math.abs(e.f - e.p) > res then
      self.queue[#self.queue + 1] = { x = (e.p + e.f) / 2, stage = "bisect", edge = e }
      return
    end
  end
  self.stage = "done"
end

function Bisect:findings()
  local out = { strategy = "bisect", probes = self.nprobes, runs = self.runs,
                resolution = self.c.resolution, jitter = self:jitter_p90(), flags = self.flags,
                windows = {} }
  local n = (self.c.to - self.c.from) / self.c.resolution
  out.bound = 2 * math.log(n, 2) + self.scan
  if self.refused then
    self:flag(string.format("resolution %s refused: the cut's measured jitter reached %s",
                            fmtnum(self.c.resolution), fmtnum(self.refused)))
    out.effective_resolution = self.refused
  end
  for _, w in ipairs(self.windows) do
    out.windows[#out.windows + 1] = { first_fail = w.lo.f, last_pass_before = w.lo.p,
                                      last_fail = w.hi.f, first_pass_after = w.hi.p,
                                      open_start = w.lo.open or nil, open_end = w.hi.open or nil }
  end
  return out
end

---------------------------------------------------------------------------
-- the plan

--- plan = M.new(spec, devices, campaign_seed): devices = { {id=, tags={}}, ... }
function M.new(spec, devices, where)
  M.check(spec, where)
  local self = setmetatable({ spec = spec, seed = math.tointeger(spec.seed or 1) or 1, devs = {},
                              order = {}, jobs = {}, where = where }, Plan)
  local sel = spec.devices
  for _, d in ipairs(devices) do
    if selects(sel, d) then
      self.devs[d.id] = { dev = d, streams = {}, si = 1 }
      self.order[#self.order + 1] = d.id
    end
  end
  if #self.order == 0 then fail(where, "devices: no device of the lab matches") end
  for ti, t in ipairs(spec.tests) do
    local tname = t.name or (t.scenario:gsub("%.lua$", ""):gsub(".*/", ""))
    local any = false
    for _, id in ipairs(self.order) do
      local d = self.devs[id]
      if selects(t.devices, d.dev) then
        any = true
        for _, mc in ipairs(combos(t.matrix or {})) do
          local params = {}
          for k, v in pairs(t.params or {}) do params[k] = v end
          for k, v in pairs(mc) do params[k] = v end
          local base = string.format("t%d:%s/%s", ti, tname, id)
          local pk = params_key(mc)
          if pk ~= "" then base = base .. "/" .. pk end
          d.streams[#d.streams + 1] = self:stream(t, ti, tname, id, base, params)
        end
      end
    end
    if not any then fail(where .. string.format(": tests[%d]", ti), "devices: no device matches") end
  end
  return self
end

-- One sequence of jobs of one test on one device for one matrix cell.
function Plan:stream(t, ti, tname, dev, base, params)
  local s = { test = t, ti = ti, name = tname, dev = dev, base = base, params = params, n = 0,
              reps = t["repeat"] or 1 }
  local c = t.cut
  if not c then
    s.values = { false }
  elseif c.strategy == "bisect" then
    s.bisect = new_bisect(c)
  elseif c.strategy == "uniform" then
    s.values = {}
    for i = 1, c.runs do
      local u = uniform(hash31(string.format("%d/%s/u%d", self.seed, base, i)))
      s.values[i] = c.from + (c.to - c.from) * u
    end
    s.reps = 1
  else
    s.values = static_values(c)
  end
  s.vi, s.rep = 1, 1
  return s
end

function Plan:job(s, x, rep, extra)
  local params = {}
  for k, v in pairs(s.params) do params[k] = tostring(v) end
  local key = s.base
  if x then
    params[s.test.cut.param] = fmtnum(x)
    key = key .. "/" .. s.test.cut.param .. "=" .. fmtnum(x)
  end
  if extra then key = key .. extra end
  key = key .. "/r" .. rep
  local job = { key = key, test = s.name, ti = s.ti, scenario = s.test.scenario, device = s.dev,
                params = params, seed = hash31(self.seed .. "/" .. key), planned = x or nil,
                strategy = s.test.cut and s.test.cut.strategy or "fixed" }
  self.jobs[key] = { stream = s, job = job }
  return job
end

--- The device's next job, or nil when it has none left.
function Plan:next(dev_id)
  local d = self.devs[dev_id]
  if not d then return nil end
  while d.si <= #d.streams do
    local s = d.streams[d.si]
    if s.pending then return s.pending end
    if s.bisect then
      local q = s.bisect:next()
      if q then
        s.probe = q
        s.pending = self:job(s, q.x, q.done + 1, q.stage == "scan" and "" or "/b")
        return s.pending
      end
    elseif s.vi <= #s.values then
      local x = s.values[s.vi]
      s.pending = self:job(s, x or nil, s.rep)
      return s.pending
    end
    d.si = d.si + 1
  end
  return nil
end

--- The final result of a job: { verdict, outcome, planned, actual }.
function Plan:result(key, r)
  local e = self.jobs[key]
  if not e then error("result for a job that was not issued: " .. tostring(key)) end
  local s = e.stream
  if s.pending ~= e.job then error("result out of order for " .. key) end
  s.pending = nil
  s.n = s.n + 1
  if s.bisect then
    s.bisect:record(s.probe, r)
  else
    s.rep = s.rep + 1
    if s.rep > s.reps then s.rep, s.vi = 1, s.vi + 1 end
  end
end

--- Jobs still expected (an estimate for bisections), for progress and ETA.
function Plan:remaining()
  local n = 0
  for _, id in ipairs(self.order) do
    local d = self.devs[id]
    for i = d.si, #d.streams do
      local s = d.streams[i]
      if s.bisect then
        local b = s.bisect
        if b.stage ~= "done" then
          local left = (b.scan - (b.scanned or 0))
          local nn = (s.test.cut.to - s.test.cut.from) / s.test.cut.resolution
          left = left + math.max(0, math.ceil(2 * math.log(math.max(nn / b.scan, 1), 2))
                                    - (b.nprobes - (b.scanned or 0)))
          n = n + left * b.repeats
        end
      else
        n = n + (#s.values - s.vi + 1) * s.reps - (s.rep - 1) - (s.pending and 1 or 0)
      end
    end
  end
  return math.max(n, 0)
end

function Plan:devices() return self.order end

-- JSON of plain Lua data (findings), sorted keys for stable output.
local function json(v)
  local t = type(v)
  if t == "nil" then return "null"
  elseif t == "boolean" then return tostring(v)
  elseif t == "number" then
    if v ~= v or v == math.huge or v == -math.huge then return "null" end
    return math.type(v) == "integer" and tostring(v) or string.format("%.9g", v)
  elseif t == "string" then
    return '"' .. v:gsub('[%c"\\]', function(ch)
      local m = { ['"'] = '\\"', ['\\'] = '\\\\', ['\n'] = '\\n', ['\t'] = '\\t', ['\r'] = '\\r' }
      return m[ch] or string.format("\\u%04x", ch:byte())
    end) .. '"'
  elseif t == "table" then
    if #v > 0 or next(v) == nil then
      local parts = {}
      for i = 1, #v do parts[i] = json(v[i]) end
      return "[" .. table.concat(parts, ",") .. "]"
    end
    local parts = {}
    for _, k in ipairs(sorted_keys(v)) do parts[#parts + 1] = json(tostring(k)) .. ":" .. json(v[k]) end
    return "{" .. table.concat(parts, ",") .. "}"
  end
  return "null"
end
M.json = json

--- Findings of adaptive strategies, as JSON text: [{test, device, ...}].
function Plan:findings()
  local out = {}
  for _, id in ipairs(self.order) do
    for _, s in ipairs(self.devs[id].streams) do
      if s.bisect then
        local f = s.bisect:findings()
        f.test, f.device, f.key, f.param = s.name, id, s.base, s.test.cut.param
        local parts = {}
        for i, w in ipairs(f.windows) do
          parts[#parts + 1] = string.format("window %d: %s%s .. %s%s", i,
            w.open_start and "<= " or "", fmtnum(w.first_fail), fmtnum(w.last_fail),
            w.open_end and " (or later)" or "")
        end
        f.summary = string.format("%s on %s, %s in [%s, %s]: %s; %d probes, %d runs (bound 2*log2(n)+scan = %.1f)%s",
          s.name, id, s.test.cut.param, fmtnum(s.test.cut.from), fmtnum(s.test.cut.to),
          #parts > 0 and table.concat(parts, "; ") or "no failing cut point",
          f.probes, f.runs, f.bound, #f.flags > 0 and ("; " .. table.concat(f.flags, "; ")) or "")
        out[#out + 1] = f
      end
    end
  end
  return json(out)
end

return M
