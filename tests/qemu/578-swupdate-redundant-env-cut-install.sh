# Stock scenario cut-install on the emulated SWUpdate board, image variant
# redundant-env (expected verdict: emulated/qemu/expected-swupdate-redundant-env.txt):
# a cut within 0.25 s of "ota: installing", around ota-install's
# recovery_status=in_progress, which the wrapper writes to both copies in turn.
FLAVOUR=swupdate
VARIANT=redundant-env
. "$(dirname "$0")/lib.sh"
run_scenario cut-install
