# Stock scenario range-200 on the emulated SWUpdate board (expected verdict: emulated/qemu/expected-swupdate.txt).
FLAVOUR=swupdate
. "$(dirname "$0")/lib.sh"
run_scenario range-200
