# Stock scenario bad-signature on the emulated RAUC board (expected verdict: emulated/qemu/expected-rauc.txt).
. "$(dirname "$0")/lib.sh"
run_scenario bad-signature
