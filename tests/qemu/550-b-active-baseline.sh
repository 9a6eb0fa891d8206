# Stock scenario baseline on the emulated RAUC board, image variant b-active
# (expected verdict: emulated/qemu/expected-rauc-b-active.txt).
# Start state: slot B first in ORDER and booted; the update goes to A.
VARIANT=b-active
. "$(dirname "$0")/lib.sh"
run_scenario baseline
