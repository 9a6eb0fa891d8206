# One copy of the redundant-env variant's environment damaged at rest
# (tests/qemu/redundant-env-at-rest.lua) after a good v1 -> v2 update, against
# emulated/qemu/expected-swupdate-redundant-env.txt. CASES overrides the cases
# run (default: all three below). The same tear of the one grubenv of the
# normal disk is a brick (440-swupdate-corrupt-at-rest, expected-faults.txt).
#   newer-tear        the newer copy's first 512 bytes garbage (header gone)
#   older-zero        the older copy zeroed
#   newer-truncate    the newer copy cut before its A_OK line: header, SEQ and
#                     ORDER left, SEQ_END and the slot variables gone
FLAVOUR=swupdate
VARIANT=redundant-env
. "$(dirname "$0")/lib.sh"
for c in ${CASES:-newer-tear older-zero newer-truncate}; do
	want=$(awk -v s="redundant-env-at-rest:$c" '$1 == s { print $2 }' "$expected")
	[ -n "$want" ] || fail "no expected verdict for redundant-env-at-rest:$c in ${expected##*/}"
	rm -rf "$RIG_QEMU_STATE"
	set +e
	"$RIG" run "$RIG_SRCDIR/tests/qemu/redundant-env-at-rest.lua" --device "$RIG_SRCDIR/emulated/qemu/$FLAVOUR.lua" \
		--seed "${RIG_SEED:-1}" --set copy="${c%-*}" --set how="${c#*-}" -v >"$T/out" 2>&1
	set -e
	[ -n "${RIG_QEMU_LOGDIR:-}" ] && mkdir -p "$RIG_QEMU_LOGDIR" &&
		cp "$T/out" "$RIG_QEMU_LOGDIR/$FLAVOUR-$VARIANT-at-rest-$c.txt"
	got=$(grep -Eo '^(PASS|FAIL|BRICK|ERROR|INCONCL|SKIP) ' "$T/out" | tail -1 | tr -d ' ' | tr 'A-Z' 'a-z')
	[ "$got" = "$want" ] || { cat "$T/out" >&2; fail "redundant-env-at-rest:$c: verdict '${got:-none}', expected $want"; }
	grep -E '^(PASS|FAIL|BRICK) ' -A1 "$T/out"
	grep -E 'before the fault|after the boot|fault\.at_rest' "$T/out" | head -3
done
