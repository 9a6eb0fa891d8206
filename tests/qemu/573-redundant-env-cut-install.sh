# Stock scenario cut-install on the emulated RAUC board, image variant
# redundant-env (expected verdict: emulated/qemu/expected-rauc-redundant-env.txt):
# a cut within 0.25 s of "ota: installing", around RAUC's first environment
# write (the target's X_OK=0), which the wrapper turns into two copy writes.
VARIANT=redundant-env
. "$(dirname "$0")/lib.sh"
run_scenario cut-install
