-- The demo campaign (scripts/demo): the simulated A/B board through every
-- stock scenario with a hostile console, a sweep of mid-install cuts, and a
-- bisection of the vulnerable window of a flawed board (single-env: one
-- environment copy written in place).
--
-- The rack comes from emulated/sim/device.lua with
--   RIG_SIM_DEVICES="demo-board:robust:hostile,flawed-board:single-env"
local stock = { "baseline", "cut-download", "cut-install", "cut-after-installed", "cut-first-boot",
                "cut-mark-good", "boot-cuts", "net-fault", "range-200", "corrupt-artifact", "wrong-hw",
                "unhealthy", "hang", "bad-signature", "truncated-artifact" }
local tests = {}
for _, s in ipairs(stock) do
  tests[#tests + 1] = { scenario = s, devices = { tags = { "robust" } } }
end
tests[#tests + 1] = { scenario = "cut-install", name = "cut-install-sweep", devices = { tags = { "robust" } },
                      cut = { param = "delay", strategy = "sweep", from = 0.02, to = 0.36, points = 6 } }
tests[#tests + 1] = { scenario = "cut-first-boot", name = "first-boot-window", devices = { tags = { "single-env" } },
                      cut = { param = "delay", strategy = "bisect", from = 0, to = 0.12, resolution = 0.004 } }
return {
  name = "demo",
  seed = 42,
  lab = "../../emulated/sim/device.lua",
  timeout = 300,
  retries = 1,
  tests = tests,
}
