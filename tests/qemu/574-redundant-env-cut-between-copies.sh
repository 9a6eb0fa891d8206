# A cut between the two copy writes of the redundant-env variant's first
# environment change of an install (tests/qemu/redundant-env-cut-between.lua)
# on the emulated RAUC board with disk = "direct-nbd" (nbdkit's log counts the
# boot partition's writes; every write survives), against
# emulated/qemu/expected-<flavour>-redundant-env.txt.
: "${FLAVOUR:=rauc}"
VARIANT=redundant-env
. "$(dirname "$0")/lib.sh"
command -v nbdkit >/dev/null 2>&1 || skip "nbdkit is not installed"
export RIG_QEMU_DISK=direct-nbd
rm -rf "$RIG_QEMU_STATE"
run_checked redundant-env-cut-between "$expected" "$FLAVOUR-redundant-env-cut-between" \
	"$RIG_SRCDIR/tests/qemu/redundant-env-cut-between.lua"
grep -E 'landed|env\.copies' "$T/out" | head -3
