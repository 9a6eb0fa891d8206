-- A fake board for the functional tests: tests/functional/fakedev.py run by
-- the process power driver. FAKEDEV_ARGS adds options (see fakedev.py).
local src = os.getenv("RIG_SRCDIR") or "."
return {
  schema = 1,
  id = os.getenv("FAKEDEV_ID") or "fake-1",
  name = "fake board",
  power = {
    driver = "process",
    command = "exec python3 -u " .. src .. "/tests/functional/fakedev.py " .. (os.getenv("FAKEDEV_ARGS") or ""),
    off_time = 100,
  },
  console = { driver = "process" },
  shell = { login = "root", password = "root", prompt = "# $" },
  boot = { marker = "FAKEBOOT", ready = "login: $", timeout = 20 },
  update = { version = "cat /etc/version" },
}
