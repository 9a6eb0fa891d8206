# A campaign over a rack: every test on every device in parallel, the
# matrix, retries kept apart, reports (HTML, JSON, JUnit), rig report,
# history, show, export, rerun; bad campaign files are refused with the
# file and what was expected.
set -eu
. "$(dirname "$0")/camp.sh"
rack "r1:robust,r2:no-verify"
cat >"$T/c.lua" <<EOC
return {
  name = "ci-smoke", seed = 42, lab = "$LAB", timeout = 120,
  tests = {
    { scenario = "baseline", ["repeat"] = 2 },
    { scenario = "corrupt-artifact" },
    { scenario = "cut-download", cut = { param = "fraction", strategy = "sweep", from = 0.2, to = 0.8, points = 3 } },
  },
}
EOC
set +e
"$RIG" campaign "$T/c.lua" --db "$T/r.db" --html "$T/r.html" --json "$T/r.json" --junit "$T/j.xml" >"$T/out" 2>&1
rc=$?
set -e
cat "$T/out"
[ $rc = 1 ] || fail "exit status $rc, expected 1 (no-verify fails corrupt-artifact)"
grep -q "^campaign 1 (ci-smoke, seed 42): 12 runs: 11 pass, 1 fail" "$T/out" || fail "summary"
[ "$(jsonq "$T/r.json" 'd["runs"], d["counts"]["fail"]')" = "12 1" ] || fail "json counts"
[ "$(jsonq "$T/r.json" '[c["counts"]["fail"] for c in d["matrix"] if c["device"] == "r2" and c["test"] == "corrupt-artifact"][0]')" = 1 ] ||
	fail "the failure is in the r2 x corrupt-artifact cell"
# Wilson interval of 6/6 (r1): [0.61, 1]
jsonq "$T/r.json" '[c["survival"] for c in d["matrix"] if c["device"] == "r1" and c["test"] == "baseline"][0]' | grep -q "'ci95_low': 0.342" ||
	fail "wilson interval of 2/2: $(jsonq "$T/r.json" 'd["matrix"]')"
# cut points recorded: planned = actual for served cuts
jsonq "$T/r.json" '[(r["cut_planned"], round(r["cut_actual"], 3)) for r in d["rows"] if r["test"] == "cut-download"]' | grep -q "(0.5, 0.5)" ||
	fail "cut points: $(jsonq "$T/r.json" '[(r["cut_planned"], r["cut_actual"]) for r in d["rows"]]')"
grep -q '<testsuite' "$T/j.xml" && grep -c '<testcase' "$T/j.xml" | grep -qx 12 || fail "junit"
grep -q "Tests &times; devices" "$T/r.html" || fail "html matrix"
grep -qi "<script" "$T/r.html" && fail "the HTML report holds a script"
"$RIG" report --db "$T/r.db" --campaign last | grep -q "corrupt-artifact *r2 *survival 0.0%" || fail "rig report"
"$RIG" history --db "$T/r.db" | grep -q "ci-smoke .* done *12" || fail "rig history"
run=$(jsonq "$T/r.json" '[r["run"] for r in d["rows"] if r["verdict"] == "fail"][0]')
"$RIG" show "$run" --db "$T/r.db" >"$T/show"
grep -q "verdict fail" "$T/show" && grep -q "^timeline:" "$T/show" && grep -q "^console" "$T/show" || fail "rig show"
(cd "$T" && "$RIG" export "$run" --db "$T/r.db" >/dev/null) && tar tf "$T/rig-run-$run.tar" >"$T/tar" || fail "rig export"
for f in run.json timeline.txt events.jsonl console.log README; do grep -q "/$f$" "$T/tar" || fail "export lacks $f"; done
tar xOf "$T/rig-run-$run.tar" "rig-run-$run/console.log" | grep -q "sim login" || fail "export console"
# rerun the sweep's middle run: same parameters and seed, the cut lands on the same byte
mid=$(jsonq "$T/r.json" '[r["run"] for r in d["rows"] if r["test"] == "cut-download" and r["device"] == "r1" and r["cut_planned"] == 0.5][0]')
"$RIG" rerun "$mid" --db "$T/r.db" >"$T/rerun" 2>&1 || { cat "$T/rerun"; fail "rerun"; }
grep -q "original run $mid: pass" "$T/rerun" && grep -q "planned 0.5; original actual 0.5[0-9]*; rerun actual 0.5" "$T/rerun" ||
	{ cat "$T/rerun"; fail "rerun comparison"; }

# Bad campaign files: refused with the file name and what was expected, nothing stored.
bad() {
	printf '%s\n' "$1" >"$T/bad.lua"
	if "$RIG" campaign "$T/bad.lua" --db "$T/bad.db" >"$T/bad.out" 2>&1; then fail "accepted: $1"; fi
	grep -q "bad.lua" "$T/bad.out" && grep -qF "$2" "$T/bad.out" || { cat "$T/bad.out"; fail "message for: $1"; }
}
bad "return { name = 'x', lab = '$LAB', tests = { { scenario = 'baseline', repaet = 2 } } }" "unknown key 'repaet'"
bad "return { name = 'x', tests = { { scenario = 'baseline' } } }" "lab is required"
bad "return { name = 'x', lab = '$LAB', tests = { { scenario = 'no-such' } } }" "scenario"
bad "return { name = 'x', lab = '$LAB', tests = { { scenario = 'baseline', cut = { param = 'delay', strategy = 'bisect', from = 0, to = 1 } } } }" "cut.resolution"
bad "return { name = 'x', lab = '$LAB',
  tests = { { scenario = 'baseline' } " "bad.lua:3: '}' expected"
[ -z "$("$RIG" history --db "$T/bad.db" | grep -v '^id\|no campaigns')" ] || fail "a refused campaign was stored"
echo "ok"
