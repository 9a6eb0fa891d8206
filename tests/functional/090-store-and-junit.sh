# Every run, event and console byte is in the database as it happens; JUnit
# XML is written; a rig killed mid-run leaves its records (verdict unset).
. "$(dirname "$0")/lib.sh"
need sqlite3
scenario fails <<'LUA'
local dev = rig.device
dev:on()
assert(dev:boot())
local out = dev:run("echo <tag> & \"quotes\" ]]>")
rig.fail("the device printed " .. out)
LUA
run_rig 1 run "$T/fails.lua" --device "$DEV" --junit "$T/j.xml" --db "$T/x.db"
expect_out "^FAIL"
expect_out "results: $T/x.db \(run 1\)"
expect_out "junit: +$T/j.xml"
[ "$(sqlite3 "$T/x.db" "select verdict from runs where id=1")" = fail ] || fail "verdict not stored"
n=$(sqlite3 "$T/x.db" "select count(*) from events where run_id=1")
[ "$n" -gt 5 ] || fail "only $n events stored"
sqlite3 "$T/x.db" "select count(*) from console where run_id=1 and stream='rx'" | grep -qv '^0$' || fail "no console bytes stored"
grep -q '<failure' "$T/j.xml" || fail "no <failure> in JUnit"
if command -v xmllint >/dev/null; then xmllint --noout "$T/j.xml" || fail "JUnit is not well-formed"; fi

# SIGKILL mid-run: everything recorded so far survives.
scenario slow <<'LUA'
local dev = rig.device
dev:on()
assert(dev:boot())
dev:run("echo before-the-kill")
rig.sleep(30)
LUA
"$RIG" run "$T/slow.lua" --device "$DEV" --db "$T/k.db" >/dev/null 2>&1 &
pid=$!
for i in $(seq 100); do
	sqlite3 "$T/k.db" "select count(*) from events where kind='run'" 2>/dev/null | grep -q '^1$' && break
	sleep 0.1
done
kill -9 $pid
wait $pid 2>/dev/null || true
[ "$(sqlite3 "$T/k.db" "select count(*) from runs where verdict is null")" = 1 ] || fail "the killed run is not recorded as unfinished"
sqlite3 "$T/k.db" "select bytes from console where run_id=1" | grep -q "before-the-kill" || fail "console bytes lost"
