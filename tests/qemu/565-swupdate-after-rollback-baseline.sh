# Stock scenario baseline on the emulated SWUpdate board, image variant after-rollback
# (expected verdict: emulated/qemu/expected-swupdate-after-rollback.txt).
# Start state after a rolled-back update (B's try spent, A good): the update
# goes to B again.
FLAVOUR=swupdate
VARIANT=after-rollback
. "$(dirname "$0")/lib.sh"
run_scenario baseline
