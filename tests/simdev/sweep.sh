#!/bin/bash
# Sweep one parameter of a stock scenario over values on a simulated-device
# variant, P runs at a time; print "value verdict outcome" per run.
# Usage: sweep.sh VARIANT SCENARIO PARAM P VALUE...   (env: EXTRA="--set k=v ...")
set -u
variant=$1 scenario=$2 param=$3 p=$4; shift 4
: "${RIG_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${RIG_BUILDDIR:=$RIG_SRCDIR/build}"
: "${RIG:=$RIG_BUILDDIR/rig}"
: "${RIG_SIM:=$RIG_BUILDDIR/rig-sim}"
work=$(mktemp -d /tmp/rig-sweep.XXXXXX)
trap 'rm -rf "$work"' EXIT
export RIG_SRCDIR RIG_SIM RIG_RUNTIME_DIR="$work/run" RIG_SIM_VARIANT="$variant" RIG_SIM_ARTIFACTS="$work/art"
"$RIG_SRCDIR/emulated/sim/build-artifacts" "$RIG_SIM" "$RIG_SIM_ARTIFACTS"
values=("$@")
one() {
	local k=$1 v=${values[$1]}
	RIG_SIM_ID="sweep-$k" RIG_SIM_STATE="$work/state-$k" "$RIG" run "$RIG_SRCDIR/scenarios/$scenario.lua" \
		--device "$RIG_SRCDIR/emulated/sim/device.lua" --set "$param=$v" ${EXTRA:-} --seed $((7 + k)) \
		--timeout 150 --db "$work/$k.db" >"$work/out-$k" 2>&1
	local line; line=$(head -1 "$work/out-$k")
	local verdict=${line%% *} outcome=$(grep -o 'outcome=[^ ]*' "$work/out-$k" | head -1)
	echo "$v $verdict ${outcome#outcome=}" >"$work/res-$k"
}
running=0
for k in "${!values[@]}"; do
	one "$k" &
	running=$((running + 1))
	if [ "$running" -ge "$p" ]; then wait -n; running=$((running - 1)); fi
done
wait
for k in "${!values[@]}"; do cat "$work/res-$k"; done
