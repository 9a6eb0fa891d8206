return { name = "l", lab = "/dev/null", devices = { tags = { "x" } }, tests = {} }
