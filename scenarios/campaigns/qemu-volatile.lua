-- Does the update stack flush what it acknowledged? The emulated board with
-- a volatile write cache (RIG_QEMU_DISK=volatile-cache: nbdkit's writeback
-- cache, lost at the cut with every write since the guest's last flush), cut
-- from 0 to 2 s after the client printed "installed" (log-spaced: the
-- unsafe part, if any, is right after the acknowledgement), and cut in the
-- middle of the install. Flavour: RIG_DEMO_FLAVOUR=rauc (default) or swupdate.
-- Run by tests/qemu/800-volatile-cache-sweep.sh.
local flavour = os.getenv("RIG_DEMO_FLAVOUR") or "rauc"
if flavour ~= "rauc" and flavour ~= "swupdate" then
  error("RIG_DEMO_FLAVOUR: expected rauc or swupdate, got " .. flavour)
end
if os.getenv("RIG_QEMU_DISK") ~= "volatile-cache" then
  error("qemu-volatile.lua: set RIG_QEMU_DISK=volatile-cache (the point of this campaign)")
end
return {
  name = "qemu-volatile-" .. flavour,
  seed = 7,
  lab = "../../emulated/qemu/" .. flavour .. ".lua",
  timeout = 900,
  retries = 0,
  tests = {
    { scenario = "cut-after-installed",
      cut = { param = "delay", strategy = "log", from = 0.01, to = 2, points = 4 } },
    { scenario = "cut-install", params = { delay = 8 } },
  },
}
