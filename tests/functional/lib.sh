# Shared helpers of the functional tests. Each test is a shell script that runs
# alone: `RIG=build/rig bash tests/functional/NNN-name.sh` (add -x to trace).
set -eu
: "${RIG_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${RIG_BUILDDIR:=$RIG_SRCDIR/build}"
: "${RIG:=$RIG_BUILDDIR/rig}"
export RIG_SRCDIR RIG_BUILDDIR
T=$(mktemp -d /tmp/rig-test.XXXXXX)
BG_PIDS=""
trap 'for p in $BG_PIDS; do kill "$p" 2>/dev/null || true; done; rm -rf "$T"' EXIT
export RIG_DB="$T/rig.db"
export RIG_RUNTIME_DIR="$T/run"
FT="$RIG_SRCDIR/tests/functional"
DEV="$FT/devices/fake.lua"

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*" >&2; exit 77; }
need() { command -v "$1" >/dev/null 2>&1 || skip "$1 is not installed"; }

# run_rig EXPECTED_STATUS ARGS... — runs rig, keeps stdout+stderr in $T/out.
run_rig() {
	want=$1; shift
	set +e
	"$RIG" "$@" >"$T/out" 2>&1
	got=$?
	set -e
	if [ "$got" != "$want" ]; then
		echo "--- rig $* (exit $got, expected $want)" >&2
		cat "$T/out" >&2
		fail "exit status $got, expected $want"
	fi
}
# expect_out REGEX — the last rig output matches (grep -E).
expect_out() {
	grep -Eq -- "$1" "$T/out" || { cat "$T/out" >&2; fail "output does not match /$1/"; }
}
# scenario NAME <<'LUA' ... LUA — write a scenario into the temp dir.
scenario() { cat > "$T/$1.lua"; }
# bg CMD... — run a helper in the background; it is killed when the test exits.
bg() {
	"$@" &
	BG_PIDS="$BG_PIDS $!"
}
# wait_file PATH — wait up to 5 s for a helper to create PATH.
wait_file() {
	for _ in $(seq 50); do [ -e "$1" ] && return 0; sleep 0.1; done
	fail "$1 was not created"
}
