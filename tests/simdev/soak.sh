#!/bin/bash
# Run N seeded runs of the stock scenarios on the simulated device, P at a
# time (each worker has its own simulated board), and print one line per
# verdict class. Exit 1 if any run failed, bricked or errored.
# Usage: soak.sh N P [VARIANT] [SCENARIOS...]   (env: HOSTILE=1 for hostile consoles)
set -u
n=${1:?N}; p=${2:?P}; variant=${3:-robust}; shift 3 2>/dev/null || shift $#
: "${RIG_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${RIG_BUILDDIR:=$RIG_SRCDIR/build}"
: "${RIG:=$RIG_BUILDDIR/rig}"
: "${RIG_SIM:=$RIG_BUILDDIR/rig-sim}"
scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(baseline cut-download cut-install cut-after-installed cut-first-boot
	cut-mark-good boot-cuts net-fault range-200 corrupt-artifact wrong-hw unhealthy hang
	bad-signature truncated-artifact)
work=$(mktemp -d /tmp/rig-soak.XXXXXX)
trap 'rm -rf "$work"' EXIT
export RIG_SRCDIR RIG_SIM RIG_DB="$work/soak.db" RIG_RUNTIME_DIR="$work/run" RIG_SIM_VARIANT="$variant"
export RIG_SIM_ARTIFACTS="$work/art"
"$RIG_SRCDIR/emulated/sim/build-artifacts" "$RIG_SIM" "$RIG_SIM_ARTIFACTS"

worker() {
	local w=$1
	export RIG_SIM_ID="soak-$w" RIG_SIM_STATE="$work/state-$w"
	for ((i = w; i < n; i += p)); do
		local s=${scenarios[$((i % ${#scenarios[@]}))]}
		local seed=$((1000 + i))
		if [ "${HOSTILE:-0}" = 1 ]; then export RIG_SIM_HOSTILE=$seed; fi
		"$RIG" run "$RIG_SRCDIR/scenarios/$s.lua" --device "$RIG_SRCDIR/emulated/sim/device.lua" \
			--seed "$seed" --timeout 120 --db "$work/w$w.db" >"$work/out-$i" 2>&1
		echo "$? $s $seed $(head -1 "$work/out-$i")" >>"$work/results-$w"
	done
}
for ((w = 0; w < p; w++)); do worker "$w" & done
wait
cat "$work"/results-* | sort -k2 >"$work/all"
total=$(wc -l <"$work/all")
for v in PASS FAIL BRICK ERROR INCONCL SKIP; do
	c=$(awk -v v="$v" '$4 == v' "$work/all" | wc -l)
	printf '%-8s %d\n' "$v" "$c"
done
echo "runs     $total"
bad=$(awk '$4 == "FAIL" || $4 == "BRICK" || $4 == "ERROR"' "$work/all")
if [ -n "$bad" ]; then
	echo "--- runs that failed, bricked or errored:"
	echo "$bad"
	awk '$4 == "FAIL" || $4 == "BRICK" || $4 == "ERROR" {print $1" "$2" "$3}' "$work/all" | while read -r st s seed; do
		i=$((seed - 1000)); echo "--- $s seed $seed"; sed -n '1,3p' "$work/out-$i"
	done
	exit 1
fi
[ "$total" -eq "$n" ] || { echo "only $total of $n runs reported"; exit 1; }
exit 0
