-- Bad campaign files are refused with the file and what was expected.
local M = require("lib.campaign")

local function refused(spec, want)
  local ok, e = pcall(M.new, spec, { { id = "a" } }, "bad.lua")
  assert(not ok, "accepted: " .. want)
  local msg = type(e) == "table" and e.rig_campaign_error or tostring(e)
  assert(msg:find("bad.lua", 1, true), "no file name in: " .. msg)
  assert(msg:find(want, 1, true), string.format("expected '%s' in: %s", want, msg))
end

refused({ tests = { { scenario = "x" } } }, "name is required")
refused({ name = "n" }, "tests: a non-empty list is required")
refused({ name = "n", tests = { { scenario = "x", repaet = 2 } } }, "unknown key 'repaet'")
refused({ name = "n", tests = { { scenario = 5 } } }, "key 'scenario' is a number, expected a string")
refused({ name = "n", tests = { { scenario = "x", cut = { param = "delay", strategy = "random", from = 0, to = 1 } } } },
        "cut.strategy must be")
refused({ name = "n", tests = { { scenario = "x", cut = { param = "delay", strategy = "sweep", from = 1, to = 0 } } } },
        "cut.from < cut.to")
refused({ name = "n", tests = { { scenario = "x", cut = { param = "d", strategy = "bisect", from = 0, to = 1 } } } },
        "cut.resolution > 0 is required")
refused({ name = "n", devices = { "zz" }, tests = { { scenario = "x" } } }, "no device of the lab matches")
refused({ name = "n", tests = { { scenario = "x", devices = { tags = { "t" } } } } }, "devices: no device matches")
refused({ name = "n", tests = { { scenario = "x", matrix = { post = {} } } } }, "matrix.post")
refused({ name = "n", tests = { { scenario = "x", ["repeat"] = 1e12 } } }, "repeat must be an integer from 1 to 10000")
refused({ name = "n", tests = { { scenario = "x", cut = { param = "d", strategy = "sweep", from = 0, to = 1, points = 1e9 } } } },
        "cut.points must be a whole number up to 100000")
refused({ name = "n", tests = { { scenario = "x", cut = { param = "d", strategy = "bisect", from = 0, to = 1, resolution = 1e-12 } } } },
        "too fine")
