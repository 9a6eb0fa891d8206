# Identity check: a device file that names the board's serial number checks
# it at every boot (printed) and after every login (a command), so a console
# wired to another board ends the run as an error, never as a verdict on the
# wrong board.
set -eu
. "$(dirname "$0")/camp.sh"
export RIG_SIM_ID=id-board RIG_SIM_STATE="$T/state/id-board"
export RIG_SIM_SERIAL=SN-0042 RIG_SIM_EXPECT_SERIAL=SN-0042
set +e
"$RIG" run "$RIG_SRCDIR/scenarios/baseline.lua" --device "$LAB" --db "$T/r.db" -v >"$T/ok" 2>&1
rc=$?
set -e
[ $rc = 0 ] || { tail -20 "$T/ok"; fail "baseline on the right board: exit $rc"; }
n=$(grep -c 'identity .*"ok":true' "$T/ok")
[ "$n" -ge 4 ] || fail "identity checked at every boot and login ($n checks)"
# the console is wired to another board (serial SN-0077)
export RIG_SIM_SERIAL=SN-0077
set +e
"$RIG" run "$RIG_SRCDIR/scenarios/baseline.lua" --device "$LAB" --db "$T/r.db" >"$T/wrong" 2>&1
rc=$?
set -e
[ $rc = 3 ] || { cat "$T/wrong"; fail "the wrong board: exit $rc, expected 3 (error)"; }
grep -q "^ERROR " "$T/wrong" && grep -q "identity check failed: this boot did not print /board serial SN-0042" "$T/wrong" ||
	{ cat "$T/wrong"; fail "message"; }
echo ok
