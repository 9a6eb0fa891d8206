# rig console: what the device prints goes to stdout, what is typed goes to
# the device; it leaves the power as it is; Ctrl-] o powers on, Ctrl-] c
# power-cycles, Ctrl-] q quits.
. "$(dirname "$0")/lib.sh"
need python3
{
	sleep 0.5; printf '\035o'; sleep 1  # power on
	printf 'root\n'; sleep 0.5; printf 'root\n'; sleep 0.5
	printf 'echo typed-through\n'; sleep 0.5
	printf '\035c'; sleep 1.5      # power-cycle: a second boot
	printf '\035q'
} | timeout 20 "$RIG" console "$DEV" >"$T/out" 2>"$T/err" || true
[ "$(grep -c FAKEBOOT "$T/out")" -eq 2 ] || { cat "$T/out" "$T/err"; fail "expected two boots (power-cycle key)"; }
grep -q "^typed-through" "$T/out" || { cat "$T/out"; fail "typed input did not reach the device"; }
grep -q "power off" "$T/err" && grep -q "power on" "$T/err" || { cat "$T/err"; fail "no power notes"; }
grep -q "console closed" "$T/err" || fail "quit key"
