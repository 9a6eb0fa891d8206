#!/bin/bash
# The QEMU cut cycle (issues 5 and 7): the wall time of one full power-cut
# cycle on the emulated RAUC board — provision (boot), start an update, cut
# mid-install, boot again, verify, stability cycle, updates still work — split
# into the rig's own time (the CPU the rig process itself used) and the
# guest's (everything else: QEMU booting and running the board). Not part of
# the pass/fail suite.
#
# Usage: tests/bench/qemu-cycle.sh [RUNS]   (default 1; builds into build/)
#   FLAVOUR=rauc|swupdate   DELAY=2 (s after "installing")
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
b="$top/build"
runs=${1:-1}
: "${FLAVOUR:=rauc}" "${DELAY:=2}"
hz=$(getconf CLK_TCK)
cmake -S "$top" -B "$b" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$b" -j"$(nproc)" --target rig >/dev/null
img=$("$top/emulated/qemu/build-image" --flavour "$FLAVOUR" --print-dir 2>/dev/null) ||
	{ "$top/emulated/qemu/build-image" --flavour "$FLAVOUR" >/dev/null && img=$("$top/emulated/qemu/build-image" --flavour "$FLAVOUR" --print-dir); }
T=$(mktemp -d /tmp/rig-qemu-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT
export RIG_QEMU_IMAGE_DIR="$img" RIG_QEMU_STATE="$T/state" RIG_QEMU_ID="qemu-bench-$$" RIG_RUNTIME_DIR="$T/run"
printf '%-4s %9s %9s %9s %8s %8s %10s %s\n' run wall_s rig_cpu_s guest_s rig_% kids_cpu cut_ms verdict
for r in $(seq "$runs"); do
	db="$T/r$r.db"
	t0=$(date +%s%N)
	"$b/rig" run "$top/scenarios/cut-install.lua" --device "$top/emulated/qemu/$FLAVOUR.lua" \
		--set delay="$DELAY" --seed "$r" --db "$db" >"$T/out$r" 2>&1 &
	pid=$!
	last=""
	while kill -0 $pid 2>/dev/null; do
		s=$(cat /proc/$pid/stat 2>/dev/null) && last=$s
		sleep 0.2
	done
	wait $pid || true
	t1=$(date +%s%N)
	# fields after the command name: utime stime cutime cstime are 14-17
	set -- $(printf '%s' "${last##*) }")
	self=$(( ${12} + ${13} )) kids=$(( ${14} + ${15} ))
	wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
	cpu=$(awk -v t="$self" -v h="$hz" 'BEGIN { printf "%.2f", t / h }')
	kcpu=$(awk -v t="$kids" -v h="$hz" 'BEGIN { printf "%.1f", t / h }')
	cut=$(sqlite3 "$db" "SELECT detail FROM events WHERE kind = 'trigger.done' LIMIT 1" |
		python3 -c 'import json,sys; d=json.loads(sys.stdin.read() or "{}"); print("%.2f" % ((d["t_act_done"] - d["t_match"]) / 1e6 - d.get("delay_ns", 0) / 1e6) if "t_act_done" in d and "t_match" in d else "-")')
	verdict=$(grep -Eo '^(PASS|FAIL|BRICK|ERROR|INCONCL|SKIP)' "$T/out$r" | tail -1)
	printf '%-4s %9s %9s %9s %8s %8s %10s %s\n' "$r" "$wall" "$cpu" \
		"$(awk -v w="$wall" -v c="$cpu" 'BEGIN { printf "%.1f", w - c }')" \
		"$(awk -v w="$wall" -v c="$cpu" 'BEGIN { printf "%.2f", 100 * c / w }')" "$kcpu" "$cut" "${verdict:-?}"
done
echo "rig_cpu_s: utime+stime of the rig process itself; guest_s: the rest of the wall time; kids_cpu:"
echo "CPU of what the rig ran and reaped (QEMU, qemu-img); cut_ms: trigger match to QEMU killed, minus the"
echo "planned delay. Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores,"
echo "load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u '+%Y-%m-%d %H:%M UTC')"
