# A campaign SIGKILLed at 20 random points and resumed each time ends with
# exactly the results of an uninterrupted run with the same seed: no
# finished run is repeated, none is lost, interrupted runs are kept apart.
# KILLS=N changes the number of kills (default 20); RESUME_SEED the points.
set -eu
. "$(dirname "$0")/camp.sh"
kills=${KILLS:-20}
RANDOM=${RESUME_SEED:-4242}
rack "r1:robust,r2:no-verify"
cat >"$T/c.lua" <<EOC
return {
  name = "resume", seed = 99, lab = "$LAB", timeout = 120,
  tests = {
    { scenario = "baseline", ["repeat"] = 4 },
    { scenario = "corrupt-artifact", ["repeat"] = 3 },
    { scenario = "wrong-hw", ["repeat"] = 2 },
    { scenario = "cut-download", cut = { param = "fraction", strategy = "sweep", from = 0.1, to = 0.9, points = 5 } },
  },
}
EOC
"$RIG" campaign "$T/c.lua" --db "$T/a.db" --json "$T/a.json" >"$T/a.out" 2>&1 || true
grep -q "^campaign 1 (resume, seed 99): 28 runs" "$T/a.out" || { cat "$T/a.out"; fail "uninterrupted campaign"; }

killed=0 mode=""
while [ $killed -lt "$kills" ]; do
	"$RIG" campaign "$T/c.lua" --db "$T/b.db" $mode >>"$T/b.out" 2>&1 &
	pid=$!
	ms=$((300 + RANDOM % 2700))
	sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
	if ! kill -0 $pid 2>/dev/null; then
		wait $pid || true
		break   # finished before this kill point
	fi
	kill -KILL $pid
	wait $pid 2>/dev/null || true
	killed=$((killed + 1))
	echo "kill $killed at ${ms} ms"
	mode=--resume
done
[ $killed -ge $((kills * 3 / 4)) ] || fail "the campaign finished after only $killed kills: make it longer"
"$RIG" campaign "$T/c.lua" --db "$T/b.db" --resume --json "$T/b.json" >"$T/b.last" 2>&1 || true
cat "$T/b.last"
grep -q "^campaign 1 (resume, seed 99): 28 runs" "$T/b.last" || fail "resumed campaign did not end with 28 runs"

python3 - "$T/a.json" "$T/b.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
def finals(d):
    rows = [r for r in d["rows"] if r["final"]]
    keys = [r["job"] for r in rows]
    assert len(keys) == len(set(keys)), "a job finished twice: %s" % sorted(k for k in keys if keys.count(k) > 1)
    return {r["job"]: (r["verdict"], r["outcome"], r["cut_planned"], r["seed"], json.dumps(r["params"], sort_keys=True))
            for r in rows}
fa, fb = finals(a), finals(b)
missing = set(fa) - set(fb); extra = set(fb) - set(fa)
assert not missing and not extra, "missing %s, extra %s" % (missing, extra)
diff = {k: (fa[k], fb[k]) for k in fa if fa[k] != fb[k]}
assert not diff, "results differ: %s" % diff
inter = b["apart"]["interrupted"]
assert inter > 0, "no interrupted run was recorded"
assert all(r["verdict"] == "interrupted" for r in b["rows"] if not r["final"] and r["kind"] == "run"
           and r["verdict"] != "error"), "non-final rows are interrupted or retried errors"
print("same %d results; %d runs interrupted and redone, %d health checks" % (len(fa), inter, b["apart"]["health_checks"]))
PY
echo "ok ($killed kills)"
