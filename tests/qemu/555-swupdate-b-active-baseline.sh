# Stock scenario baseline on the emulated SWUpdate board, image variant b-active
# (expected verdict: emulated/qemu/expected-swupdate-b-active.txt).
# Start state: slot B first in ORDER and booted; the update goes to A.
FLAVOUR=swupdate
VARIANT=b-active
. "$(dirname "$0")/lib.sh"
run_scenario baseline
