# A cut between the two copy writes of the redundant-env variant's first
# environment change of an install (tests/qemu/redundant-env-cut-between.lua)
# on the emulated RAUC board with disk = "direct-nbd" (nbdkit's log counts the
# boot partition's writes; every write survives), against
# emulated/qemu/expected-<flavour>-redundant-env.txt.
: "${FLAVOUR:=rauc}"
VARIANT=redundant-env
. "$(dirname "$0")/lib.sh"
command -v nbdkit >/dev/null 2>&1 || skip "nbdkit is not installed"
name=redundant-env-cut-between
want=$(awk -v s="$name" '$1 == s { print $2 }' "$expected")
[ -n "$want" ] || fail "no expected verdict for $name in ${expected##*/}"
rm -rf "$RIG_QEMU_STATE"
set +e
RIG_QEMU_DISK=direct-nbd "$RIG" run "$RIG_SRCDIR/tests/qemu/$name.lua" --device "$RIG_SRCDIR/emulated/qemu/$FLAVOUR.lua" \
	--seed "${RIG_SEED:-1}" -v >"$T/out" 2>&1
set -e
[ -n "${RIG_QEMU_LOGDIR:-}" ] && mkdir -p "$RIG_QEMU_LOGDIR" && cp "$T/out" "$RIG_QEMU_LOGDIR/$FLAVOUR-$name.txt"
got=$(grep -Eo '^(PASS|FAIL|BRICK|ERROR|INCONCL|SKIP) ' "$T/out" | tail -1 | tr -d ' ' | tr 'A-Z' 'a-z')
[ "$got" = "$want" ] || { cat "$T/out" >&2; fail "$name: verdict '${got:-none}', expected $want"; }
grep -E '^(PASS|FAIL|BRICK) ' -A1 "$T/out"
grep -E 'landed|env\.copies' "$T/out" | head -3
