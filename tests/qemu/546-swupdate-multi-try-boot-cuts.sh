# Stock scenario boot-cuts on the emulated SWUpdate board, image variant multi-try
# (expected verdict: emulated/qemu/expected-swupdate-multi-try.txt).
# 3 tries per slot: one cut within 3 s of the GRUB marker of an ordinary boot
# (the one-try disk flips to B here, 110/410-boot-cuts).
FLAVOUR=swupdate
VARIANT=multi-try
. "$(dirname "$0")/lib.sh"
run_scenario boot-cuts --set k=1 --set max_delay=3
