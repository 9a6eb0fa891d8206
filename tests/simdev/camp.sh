# Sourced by the campaign tests: a rack of simulated boards in $T.
# Usage: . camp.sh; rack "id:variant,..."; then "$RIG" campaign ... --db "$T/r.db"
: "${RIG_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${RIG_BUILDDIR:=$RIG_SRCDIR/build}"
: "${RIG:=$RIG_BUILDDIR/rig}"
: "${RIG_SIM:=$RIG_BUILDDIR/rig-sim}"
export RIG_SRCDIR RIG_BUILDDIR RIG RIG_SIM
command -v python3 >/dev/null || { echo "SKIP: python3"; exit 77; }
T=$(mktemp -d /tmp/rig-camp.XXXXXX)
trap 'pkill -KILL -f "rig-sim boot --state $T/" 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$T" 2>/dev/null; true' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
export RIG_RUNTIME_DIR="$T/run" RIG_SIM_STATE="$T/state" RIG_SIM_ARTIFACTS="$T/art"
mkdir -p "$T/state"
"$RIG_SRCDIR/emulated/sim/build-artifacts" "$RIG_SIM" "$RIG_SIM_ARTIFACTS" >/dev/null
LAB="$RIG_SRCDIR/emulated/sim/device.lua"
rack() { export RIG_SIM_DEVICES="$1"; }
# jq-like: python expression over a JSON file, d = the document
jsonq() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }
