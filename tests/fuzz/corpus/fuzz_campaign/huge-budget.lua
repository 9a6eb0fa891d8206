return { name = "s", lab = "lablua", retries = 2, budget =10111111111111111111111,
  testm = { { scenario = "cut-instx", matrix = { a = { 1, 2 } }, ["repeat"] = 2 } } }
