# Clock skew: the board's RTC starts at a date outside the signing
# certificate's validity (power.rtc_base through RIG_QEMU_RTC_BASE). What
# the stack does with the v2 bundle is recorded; expected (expected-faults.txt):
# refused, nothing switched. RTC_DATES overrides the dates tried.
. "$(dirname "$0")/lib.sh"
cat > "$T/clock.lua" <<'LUA'
local dev = rig.device
dev:provision()
local year = dev:sh("date -u +%Y-%m-%dT%H:%M:%S"):match("%d+%-%d+%-%d+T[%d:]+")
rig.event("guest.clock", { date = year })
local out, st = dev:install("target")
local v, s = dev:version(), dev:slot()
rig.event("install.result", { status = st, version = v, slot = s })
rig.log("guest clock %s: install status %s; output tail: %s", tostring(year), tostring(st),
        (out or ""):sub(-400))
if st == 0 then
  rig.fail(string.format("the stack accepted a bundle signed by a certificate invalid at %s", year), "accepted")
end
rig.check(v == "1.0.0" and s == "A", "after the refusal: version %s slot %s", tostring(v), tostring(s))
local why = out:match("[Cc]ertificate[^\n]*") or out:match("[^\n]*[Ss]ignature[^\n]*") or "no reason printed"
rig.verdict("pass", "old-good", string.format("refused at %s: %s", year, why))
LUA
for d in ${RTC_DATES:-2040-01-01 2020-01-01}; do
	rm -rf "$RIG_QEMU_STATE"
	set +e
	RIG_QEMU_RTC_BASE=$d "$RIG" run "$T/clock.lua" --device "$RIG_SRCDIR/emulated/qemu/$FLAVOUR.lua" -v >"$T/out" 2>&1
	set -e
	[ -n "${RIG_QEMU_LOGDIR:-}" ] && mkdir -p "$RIG_QEMU_LOGDIR" && cp "$T/out" "$RIG_QEMU_LOGDIR/$FLAVOUR-clock-$d.txt"
	grep -Eq "^PASS .* outcome=old-good" "$T/out" || { cat "$T/out" >&2; fail "clock at $d"; }
	grep -E "^PASS" -A1 "$T/out"
done
