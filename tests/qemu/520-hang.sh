# Stock scenario hang on the emulated RAUC board (expected verdict: emulated/qemu/expected-rauc.txt).
# The hanging v2 stops its boot before sysinit.target; the rig power-cycles it
# after the boot timeout, shortened here from 360 s (boots took 15-52 s).
. "$(dirname "$0")/lib.sh"
export RIG_QEMU_BOOT_TIMEOUT="${RIG_QEMU_BOOT_TIMEOUT:-200}"
run_scenario hang
