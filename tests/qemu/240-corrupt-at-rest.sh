# State corrupted at rest (scenarios/corrupt-at-rest.lua) against
# emulated/qemu/expected-faults.txt (lines corrupt-at-rest:FAULT for the RAUC
# board, swupdate/corrupt-at-rest:FAULT for FLAVOUR=swupdate); FAULTS
# overrides the faults run (default: grubenv-tear grubenv-zero, and on the
# RAUC board status-zero status-tear status-truncate). Also: an at-rest fault
# on a powered board is refused with a clear error.
. "$(dirname "$0")/lib.sh"
cat > "$T/on.lua" <<'LUA'
local dev = rig.device
dev:on()
local ok, err = pcall(dev.fault_at_rest, dev, { file = "grubenv", how = "zero" })
rig.check(not ok and tostring(err):match("must be off"), "a fault on a powered board: %s", tostring(err))
dev:off()
ok, err = pcall(dev.fault_at_rest, dev, { file = "grubenv", how = "shred" })
rig.check(not ok and tostring(err):match("expected zero, tear or truncate"), "bad how: %s", tostring(err))
local d, e = dev:fault_at_rest{ partition = "boot", path = "/grub/nothere", how = "zero" }
rig.check(not d and e:match("no 'nothere'"), "a missing file: %s", tostring(e))
LUA
mkdir -p "$RIG_QEMU_STATE"
set +e
"$RIG" run "$T/on.lua" --device "$RIG_SRCDIR/emulated/qemu/$FLAVOUR.lua" -v >"$T/out" 2>&1
set -e
grep -Eq "^PASS" "$T/out" || { cat "$T/out" >&2; fail "misuse checks"; }
key=corrupt-at-rest
default="grubenv-tear grubenv-zero status-zero status-tear status-truncate"
if [ "$FLAVOUR" != rauc ]; then
	key=$FLAVOUR/corrupt-at-rest
	default="grubenv-tear grubenv-zero"
fi
for f in ${FAULTS:-$default}; do
	rm -rf "$RIG_QEMU_STATE"
	run_checked "$key:$f" "$RIG_SRCDIR/emulated/qemu/expected-faults.txt" "$FLAVOUR-at-rest-$f" \
		"$RIG_SRCDIR/scenarios/corrupt-at-rest.lua" --set fault="$f"
	grep -E 'fault\.at_rest' "$T/out" | head -1
done
