# Stock scenario unhealthy on the emulated SWUpdate board, image variant multi-try
# (expected verdict: emulated/qemu/expected-swupdate-multi-try.txt).
# 3 tries per slot: the unhealthy v2 is booted three times before GRUB falls back.
FLAVOUR=swupdate
VARIANT=multi-try
. "$(dirname "$0")/lib.sh"
run_scenario unhealthy
