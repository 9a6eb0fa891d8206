# Stock scenario baseline on the emulated SWUpdate board, image variant
# redundant-env (expected verdict: emulated/qemu/expected-swupdate-redundant-env.txt).
# GRUB's environment in two copies with a sequence number; SWUpdate's writes reach it
# through the guest's grub-editenv wrapper: v1 -> v2 -> v3.
FLAVOUR=swupdate
VARIANT=redundant-env
. "$(dirname "$0")/lib.sh"
run_scenario baseline
