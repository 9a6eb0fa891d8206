# Power cut at a byte of the bundle's download (the artifact server stops there).
. "$(dirname "$0")/lib.sh"
run_scenario cut-download
