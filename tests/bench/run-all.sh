#!/bin/bash
# The benchmark suite (issue 5), one table. Not part of the pass/fail suite.
#
# Trigger-to-cut latency: the same fake lab (bench-fakelab: a device whose
# console is a pty opened like a serial port, streaming noise paced at 115200
# baud or at full speed, plus a power switch on HTTP 127.0.0.1 keep-alive and
# on a USB-relay-style pty) is driven by each tool; the fake lab takes the
# time of the trigger write and of the "off" arriving at the switch, one clock.
# CPU is the tool's utime+stime (/proc/PID/stat) over NOISE_S seconds while
# only noise streams; MB/s is what the tool drained at full speed then.
# The process rows are the older harness (trigger-latency.sh): the cut is
# SIGKILL of the device, timed by the tool itself.
# Console fan-in: bench-fanin (136 ptys into one rig loop).
#
# Usage: tests/bench/run-all.sh      (from anywhere; builds into build/)
#   RUNS=200      triggers per row
#   NOISE_S=5     noise-only interval for CPU and MB/s
#   RIG_POWER=command   rig's power driver for the switch rows: "command" runs
#                 bench-switch per operation (a fork+exec each); any other value
#                 is taken as the Lua power table itself, with @PORT@ (the HTTP
#                 switch's port), @RELAY@ (the relay pty) and @DIR@ replaced, e.g.
#                 RIG_POWER='{ driver = "http", url = "http://127.0.0.1:@PORT@/outlet/1/{value}" }'
#   SKIP="labgrid fanin"  rows to leave out (floor rig pexpect expect labgrid process fanin qemu)
#   QEMU_RUNS=1   cut cycles on the emulated RAUC board (tests/bench/qemu-cycle.sh)
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
b="$top/build"
RUNS=${RUNS:-200}
NOISE_S=${NOISE_S:-5}
RIG_POWER=${RIG_POWER:-command}
SKIP=${SKIP:-}
PY=/usr/bin/python3
hz=$(getconf CLK_TCK)

skip() { case " $SKIP " in *" $1 "*) return 0 ;; esac; return 1; }

# ---- what it needs ----
missing=""
dpkg -s python3-labgrid >/dev/null 2>&1 || missing="$missing python3-labgrid"
dpkg -s python3-pexpect >/dev/null 2>&1 || missing="$missing python3-pexpect"
command -v expect >/dev/null || missing="$missing expect"
if [ -n "$missing" ]; then
	if [ "$(id -u)" = 0 ]; then
		echo "installing:$missing" >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y $missing >/dev/null
	else
		echo "missing (rows skipped):$missing" >&2
	fi
fi
[ -f "$b/CMakeCache.txt" ] || cmake -S "$top" -B "$b" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
nice cmake --build "$b" -j2 --target rig bench-noisedev bench-cfloor bench-fakelab bench-cfloor-lab \
	bench-switch bench-fanin >/dev/null

w=$(mktemp -d /tmp/rig-bench.XXXXXX)
lab_pid=""
cleanup() { [ -n "$lab_pid" ] && kill "$lab_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$w"; }
trap cleanup EXIT

stats() { sort -n | awk '{ v[NR] = $1 } END { if (!NR) { printf "%8s %8s %8s %8s %5d", "-", "-", "-", "-", 0; exit }
	printf "%8.3f %8.3f %8.3f %8.3f %5d", v[1], v[int((NR + 1) / 2)], v[int(NR * 0.99 + 0.999)], v[NR], NR }'; }
row() { printf '%-44s %s %6s %7s\n' "$1" "$2" "$3" "$4"; }

lab_start() {   # DIR BAUD [--no-trigger]
	mkdir -p "$1"
	"$b/bench-fakelab" "$1" "$2" 1 ${3:-} &
	lab_pid=$!
	for _ in $(seq 100); do [ -s "$1/http.port" ] && break; sleep 0.02; done
}
lab_stop() { kill "$lab_pid" 2>/dev/null; wait "$lab_pid" 2>/dev/null || true; lab_pid=""; }

rig_devfile() {   # DIR SWITCH
	local power
	if [ "$RIG_POWER" = command ]; then
		power="{ driver = \"command\", on = \"exec $b/bench-switch $1 $2 on\", off = \"exec $b/bench-switch $1 $2 off\", off_time = 0 }"
	else
		power=$(printf '%s' "$RIG_POWER" | sed -e "s|@PORT@|$(cat "$1/http.port")|g" -e "s|@RELAY@|$1/relay|g" -e "s|@DIR@|$1|g")
	fi
	cat >"$1/dev.lua" <<LUA
return { schema = 1, id = "bench-lab", power = $power,
  console = { driver = "serial", path = "$1/console", baud = 115200 }, shell = { kernel_filter = false } }
LUA
}

client() {   # TOOL DIR SWITCH RUNS WAIT_S: execs, so run it in a subshell
	case $1 in
	floor) exec "$b/bench-cfloor-lab" "$2" "$3" "$4" ;;
	pexpect | labgrid) exec "$PY" "$top/tests/bench/pyclient.py" "$1" "$2" "$3" "$4" "$5" ;;
	expect) exec expect "$top/tests/bench/expect-client.tcl" "$2" "$3" "$4" "$5" ;;
	rig)
		rig_devfile "$2" "$3"
		RIG_RUNTIME_DIR="$2/run" exec "$b/rig" run "$top/tests/bench/trigger-latency.lua" --device "$2/dev.lua" \
			--set runs="$4" --set wait="$5" --db "$2/db" >"$2/rig.out" 2>&1 ;;
	esac
}

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }

# CPU % of one core while only noise streams, and MB/s drained: "CPU MBS".
noise_cpu() {   # TOOL BAUD SWITCH
	local d="$w/noise-$1-$2-$3" pid t0 t1 c0 c1 b0 b1 n0 n1
	lab_start "$d" "$2" --no-trigger
	(client "$1" "$d" "$3" 1 3600) &
	pid=$!
	sleep 2   # interpreters start, consoles open, power on
	c0=$(cpu_ticks "$pid"); kill -USR1 "$lab_pid"; t0=$(date +%s.%N)
	sleep "$NOISE_S"
	c1=$(cpu_ticks "$pid"); kill -USR1 "$lab_pid"; t1=$(date +%s.%N)
	sleep 0.1
	kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
	lab_stop
	read -r n0 b0 <<<"$(sed -n 1p "$d/stats")"
	read -r n1 b1 <<<"$(sed -n 2p "$d/stats")"
	awk -v c="$((c1 - c0))" -v hz="$hz" -v t0="$t0" -v t1="$t1" -v n0="$n0" -v n1="$n1" -v b0="$b0" -v b1="$b1" \
		'BEGIN { printf "%.1f %.2f\n", 100 * c / hz / (t1 - t0), (n1 - n0) / ((b1 - b0) / 1e9) / 1e6 }'
}

# One row: latency at the switch, then CPU and MB/s.
measure() {   # TOOL BAUD SWITCH LABEL
	local d="$w/lat-$1-$2-$3" cpu mbs
	lab_start "$d" "$2"
	if ! (client "$1" "$d" "$3" "$RUNS" 10); then echo "($1 failed; see $d)" >&2; fi
	lab_stop
	awk '{ print $1 }' "$d/lat" 2>/dev/null >"$d/ms" || : >"$d/ms"
	read -r cpu mbs <<<"$(noise_cpu "$1" "$2" "$3")"
	[ "$2" = 0 ] || mbs=""
	row "$4" "$(stats <"$d/ms")" "$cpu" "$mbs"
	if [ "$1" = rig ] && [ -s "$d/db" ]; then
		# rig's own part: trigger written -> power driver called
		sqlite3 "$d/db" "select json_extract(detail, '$.t_act_start') from events where kind = 'bench' order by id" >"$d/start"
		awk '{ print $3 }' "$d/lat" | paste - "$d/start" | awk 'NF == 2 { printf "%.3f\n", ($2 - $1) / 1e6 }' >"$d/own"
		row "  rig: trigger -> driver set() called" "$(stats <"$d/own")" "" ""
	fi
}

have_py() { "$PY" -c "import $1" 2>/dev/null; }

echo "Trigger-to-cut latency (ms, at the fake switch), CPU while only noise streams (% of one core), MB/s drained"
printf '%-44s %8s %8s %8s %8s %5s %6s %7s\n' "tool" min median p99 max n "cpu%" "MB/s"
for baud in 115200 0; do
	label=$([ "$baud" = 0 ] && echo "full speed" || echo "115200")
	echo "-- $label"
	skip floor || measure floor "$baud" http "C poll loop, http keep-alive"
	skip floor || measure floor "$baud" relay "C poll loop, relay pty"
	if ! skip rig; then
		measure rig "$baud" http "rig ($RIG_POWER driver -> http)"
		[ "$RIG_POWER" = command ] && measure rig "$baud" relay "rig (command driver -> relay)"
	fi
	skip pexpect || ! have_py pexpect || measure pexpect "$baud" http "pexpect, http keep-alive"
	skip expect || ! command -v expect >/dev/null || measure expect "$baud" http "Tcl expect, http keep-alive"
	skip labgrid || ! have_py labgrid || measure labgrid "$baud" http "labgrid (SerialDriver + NetworkPowerDriver)"
	if ! skip process; then
		# the older harness: the cut is SIGKILL of the device, timed by the tool
		d="$w/proc-$baud"
		mkdir -p "$d"
		"$b/bench-cfloor" "$b/bench-noisedev" "$baud" "$RUNS" >"$d/floor"
		row "C poll loop, SIGKILL (process)" "$(stats <"$d/floor")" "" ""
		cat >"$d/dev.lua" <<LUA
return { schema = 1, id = "bench-$baud",
  power = { driver = "process", command = { "$b/bench-noisedev", "$d/stamps", "$baud", "7" }, off_time = 0 },
  console = { driver = "process" }, shell = { kernel_filter = false } }
LUA
		: >"$d/stamps"
		RIG_RUNTIME_DIR="$d/run" "$b/rig" run "$top/tests/bench/trigger-latency.lua" --device "$d/dev.lua" \
			--set runs="$RUNS" --db "$d/db" >/dev/null
		sqlite3 "$d/db" "select json_extract(detail, '$.t_act_done') from events where kind = 'bench' order by id" >"$d/done"
		paste "$d/stamps" "$d/done" | awk '{ printf "%.3f\n", ($2 - $1) / 1e6 }' >"$d/rig"
		row "rig, process driver SIGKILL" "$(stats <"$d/rig")" "" ""
	fi
done

if ! skip fanin; then
	echo
	echo "Console fan-in: one rig loop, 128 ptys paced at 115200 baud + 8 at full speed"
	"$b/bench-fanin" "${FANIN_S:-20}"
fi
if ! skip qemu && command -v qemu-system-x86_64 >/dev/null; then
	echo
	echo "QEMU cut cycle (cut-install on the RAUC board): the rig's own time against the guest's"
	"$top/tests/bench/qemu-cycle.sh" "${QEMU_RUNS:-1}" | head -n -3
fi
echo
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(. /etc/os-release; echo "$PRETTY_NAME"), kernel $(uname -r), load average $(cut -d" " -f1-3 /proc/loadavg), $(date -u '+%Y-%m-%d %H:%M UTC')"
