# Console `serial` when a board-powered USB adapter vanishes at a cut and
# comes back as a new node (new device number): the rig is woken by the
# node's return (inotify/uevent, not a blind poll), so bytes the adapter
# sends 20 ms after it reappears are captured even though it is gone again
# 150 ms later; the line settings (57600 baud) are applied again. The same
# by USB VID:PID:serial, through a sysfs tree (RIG_SYSFS_ROOT) whose tty
# name changes at every re-enumeration.
. "$(dirname "$0")/lib.sh"
need python3
cat >"$T/adapter.py" <<'PY'
import os, pty, sys, termios, time
link, report, mode = sys.argv[1], sys.argv[2], sys.argv[3]
sysfs = sys.argv[4] if len(sys.argv) > 4 else None
def appear(n):
    m, s = pty.openpty()
    name = os.ttyname(s)
    if mode == "usb":
        # /sys/class/tty/ttyUSB<n>/device -> ../../devices/usb1/1-1/1-1:1.0/ttyUSB<n>
        dev = os.path.join(sysfs, "devices/usb1/1-1/1-1:1.0/ttyUSB%d" % n)
        os.makedirs(dev, exist_ok=True)
        cls = os.path.join(sysfs, "class/tty/ttyUSB%d" % n)
        os.makedirs(cls, exist_ok=True)
        os.symlink(dev, os.path.join(cls, "device"))
        os.symlink(name, os.path.join(link, "ttyUSB%d" % n))
    else:
        os.symlink(name, link)
    return m, s
def vanish(m, s, n):
    if mode == "usb":
        os.unlink(os.path.join(link, "ttyUSB%d" % n))
        import shutil; shutil.rmtree(os.path.join(sysfs, "class/tty/ttyUSB%d" % n))
    else:
        os.unlink(link)
    os.close(s); os.close(m)
m, s = appear(0)
time.sleep(0.8)
os.write(m, b"adapter: hello 1\r\n")
time.sleep(0.5)
vanish(m, s, 0)                                     # the cut: the adapter is gone
time.sleep(1.5)
m, s = appear(1)                                    # back, as another node
time.sleep(0.02)
os.write(m, b"adapter: hello 2\r\n")                # 20 ms after it reappeared
time.sleep(0.13)
speed = termios.tcgetattr(s)[5]
open(report, "w").write("ospeed=%d\n" % speed)
vanish(m, s, 1)                                     # and gone again 150 ms later
time.sleep(2)
PY
if [ "${1:-path}" = usb ]; then mode=usb; else mode=path; fi
for mode in path usb; do
	rm -f "$T/report"
	if [ $mode = usb ]; then
		mkdir -p "$T/sys/devices/usb1/1-1" "$T/sys/class/tty" "$T/dev"
		echo 0403 >"$T/sys/devices/usb1/1-1/idVendor"
		echo 6001 >"$T/sys/devices/usb1/1-1/idProduct"
		echo A10K7XYZ >"$T/sys/devices/usb1/1-1/serial"
		python3 "$T/adapter.py" "$T/dev" "$T/report" usb "$T/sys" &
		console="usb = \"0403:6001:A10K7XYZ\""
		export RIG_SYSFS_ROOT="$T/sys" RIG_DEV_ROOT="$T/dev"
		for i in $(seq 50); do [ -e "$T/dev/ttyUSB0" ] && break; sleep 0.05; done
	else
		python3 "$T/adapter.py" "$T/ttyUSB-board" "$T/report" path &
		console="path = \"$T/ttyUSB-board\""
		for i in $(seq 50); do [ -e "$T/ttyUSB-board" ] && break; sleep 0.05; done
	fi
	pp=$!
	cat >"$T/dev.lua" <<LUA
return { schema = 1, id = "usb-board",
         power = { driver = "command", on = "true", off = "true", off_time = 0 },
         console = { driver = "serial", $console, baud = 57600, reopen_ms = 5000 } }
LUA
	scenario vanish <<'LUA'
local dev = rig.device
rig.check(dev:expect("hello 1", 5), "bytes before the cut")
local t0 = os.clock()
rig.check(dev:expect("hello 2", 8), "bytes written 20 ms after the adapter came back")
rig.check(os.clock() - t0 < 0.5, "busy loop while the port was gone: %.2f s of CPU", os.clock() - t0)
LUA
	run_rig 0 run "$T/vanish.lua" --device "$T/dev.lua" -v
	wait $pp || true
	expect_out "console.gap +\{.*\"woken_by\":\"(inotify|uevent)\""
	expect_out "^PASS"
	grep -q "ospeed=$(python3 -c 'import termios; print(termios.B57600)')" "$T/report" ||
		fail "$mode: the line settings were not applied again: $(cat "$T/report" 2>/dev/null)"
	unset RIG_SYSFS_ROOT RIG_DEV_ROOT
done
# no such adapter: a clear error at open
cat >"$T/dev.lua" <<LUA
return { schema = 1, id = "usb-board", power = { driver = "command", on = "true", off = "true" },
         console = { driver = "serial", usb = "1a86:7523" } }
LUA
RIG_SYSFS_ROOT="$T/sys" run_rig 3 run "$T/vanish.lua" --device "$T/dev.lua"
expect_out "no USB serial adapter 1a86:7523 is plugged in"
