# Stock scenario truncated-artifact on the emulated SWUpdate board (expected verdict: emulated/qemu/expected-swupdate.txt).
FLAVOUR=swupdate
. "$(dirname "$0")/lib.sh"
run_scenario truncated-artifact
