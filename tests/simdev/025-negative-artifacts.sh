# The artifacts a device must refuse: one for other hardware, a corrupted
# download, one signed by an untrusted key, a truncated one. The robust board
# refuses all four and then installs the right one (old-good); the no-verify
# board (no digest or signature check) accepts the badly signed and the
# truncated ones, and the scenarios must say so.
set -eu
: "${RIG_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${RIG_BUILDDIR:=$RIG_SRCDIR/build}"
: "${RIG:=$RIG_BUILDDIR/rig}"
: "${RIG_SIM:=$RIG_BUILDDIR/rig-sim}"
T=$(mktemp -d /tmp/rig-negative.XXXXXX)
trap 'rm -rf "$T"' EXIT
export RIG_SRCDIR RIG_SIM RIG_DB="$T/rig.db" RIG_RUNTIME_DIR="$T/run" RIG_SIM_ARTIFACTS="$T/art"
export RIG_SIM_STATE="$T/state" RIG_SIM_ID="negative-$$"
"$RIG_SRCDIR/emulated/sim/build-artifacts" "$RIG_SIM" "$RIG_SIM_ARTIFACTS"
failed=0
# expect VARIANT SCENARIO VERDICT OUTCOME
expect() {
	set +e
	RIG_SIM_VARIANT=$1 "$RIG" run "$RIG_SRCDIR/scenarios/$2.lua" --device "$RIG_SRCDIR/emulated/sim/device.lua" \
		--seed 7 --timeout 120 >"$T/out" 2>&1
	set -e
	line=$(head -1 "$T/out")
	echo "$1 $2: $line"
	case $line in
	"$3 "*"outcome=$4"*) ;;
	*) echo "FAIL: $1 $2: expected $3 outcome=$4" >&2; cat "$T/out" >&2; failed=1 ;;
	esac
}
for s in wrong-hw corrupt-artifact bad-signature truncated-artifact; do
	expect robust "$s" PASS old-good
done
expect no-verify bad-signature FAIL accepted-bad-signature
expect no-verify truncated-artifact FAIL accepted-truncated
exit $failed
