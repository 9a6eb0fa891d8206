# Stock scenario boot-cuts on the emulated SWUpdate board, image variant
# redundant-env (expected verdict: emulated/qemu/expected-swupdate-redundant-env.txt).
# One cut within 3 s of the GRUB marker of an ordinary boot of A: two copies
# keep the environment readable, not the one-try rule (410-swupdate-boot-cuts).
FLAVOUR=swupdate
VARIANT=redundant-env
. "$(dirname "$0")/lib.sh"
run_scenario boot-cuts --set k=1 --set max_delay=3
