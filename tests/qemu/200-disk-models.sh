# Disk models: a write the guest issued (O_DIRECT, so it left the guest's page
# cache) but never flushed survives a cut with disk = "direct" and with
# disk = "direct-nbd" (nbdkit without a cache, for its write log) and is lost
# with disk = "volatile-cache" (nbdkit's writeback cache, killed with QEMU).
. "$(dirname "$0")/lib.sh"
command -v nbdkit >/dev/null 2>&1 || skip "nbdkit is not installed"
cat > "$T/unflushed.lua" <<'LUA'
local dev = rig.device
dev:provision()
-- a flushed, allocated block, then an unflushed overwrite of it
dev:sh("dd if=/dev/zero of=/data/probe bs=4096 count=16 status=none && sync")
dev:sh("printf RIG-UNFLUSHED | dd of=/data/probe bs=4096 count=1 conv=sync,notrunc oflag=direct status=none")
dev:off()
dev:on()
local ok, why = dev:boot()
rig.check(ok, "no boot after the cut: %s", tostring(why))
local out = dev:sh("head -c 13 /data/probe | tr -c 'A-Z-' '0'; echo")
rig.verdict("pass", out:match("RIG%-UNFLUSHED") and "kept" or "lost")
LUA
for mode in direct:kept direct-nbd:kept volatile-cache:lost; do
	disk=${mode%%:*} want=${mode#*:}
	rm -rf "$RIG_QEMU_STATE"
	set +e
	RIG_QEMU_DISK=$disk "$RIG" run "$T/unflushed.lua" --device "$RIG_SRCDIR/emulated/qemu/rauc.lua" -v >"$T/out" 2>&1
	set -e
	grep -Eq "^PASS .* outcome=$want" "$T/out" || { cat "$T/out" >&2; fail "disk=$disk: the unflushed write should be $want"; }
	grep -E "^PASS" "$T/out"
done
