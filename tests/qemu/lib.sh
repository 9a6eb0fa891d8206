# The QEMU system tests (ctest label `qemu`): stock scenarios on the emulated
# boards, checked against emulated/qemu/expected-<flavour>.txt. A test sets
# FLAVOUR (rauc, the default, or swupdate) before sourcing this file, and
# VARIANT (an image variant of build-image: nosync, multi-try, b-active,
# after-rollback, redundant-env) to run on that disk instead of the normal one, checked
# against emulated/qemu/expected-<flavour>-<variant>.txt. Each
# test runs alone: `bash tests/qemu/010-baseline.sh` (needs root to build the
# image the first time; later runs reuse the cached image).
set -eu
: "${RIG_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${RIG_BUILDDIR:=$RIG_SRCDIR/build}"
: "${RIG:=$RIG_BUILDDIR/rig}"
export RIG_SRCDIR RIG_BUILDDIR
T=$(mktemp -d /tmp/rig-qemu-test.XXXXXX)
trap 'rm -rf "$T"' EXIT
export RIG_DB="$T/rig.db"
export RIG_RUNTIME_DIR="$T/run"
export RIG_QEMU_STATE="$T/state"
: "${FLAVOUR:=rauc}"
export RIG_QEMU_ID="qemu-$FLAVOUR-test-$$"

skip() { echo "SKIP: $*" >&2; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
for t in qemu-system-x86_64 qemu-img mmdebstrap; do
	command -v "$t" >/dev/null 2>&1 || skip "$t is not installed (scripts/setup --with-qemu)"
done

# The image: reuse the cached one for the current inputs, else build it.
build=$RIG_SRCDIR/emulated/qemu/build-image
if img=$("$build" --flavour "$FLAVOUR" --print-dir); then
	:
elif [ "$(id -u)" = 0 ]; then
	"$build" --flavour "$FLAVOUR" >"$T/build.log" 2>&1 || { cat "$T/build.log" >&2; fail "build-image failed"; }
else
	skip "no cached image and not root: run emulated/qemu/build-image as root"
fi
export RIG_QEMU_IMAGE_DIR="$img"
: "${VARIANT:=}"
if [ -n "$VARIANT" ]; then
	[ -f "$img/variants/$VARIANT.img" ] && grep -q "\"$VARIANT\"" "$img/manifest.json" ||
		fail "image variant '$VARIANT' is not in $img (manifest.json \"variants\")"
fi
expected=$RIG_SRCDIR/emulated/qemu/expected-$FLAVOUR${VARIANT:+-$VARIANT}.txt
[ -f "$expected" ] || fail "no expected verdicts file ${expected#$RIG_SRCDIR/}"
export RIG_QEMU_VARIANT="$VARIANT"

# run_checked KEY EXPECTED LOG SCENARIO [rig args...]: run the scenario file
# on the board and compare its verdict with KEY's line in the EXPECTED file;
# the run's output is left in $T/out. RIG_QEMU_LOGDIR: keep every run's
# timeline and its database, console included (rig show RUN-ID --db FILE),
# as LOG.txt and LOG.tar there, for docs/qemu.md.
run_checked() {
	local key=$1 exp=$2 log=$3 lua=$4 want got st
	shift 4
	want=$(awk -v s="$key" '$1 == s { print $2 }' "$exp")
	[ -n "$want" ] || fail "no expected verdict for $key in ${exp##*/}"
	set +e
	"$RIG" run "$lua" --device "$RIG_SRCDIR/emulated/qemu/$FLAVOUR.lua" --seed "${RIG_SEED:-1}" -v "$@" >"$T/out" 2>&1
	st=$?
	set -e
	[ -n "${RIG_QEMU_LOGDIR:-}" ] && mkdir -p "$RIG_QEMU_LOGDIR" && cp "$T/out" "$RIG_QEMU_LOGDIR/$log.txt" &&
		"$RIG" export last --db "$RIG_DB" -o "$RIG_QEMU_LOGDIR/$log.tar" >/dev/null 2>&1 || true
	got=$(grep -Eo '^(PASS|FAIL|BRICK|ERROR|INCONCL|SKIP) ' "$T/out" | tail -1 | tr -d ' ' | tr 'A-Z' 'a-z')
	[ "$got" = inconcl ] && got=inconclusive   # rig prints it in 7 columns
	if [ "$got" != "$want" ]; then
		cat "$T/out" >&2
		[ -f "$RIG_QEMU_STATE/disk.qcow2.log" ] && cat "$RIG_QEMU_STATE/disk.qcow2.log" >&2
		fail "$key: verdict '${got:-none}' (exit $st), expected $want"
	fi
	grep -E '^(PASS|FAIL|BRICK|ERROR|INCONCL|SKIP) ' -A2 "$T/out"
}

# run_scenario NAME [rig args...]: run scenarios/NAME.lua on the board and
# compare its verdict with the expected one.
run_scenario() {
	local name=$1
	shift
	run_checked "$name" "$expected" "$FLAVOUR${VARIANT:+-$VARIANT}-$name" "$RIG_SRCDIR/scenarios/$name.lua" "$@"
}
