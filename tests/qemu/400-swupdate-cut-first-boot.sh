# Stock scenario cut-first-boot on the emulated SWUpdate board (expected verdict: emulated/qemu/expected-swupdate.txt).
FLAVOUR=swupdate
. "$(dirname "$0")/lib.sh"
# 4 s after the GRUB marker: GRUB saved B_TRY=1, the kernel or systemd runs, mark-good
# has not; the default (random within the provisioning boot's length) misses the
# boot when the load changes between the two boots (inconclusive).
run_scenario cut-first-boot --set delay=4
