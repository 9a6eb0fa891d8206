# A `written` trigger: cut when the guest has written 100 MiB to its disk after
# RAUC began installing (QEMU's block statistics through QMP). The cut must
# land inside the slot copy, and the board must come back on the old slot.
. "$(dirname "$0")/lib.sh"
cat > "$T/written.lua" <<'LUA'
local dev = rig.device
local upd = dev.config.update
dev:provision()
local a = rig.artifact("target")
local installing = rig.arm{ when = "console", match = upd.installing, action = "mark", label = "installing" }
local installed = rig.arm{ when = "console", match = upd.installed, action = "mark", label = "installed" }
dev:sendline(rig.expand(upd.install, { url = a.url, sha256 = a.sha256 }))
local i = installing:wait(upd.timeout)
rig.check(i and i.fired, "the install never started")
local mib = rig.param("mib", 100)
local t = rig.arm{ when = "written", bytes = mib * 1048576, label = "cut-written" }
local info = t:wait(upd.timeout)
rig.check(info and info.fired, "no cut after %d MiB written (%s)", mib, tostring(info and info.state))
rig.check(info.offset >= mib * 1048576, "fired after only %d bytes", info.offset)
rig.check(not installed:fired(), "the install finished before %d MiB were written", mib)
dev:on()
local ok, why = dev:boot()
rig.check(ok, "no boot after the cut: %s", tostring(why))
local v, s = dev:version(), dev:slot()
rig.check(v == "1.0.0" and s == "A", "after the cut: version %s slot %s", tostring(v), tostring(s))
rig.verdict("pass", "old-good", string.format("cut %.1f MiB into the slot write", info.offset / 1048576))
LUA
set +e
"$RIG" run "$T/written.lua" --device "$RIG_SRCDIR/emulated/qemu/$FLAVOUR.lua" -v >"$T/out" 2>&1
set -e
grep -Eq "^PASS .* outcome=old-good" "$T/out" || { cat "$T/out" >&2; fail "written trigger"; }
grep -E "^PASS" -A1 "$T/out"
grep -E "trigger.done .*cut-written" "$T/out" | head -1
