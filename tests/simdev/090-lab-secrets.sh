# Lab files: defaults and templates that devices extend; secret references
# from the environment and from a file; a canary password appears in no
# output, log, store row or report; bad lab files name the file and key.
set -eu
. "$(dirname "$0")/camp.sh"
LAB="$RIG_SRCDIR/tests/simdev/lab.lua"
CANARY="CANARY-s3cr3t-9f2"
CANARY2="CANARY-f1le-77a"
export LAB_PASSWORD="$CANARY" LAB_PASSWORD_FILE="$T/pw" LAB_STAGGER=400
printf '%s\n' "$CANARY2" >"$T/pw"
"$RIG" list "$LAB" >"$T/list" 2>&1 || { cat "$T/list"; fail "rig list"; }
grep -q "lab-1 *simulated board from the lab file" "$T/list" && grep -q "lab-2" "$T/list" || { cat "$T/list"; fail "templates"; }
cat >"$T/c.lua" <<EOC
return { name = "lab", seed = 1, lab = "$LAB", timeout = 60, devices = { tags = { "secure" } },
         tests = { { scenario = "baseline" } } }
EOC
"$RIG" campaign "$T/c.lua" --db "$T/r.db" --html "$T/r.html" --json "$T/r.json" --junit "$T/j.xml" >"$T/out" 2>&1 ||
	{ cat "$T/out"; fail "campaign on the lab file (the boards log in with the secret passwords)"; }
grep -q "2 runs: 2 pass" "$T/out" || { cat "$T/out"; fail "both boards pass"; }
run=$(jsonq "$T/r.json" 'd["rows"][0]["run"]')
"$RIG" show "$run" --db "$T/r.db" -v >"$T/show" 2>&1
"$RIG" export "$run" --db "$T/r.db" -o "$T/x.tar" >/dev/null
grep -q "\[secret\]" "$T/show" || fail "the typed password is not shown as [secret]"
# the canaries: nowhere, not even inside blobs of the database
for f in "$T/out" "$T/r.html" "$T/r.json" "$T/j.xml" "$T/show" "$T/x.tar" "$T/list"; do
	if grep -aq -e "$CANARY" -e "$CANARY2" "$f"; then fail "a secret leaked into $(basename "$f")"; fi
done
python3 - "$T/r.db" "$CANARY" "$CANARY2" <<'PY' || fail "a secret leaked into the database"
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
for (table,) in c.execute("SELECT name FROM sqlite_master WHERE type='table'"):
    for row in c.execute("SELECT * FROM %s" % table):
        for v in row:
            b = v if isinstance(v, bytes) else str(v).encode()
            for s in sys.argv[2:]:
                assert s.encode() not in b, "%s in %s" % (s, table)
PY
for f in "$T"/r.db-wal; do [ -f "$f" ] && grep -aq "$CANARY" "$f" && fail "a secret in the WAL"; done

# staggered power-on: the two boards' power-ons are at least 400 ms apart
python3 - "$T/r.db" <<'PY' || fail "power-ons not staggered"
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
t = sorted(r[0] for r in c.execute("SELECT t_ns FROM events WHERE kind = 'power.on.start'"))
gaps = [(b - a) / 1e6 for a, b in zip(t, t[1:])]
assert len(t) >= 4 and min(gaps) >= 399, "power-on gaps (ms): %s" % gaps
assert c.execute("SELECT count(*) FROM events WHERE kind = 'power.stagger'").fetchone()[0] >= 1
PY

# Bad lab files
bad() {
	printf '%s\n' "$1" >"$T/badlab.lua"
	if "$RIG" list "$T/badlab.lua" >"$T/bad.out" 2>&1; then fail "accepted: $1"; fi
	grep -q "badlab.lua" "$T/bad.out" && grep -qF "$2" "$T/bad.out" || { cat "$T/bad.out"; fail "message for: $1"; }
}
bad "return { devices = { { id = 'a', extends = 'nope' } }, templates = { x = {} } }" "devices[1]: extends unknown template 'nope' (templates: x)"
bad "return { devices = { { id = 'a', extends = 'x' } }, templates = { x = { extends = 'y' }, y = { extends = 'x' } } }" "loop"
bad "return { devices = { { id = 'a', shell = { password = { secret = 'env:RIG_NO_SUCH_VAR' } } } } }" "devices[1].shell.password: secret env: environment variable RIG_NO_SUCH_VAR is not set"
bad "return { devices = { { id = 'a', shell = { password = { secret = 'file:/no/such' } } } } }" "secret file: No such file"
bad "return { devices = {}, labs = 1 }" "unknown key 'labs'"
echo ok
