-- The demo campaign on an emulated board (scripts/demo --qemu): a QEMU x86_64
-- board with GRUB A/B and a real update stack (RAUC 1.8, or SWUpdate with
-- RIG_DEMO_FLAVOUR=swupdate), built from Debian packages by
-- emulated/qemu/build-image. Power off is SIGKILL of QEMU. About 15 minutes on
-- TCG: a clean update, a cut in the middle of the stack's install, a cut 4 s
-- into the first boot of the new slot (the one-try boot counter rolls the
-- update back: docs/qemu.md, finding 2), and a bundle signed by an untrusted key.
local flavour = os.getenv("RIG_DEMO_FLAVOUR") or "rauc"
if flavour ~= "rauc" and flavour ~= "swupdate" then
  error("RIG_DEMO_FLAVOUR: expected rauc or swupdate, got " .. flavour)
end
return {
  name = "qemu-demo-" .. flavour,
  seed = 42,
  lab = "../../emulated/qemu/" .. flavour .. ".lua",
  timeout = 900,
  retries = 0,
  tests = {
    { scenario = "baseline" },
    { scenario = "cut-install", params = { delay = 5 } },
    { scenario = "cut-first-boot", params = { delay = 4 } },
    { scenario = "bad-signature" },
  },
}
