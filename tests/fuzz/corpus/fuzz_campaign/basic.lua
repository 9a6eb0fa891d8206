return { name = "c", seed = 1, lab = "/nonexistent/lab.lua", tests = { { scenario = "baseline" } } }
