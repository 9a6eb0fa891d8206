# Stock scenario bad-signature on the emulated SWUpdate board (expected verdict: emulated/qemu/expected-swupdate.txt).
FLAVOUR=swupdate
. "$(dirname "$0")/lib.sh"
run_scenario bad-signature
