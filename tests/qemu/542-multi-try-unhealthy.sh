# Stock scenario unhealthy on the emulated RAUC board, image variant multi-try
# (expected verdict: emulated/qemu/expected-rauc-multi-try.txt).
# 3 tries per slot: the unhealthy v2 is booted three times before GRUB falls back.
VARIANT=multi-try
. "$(dirname "$0")/lib.sh"
run_scenario unhealthy
