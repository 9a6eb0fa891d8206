# Stock scenario boot-cuts on the emulated RAUC board (expected verdict: emulated/qemu/expected-rauc.txt).
. "$(dirname "$0")/lib.sh"
# One cut within 3 s of the GRUB marker: after GRUB saved A_TRY=1, before
# mark-good. With the default (3 cuts, random within a whole boot) the result
# depends on the cuts' timing: an odd number of early cuts leaves the board on B,
# an even number brings it back through "No bootable slot" (both TRY=1 reset).
run_scenario boot-cuts --set k=1 --set max_delay=3
