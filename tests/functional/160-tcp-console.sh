# Console `tcp` (a ser2net raw port): the connection drops when the console
# server loses its adapter and refuses connections for a while; the rig
# reconnects, records the gap, and captures bytes written 20 ms after the
# server is back; a wrong port is an error at once.
. "$(dirname "$0")/lib.sh"
need python3
cat >"$T/ser2net.py" <<'PY'
import socket, sys, time
port_file = sys.argv[1]
def listen(port=0):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port)); s.listen(1)
    return s
srv = listen()
port = srv.getsockname()[1]
open(port_file + ".tmp", "w").write(str(port)); __import__("os").rename(port_file + ".tmp", port_file)
c, _ = srv.accept()
time.sleep(0.5)
c.sendall(b"board: hello 1\r\n")
time.sleep(0.5)
c.close(); srv.close()                  # the adapter vanished: ser2net drops and stops listening
time.sleep(1.0)
srv = listen(port)                      # back on the same port
c, _ = srv.accept()
time.sleep(0.02)
c.sendall(b"board: hello 2\r\n")        # 20 ms after the reconnect
data = c.recv(100)                      # what the rig typed reaches the board
c.sendall(b"echo:" + data)
time.sleep(3)
PY
python3 "$T/ser2net.py" "$T/port" &
pp=$!
for i in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
port=$(cat "$T/port")
cat >"$T/dev.lua" <<LUA
return { schema = 1, id = "tcp-board",
         power = { driver = "command", on = "true", off = "true", off_time = 0 },
         console = { driver = "tcp", host = "127.0.0.1", port = $port, reconnect_ms = 50 } }
LUA
scenario reconnect <<'LUA'
local dev = rig.device
rig.check(dev:expect("hello 1", 5), "bytes before the drop")
local t0 = os.clock()
rig.check(dev:expect("hello 2", 8), "bytes 20 ms after the reconnect")
rig.check(os.clock() - t0 < 0.5, "busy loop while disconnected: %.2f s of CPU", os.clock() - t0)
dev:send("ping\n")
rig.check(dev:expect("echo:ping", 5), "bytes typed after the reconnect reach the board")
LUA
run_rig 0 run "$T/reconnect.lua" --device "$T/dev.lua" -v
kill $pp 2>/dev/null || true
expect_out "console.down"
expect_out "console.gap +\{\"host\":\"127.0.0.1\",\"port\":$port,\"ms\":[0-9.]+"
expect_out "console.up"
expect_out "^PASS"
# nothing listens: an error at open, naming the port
python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])" >"$T/free"
sed -i "s/port = $port/port = $(cat "$T/free")/" "$T/dev.lua"
run_rig 3 run "$T/reconnect.lua" --device "$T/dev.lua"
expect_out "cannot connect: Connection refused"
