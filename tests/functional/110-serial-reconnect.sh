# Console `serial`: a port that vanishes (a USB adapter powered by the board)
# is reopened when its path returns; the gap is recorded; bytes after the
# reopen arrive; no busy loop while it is gone.
. "$(dirname "$0")/lib.sh"
need python3
cat >"$T/ports.py" <<'PY'
import os, pty, sys, time
link = sys.argv[1]
def serve(text):
    m, s = pty.openpty()
    os.symlink(os.ttyname(s), link)
    time.sleep(0.8)
    os.write(m, text.encode())
    time.sleep(0.8)
    return m, s
m, s = serve("first port: hello 1\r\n")
os.unlink(link); os.close(s); os.close(m)          # the adapter vanishes
time.sleep(1.5)
m, s = serve("second port: hello 2\r\n")             # and comes back elsewhere
time.sleep(3)
PY
python3 "$T/ports.py" "$T/ttyUSB-board" &
pp=$!
for i in $(seq 50); do [ -e "$T/ttyUSB-board" ] && break; sleep 0.05; done
cat >"$T/dev.lua" <<LUA
return { schema = 1, id = "serial-board",
         power = { driver = "command", on = "true", off = "true", off_time = 0 },
         console = { driver = "serial", path = "$T/ttyUSB-board", baud = 115200, reopen_ms = 100 } }
LUA
scenario reopen <<'LUA'
local dev = rig.device
rig.check(dev:expect("hello 1", 5), "bytes from the first port")
local t0 = os.clock()
rig.check(dev:expect("hello 2", 8), "bytes after the port came back")
rig.log("cpu while waiting: %.3f s", os.clock() - t0)
rig.check(os.clock() - t0 < 0.5, "busy loop while the port was gone: %.2f s of CPU", os.clock() - t0)
LUA
run_rig 0 run "$T/reopen.lua" --device "$T/dev.lua" -v
kill $pp 2>/dev/null || true
expect_out "console.down"
expect_out "console.gap +\{\"path\":\".*ttyUSB-board\",\"ms\":[0-9.]+"
expect_out "console.up"
expect_out "^PASS"
