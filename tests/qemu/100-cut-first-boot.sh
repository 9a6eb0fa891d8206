# Stock scenario cut-first-boot on the emulated RAUC board (expected verdict: emulated/qemu/expected-rauc.txt).
. "$(dirname "$0")/lib.sh"
run_scenario cut-first-boot
