# A hung guest: the i6300esb armed by hand through its registers (the guest
# kernel has no driver for it), never petted. QEMU's WATCHDOG event must be on the timeline as
# power.watchdog, the reset it causes as power.restart with reason watchdog,
# and the board must boot again on the same slot.
. "$(dirname "$0")/lib.sh"
cat > "$T/wd.lua" <<'LUA'
local dev = rig.device
dev:provision()
-- The Debian cloud kernel has no i6300esb driver (only softdog), so the
-- device is armed through its registers (QEMU hw/watchdog/wdt_i6300esb.c):
-- unlock (0x80, 0x86 to RELOAD at BAR0+0x0c), preload both stages with 2000
-- (about 2 s each at the 1 kHz scale), then ENABLE (bit 1) in the PCI
-- config lock register 0x68. Nothing pets it: a hung guest.
dev:sh([[d=$(grep -l 0x25ab /sys/bus/pci/devices/*/device | head -1); d=${d%/device}; test -n "$d"
bar=$(head -1 $d/resource | cut -d' ' -f1)
w() { busybox devmem $(printf 0x%x $((bar + $1))) $2 $3; }
w 12 16 0x80; w 12 16 0x86; w 0 32 2000
w 12 16 0x80; w 12 16 0x86; w 4 32 2000
printf '\002' | dd of=$d/config bs=1 seek=104 conv=notrunc 2>/dev/null
echo armed $d $bar]])
local t0 = rig.now()
local hit = dev:expect(dev.config.boot.marker, 120)
rig.check(hit, "no reboot within 120 s of arming the watchdog")
local t_reset = rig.now() - t0
rig.log("GRUB marker %.1f s after arming", t_reset)
local ok, why = dev:login(dev.config.boot.timeout)
rig.check(ok, "no login after the watchdog reset: %s", tostring(why))
local v, s = dev:version(), dev:slot()
rig.check(v == "1.0.0" and s == "A", "after the reset: version %s slot %s", tostring(v), tostring(s))
rig.verdict("pass", "old-good", string.format("boot marker %.1f s after arming", t_reset))
LUA
set +e
"$RIG" run "$T/wd.lua" --device "$RIG_SRCDIR/emulated/qemu/$FLAVOUR.lua" -v >"$T/out" 2>&1
set -e
grep -Eq "^PASS .* outcome=old-good" "$T/out" || { cat "$T/out" >&2; fail "watchdog run"; }
grep -Eq 'power\.watchdog .*"action" *: *"reset"' "$T/out" || { cat "$T/out" >&2; fail "no power.watchdog event"; }
grep -Eq 'power\.restart .*"reason" *: *"watchdog"' "$T/out" || { cat "$T/out" >&2; fail "the restart is not attributed to the watchdog"; }
grep -E "^PASS" -A1 "$T/out"
grep -E "power\.(watchdog|restart)" "$T/out" | head -2
