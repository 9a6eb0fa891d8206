# rig devices FILE: every device of a file checked (power read-back, console
# open, client profile) in one table; a console that cannot open fails the
# check (exit 3) without stopping the others; a profile that lacks what the
# stock scenarios need is listed.
. "$(dirname "$0")/lib.sh"
need python3
python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])" >"$T/free"
cat >"$T/lab.lua" <<LUA
return {
  defaults = { power = { driver = "command", on = "true", off = "true", status = "echo on", off_time = 0 },
               boot = { marker = "BOOT", ready = "login: \$" } },
  devices = {
    { id = "good", console = { driver = "tcp", host = "127.0.0.1", port = PORT_GOOD } },
    { id = "unreachable", console = { driver = "tcp", host = "127.0.0.1", port = $(cat "$T/free") } },
  },
}
LUA
python3 - "$T/port" <<'PY' &
import os, socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(4)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
s.settimeout(20)
try:
    while True:
        c, _ = s.accept()
except Exception:
    pass
PY
pp=$!
for i in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
sed -i "s/PORT_GOOD/$(cat "$T/port")/" "$T/lab.lua"
run_rig 3 devices "$T/lab.lua"
kill $pp 2>/dev/null || true
cat "$T/out"
expect_out "^good +command: on +tcp: opened +partial"
expect_out "^unreachable +command: open failed +.*cannot connect: Connection refused"
expect_out "missing for the stock scenarios: update.install,update.installing,update.installed,update.version,recovery.provision"
run_rig 2 devices "$T/nonexistent.lua"
