# Stock scenario unhealthy on the emulated RAUC board (expected verdict: emulated/qemu/expected-rauc.txt).
# The unhealthy v2 boots, its health check fails and it reboots before the login
# prompt (no mark-good); GRUB's one try of B falls back to A by itself.
. "$(dirname "$0")/lib.sh"
run_scenario unhealthy
