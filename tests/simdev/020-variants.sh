# Every flawed variant of the simulated device is caught by the stock scenario
# aimed at it, by a sweep of cut points across the window the variant
# publishes (rig-sim variants), and the robust device survives the same sweeps.
# ctest: run-serial
set -eu
: "${RIG_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${RIG_BUILDDIR:=$RIG_SRCDIR/build}"
: "${RIG_SIM:=$RIG_BUILDDIR/rig-sim}"
export RIG_SRCDIR RIG_BUILDDIR RIG_SIM
command -v python3 >/dev/null || { echo "SKIP: python3"; exit 77; }
sweep="$RIG_SRCDIR/tests/simdev/sweep.sh"
points=${SWEEP_POINTS:-5}
out=$(mktemp /tmp/rig-variants.XXXXXX)
trap 'rm -f "$out" "$out".*' EXIT
"$RIG_SIM" variants >"$out.json"
# name scenario param values... (one line per variant), from the published windows
python3 - "$out.json" "$points" >"$out.plan" <<'PY'
import json, sys
variants = json.load(open(sys.argv[1])); n = int(sys.argv[2])
param = {"ms-after-installing": ("delay", 1e-3), "ms-after-installed": ("delay", 1e-3),
         "ms-after-marker": ("delay", 1e-3), "fraction": ("fraction", 1.0)}
for v in variants:
    if v["name"] == "robust":
        continue
    w = v["window"]
    if w["unit"] == "none":
        print(v["name"], v["aimed_at"], "unused", "1")
        continue
    p, scale = param[w["unit"]]
    vals = [round((w["from"] + (w["to"] - w["from"]) * (k + 0.5) / n) * scale, 4) for k in range(n)]
    print(v["name"], v["aimed_at"], p, " ".join(map(str, vals)))
PY
failed=0
while read -r name scenario param values; do
	# shellcheck disable=SC2086
	"$sweep" "$name" "$scenario" "$param" 8 $values >"$out.$name"
	caught=$(awk '$2 == "FAIL" || $2 == "BRICK"' "$out.$name" | wc -l)
	total=$(wc -l <"$out.$name")
	echo "$name ($scenario, $param over its window): caught in $caught of $total runs: $(tr '\n' ';' <"$out.$name")"
	if [ "$caught" -eq 0 ]; then
		echo "FAIL: variant $name was not caught by $scenario across its published window" >&2
		failed=1
	fi
	# The robust device under the very same sweep: nothing to catch.
	"$sweep" robust "$scenario" "$param" 8 $values >"$out.robust"
	bad=$(awk '$2 != "PASS" && $2 != "INCONCL"' "$out.robust")
	if [ -n "$bad" ]; then
		echo "FAIL: the robust device did not survive the $name sweep: $bad" >&2
		failed=1
	fi
done <"$out.plan"
exit $failed
