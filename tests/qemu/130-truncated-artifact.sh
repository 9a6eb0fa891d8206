# Stock scenario truncated-artifact on the emulated RAUC board (expected verdict: emulated/qemu/expected-rauc.txt).
. "$(dirname "$0")/lib.sh"
run_scenario truncated-artifact
