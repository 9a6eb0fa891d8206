# Stock scenario boot-cuts on the emulated RAUC board, image variant after-rollback
# (expected verdict: emulated/qemu/expected-rauc-after-rollback.txt).
# Start state after a rolled-back update: one cut within 3 s of the GRUB marker
# of an ordinary boot of A.
VARIANT=after-rollback
. "$(dirname "$0")/lib.sh"
run_scenario boot-cuts --set k=1 --set max_delay=3
