# Stock scenario boot-cuts on the emulated RAUC board, image variant
# redundant-env (expected verdict: emulated/qemu/expected-rauc-redundant-env.txt).
# One cut within 3 s of the GRUB marker of an ordinary boot of A: two copies
# keep the environment readable, not the one-try rule (110-boot-cuts).
VARIANT=redundant-env
. "$(dirname "$0")/lib.sh"
run_scenario boot-cuts --set k=1 --set max_delay=3
