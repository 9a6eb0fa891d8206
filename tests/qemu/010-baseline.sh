# A clean update v1 -> v2, then v2 -> v3, on the emulated RAUC board.
. "$(dirname "$0")/lib.sh"
run_scenario baseline
