#!/bin/bash
# Trigger-to-cut latency: a fake device streams console noise into a pty (paced
# at 115200 baud, then at full speed) and writes a trigger line, recording when
# it wrote it; the cut is SIGKILL of the device. Measured for rig (an armed
# console trigger with the process power driver) and for the floor (a minimal C
# poll loop). Prints one table: min / median / p99 / max in ms.
# Usage: tests/bench/trigger-latency.sh [RUNS]   (after a build in build/)
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-200}
b="$top/build"
w=$(mktemp -d /tmp/rig-bench.XXXXXX)
trap 'rm -rf "$w"' EXIT
stats() { sort -n | awk '{ v[NR] = $1 } END { if (!NR) { print "no data"; exit }
	printf "%8.3f %8.3f %8.3f %8.3f %5d\n", v[1], v[int((NR + 1) / 2)], v[int(NR * 0.99 + 0.999)], v[NR], NR }'; }
printf '%-28s %8s %8s %8s %8s %5s\n' "tool (ms)" min median p99 max n
for baud in 115200 0; do
	label=$([ "$baud" = 0 ] && echo "full speed" || echo "115200 baud")
	"$b/bench-cfloor" "$b/bench-noisedev" "$baud" "$runs" >"$w/floor"
	printf '%-28s ' "C poll loop, $label"; stats <"$w/floor"
	cat >"$w/dev.lua" <<LUA
return { schema = 1, id = "bench-$baud",
  power = { driver = "process", command = { "$b/bench-noisedev", "$w/stamps-$baud", "$baud", "7" }, off_time = 0 },
  console = { driver = "process" }, shell = { kernel_filter = false } }
LUA
	: >"$w/stamps-$baud"
	RIG_RUNTIME_DIR="$w/run" "$b/rig" run "$top/tests/bench/trigger-latency.lua" --device "$w/dev.lua" \
		--set runs="$runs" --db "$w/db-$baud" >/dev/null
	sqlite3 "$w/db-$baud" "select json_extract(detail, '$.t_act_done') from events where kind = 'bench' order by id" >"$w/done"
	paste "$w/stamps-$baud" "$w/done" | awk '{ printf "%.3f\n", ($2 - $1) / 1e6 }' >"$w/rig"
	printf '%-28s ' "rig, $label"; stats <"$w/rig"
done
echo
echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(. /etc/os-release; echo "$PRETTY_NAME"), $(uname -r), $(date -u +%Y-%m-%d)"
