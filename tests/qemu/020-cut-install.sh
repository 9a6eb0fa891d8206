# Power cut (SIGKILL of QEMU) while RAUC writes the other slot.
. "$(dirname "$0")/lib.sh"
run_scenario cut-install
