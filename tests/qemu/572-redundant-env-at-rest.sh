# One copy of the redundant-env variant's environment damaged at rest
# (tests/qemu/redundant-env-at-rest.lua) after a good v1 -> v2 update on the
# emulated RAUC board (FLAVOUR), against
# emulated/qemu/expected-<flavour>-redundant-env.txt. CASES overrides the cases
# run (default: all three below). The same tear of the one grubenv of the
# normal disk is a brick (240-corrupt-at-rest, expected-faults.txt).
#   newer-tear        the newer copy's first 512 bytes garbage (header gone)
#   older-zero        the older copy zeroed
#   newer-truncate    the newer copy cut before its A_OK line: header, SEQ and
#                     ORDER left, SEQ_END and the slot variables gone
: "${FLAVOUR:=rauc}"
VARIANT=redundant-env
. "$(dirname "$0")/lib.sh"
for c in ${CASES:-newer-tear older-zero newer-truncate}; do
	rm -rf "$RIG_QEMU_STATE"
	run_checked "redundant-env-at-rest:$c" "$expected" "$FLAVOUR-$VARIANT-at-rest-$c" \
		"$RIG_SRCDIR/tests/qemu/redundant-env-at-rest.lua" --set copy="${c%-*}" --set how="${c#*-}"
	grep -E 'before the fault|after the boot|fault\.at_rest' "$T/out" | head -3
done
