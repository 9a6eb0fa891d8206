# The time budget stops new runs (the campaign stays resumable); a terminal
# gets a live progress line; a double fault cuts again during the recovery
# boot.
set -eu
. "$(dirname "$0")/camp.sh"
command -v script >/dev/null || { echo "SKIP: script (util-linux)"; exit 77; }
rack "b1:robust"
cat >"$T/c.lua" <<EOC
return { name = "budget", seed = 2, lab = "$LAB", timeout = 60, budget = 3,
         tests = { { scenario = "cut-install", ["repeat"] = 10, params = { delay = 0.05, second_cut = 0.02 } } } }
EOC
# under script(1) stderr is a terminal: the progress line is drawn with \r and ESC[K
set +e
script -qec "'$RIG' campaign '$T/c.lua' --db '$T/r.db' --json '$T/r.json'" "$T/tty" >/dev/null 2>&1
set -e
grep -aq "\[[0-9]*/[0-9]*\] pass [0-9]*  fail 0  brick 0  error 0  inconcl 0  quarantined 0  running [01]  ETA" "$T/tty" ||
	{ cat -v "$T/tty" | tail -5; fail "no progress line on a terminal"; }
grep -aq "time budget of 3 s used up" "$T/tty" || fail "the budget did not stop the campaign"
grep -aq "stopped by the time budget; .*--resume. goes on" "$T/tty" || fail "no resume hint"
n=$(jsonq "$T/r.json" 'd["runs"]')
[ "$n" -ge 1 ] && [ "$n" -lt 10 ] || fail "$n runs within a 3 s budget"
[ "$(jsonq "$T/r.json" 'd["campaign"]["status"]')" = budget ] || fail "status"
# the double fault: a second cut during the recovery boot, then a pass (robust)
run=$(jsonq "$T/r.json" '[r["run"] for r in d["rows"] if r["final"]][0]')
"$RIG" show "$run" --db "$T/r.db" >"$T/show"
grep -q "second-cut .*\"delay\":0.02" "$T/show" || fail "no second cut in the timeline"
grep -q "verdict pass" "$T/show" || { head -5 "$T/show"; fail "the robust board did not survive the double fault"; }
# resume goes on from where the budget stopped it
"$RIG" campaign "$T/c.lua" --db "$T/r.db" --resume --json "$T/r2.json" --no-progress >"$T/out2" 2>&1 || true
n2=$(jsonq "$T/r2.json" 'd["runs"]')
[ "$n2" -gt "$n" ] || fail "resume did not go on ($n then $n2 runs)"
echo ok
