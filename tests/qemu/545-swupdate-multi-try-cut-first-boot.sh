# Stock scenario cut-first-boot on the emulated SWUpdate board, image variant multi-try
# (expected verdict: emulated/qemu/expected-swupdate-multi-try.txt).
# 3 tries per slot: a cut 4 s into the first boot of the new slot (the one-try
# disk rolls back here, 100/400-cut-first-boot).
FLAVOUR=swupdate
VARIANT=multi-try
. "$(dirname "$0")/lib.sh"
run_scenario cut-first-boot --set delay=4
