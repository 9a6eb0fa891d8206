return { name = "s", lab = "lab.lua", retries = 2, budget = 10,
  tests = { { scenario = "cut-install", cut = { param = "delay", strategy = "bisect", from = 0, to = 1, resolution = 0.01 } },
            { scenario = "x", matrix = { a = { 1, 2 } }, ["repeat"] = 2 } } }
