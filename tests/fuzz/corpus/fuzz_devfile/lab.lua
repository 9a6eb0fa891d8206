return { schema = 1, defaults = { power = { driver = "command", on = "true", off = "true" } },
  templates = { t = { name = "T", tags = { "a" } }, u = { extends = "t" } },
  devices = { { id = "d1", extends = "u", shell = { password = { secret = "env:HOME" } } }, { id = "d2" } } }
