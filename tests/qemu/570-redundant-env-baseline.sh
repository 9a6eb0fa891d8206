# Stock scenario baseline on the emulated RAUC board, image variant
# redundant-env (expected verdict: emulated/qemu/expected-rauc-redundant-env.txt).
# GRUB's environment in two copies with a sequence number; RAUC writes it
# through the guest's grub-editenv wrapper: v1 -> v2 -> v3.
VARIANT=redundant-env
. "$(dirname "$0")/lib.sh"
run_scenario baseline
