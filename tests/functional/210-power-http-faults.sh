# Power driver http against a misbehaving switch: slow, HTTP 500, dropped
# connections, a relay that does not move, a wrong read-back. Each is an
# infrastructure error (exit 3, verdict error), never a verdict on the device;
# an off is read back before any retry; the password (sent in Tasmota's query
# string, and echoed back by the failing switch) appears nowhere.
. "$(dirname "$0")/lib.sh"
need python3
need curl
need sqlite3
export RIG_CANARY="CANARY-s3cr3t-9f2"
bg python3 "$FT/fakeswitch.py" --port-file "$T/port" --log "$T/sw.log" --user admin --password "$RIG_CANARY"
wait_file "$T/port"
P=$(cat "$T/port")
: > "$T/all"
fault() { curl -fsS "http://127.0.0.1:$P/_reset" >/dev/null; [ -z "${1:-}" ] || curl -fsS "http://127.0.0.1:$P/_fault?$1" >/dev/null; : > "$T/sw.log"; }
set_relay() { curl -fsS "http://127.0.0.1:$P/_set?ch=1&state=$1" >/dev/null; }
# the requests the switch saw: kind-asked-result
seen() { awk '{ r = $7; if ($7 == "200") r = $8; printf "%s-%s-%s ", $3, $5, r }' "$T/sw.log"; }
rig_st() { run_rig "$@"; cat "$T/out" >> "$T/all"; }
cat > "$T/dev.lua" <<LUA
return { schema = 1, id = "sw-faulty",
         power = { driver = "http", profile = "tasmota", url = "http://127.0.0.1:$P", user = "admin",
                   password_env = "RIG_CANARY", timeout = 400, retries = 2, retry_delay = 50, off_time = 0 } }
LUA

# Slow: every attempt times out; on is retried (nothing to read back first).
fault "on=switch&mode=slow&ms=1500"
t0=$(date +%s%N)
rig_st 3 power "$T/dev.lua" on
ms=$((($(date +%s%N) - t0) / 1000000))
expect_out "on failed: 3 attempts, none confirmed: .*timed out after 4[0-9][0-9] m"
[ "$(seen)" = "switch-on-slow switch-on-slow switch-on-slow " ] || fail "slow: $(seen)"
[ "$ms" -lt 3000 ] || fail "3 attempts of 400 ms took $ms ms"

# A failing read-back: status says why.
fault "on=state&mode=500"
rig_st 3 power "$T/dev.lua" status
expect_out "status failed: .*\(status\): HTTP 500: internal error at /cm\?user=admin&password=\*\*\*&cmnd=Power"

# A reply without a state is not a state: status fails, and an off that
# cannot be confirmed is an error (after its retries), never "still powered".
fault "on=state&mode=garbage"
rig_st 3 power "$T/dev.lua" status
expect_out 'status failed: .*state reply not understood: .\{"Command":"Unknown"\}.$'
set_relay on
: > "$T/sw.log"
rig_st 3 power "$T/dev.lua" off
expect_out "off failed: 3 attempts, none confirmed: .*state reply not understood"
grep -q "still powered" "$T/out" && fail "an unreadable state was taken for on"
[ "$(seen)" = "switch-off-off state---garbage switch-off-off state---garbage switch-off-off state---garbage " ] || fail "garbage: $(seen)"

# HTTP 500 on off, the relay does not move: each retry comes after a read-back.
set_relay on
fault "on=switch&mode=500"
rig_st 3 power "$T/dev.lua" off
expect_out "off failed: 3 attempts, none confirmed: .*HTTP 500.*the state read back is on"
[ "$(seen)" = "switch-off-500 state---on switch-off-500 state---on switch-off-500 state---on " ] || fail "500: $(seen)"
grep -q "password=\*\*\*" "$T/out" || fail "the failing URL is not shown with its password redacted"

# HTTP 500 once: read back (still on), retry, read back (off): success.
set_relay on
fault "on=switch&mode=500&times=1"
rig_st 0 power "$T/dev.lua" off
[ "$(seen)" = "switch-off-500 state---on switch-off-off state---off " ] || fail "500 once: $(seen)"

# Dropped connection, but the relay did switch: the read-back confirms it and
# nothing is sent again.
set_relay on
fault "on=switch&mode=drop&times=1&apply=1"
rig_st 0 power "$T/dev.lua" off
[ "$(seen)" = "switch-off-drop state---off " ] || fail "drop: $(seen)"
# Dropped every time and the relay never moves: an error.
set_relay on
fault "on=switch&mode=drop"
rig_st 3 power "$T/dev.lua" off
expect_out "off failed: .*(Empty reply|Recv failure|connection)"

# The switch acknowledges the off but the relay stays on: an error at once,
# no blind retry.
set_relay on
fault "on=switch&mode=stuck"
rig_st 3 power "$T/dev.lua" off
expect_out "the switch accepted the request but the device is still powered"
[ "$(seen)" = "switch-off-off state---on " ] || fail "stuck: $(seen)"

# The read-back reports the wrong state: an error too.
set_relay on
fault "on=state&mode=wrong"
rig_st 3 power "$T/dev.lua" off
expect_out "still powered"

# The switch answers "on" to an off (Tasmota's reply carries the state).
set_relay on
fault "on=switch&mode=wrong"
curl -fsS "http://127.0.0.1:$P/_fault?on=state&mode=wrong" >/dev/null
rig_st 3 power "$T/dev.lua" off

# Inside a run: the verdict is error (exit 3), recorded in the store and the
# JUnit report, and the password is in none of them.
scenario cut <<'LUA'
local dev = rig.device
dev:off()
rig.fail("not reached: the off cannot be confirmed")
LUA
set_relay on
fault "on=switch&mode=500"
rig_st 3 run "$T/cut.lua" --device "$T/dev.lua" --db "$T/r.db" --junit "$T/j.xml" -v
expect_out "^ERROR"
expect_out "power off failed: 3 attempts, none confirmed"
grep -q '<error' "$T/j.xml" || fail "junit has no <error>"
[ "$(sqlite3 "$T/r.db" "select verdict from runs")" = error ] || fail "stored verdict is not error"
sqlite3 "$T/r.db" "select detail from events where kind='power.http'" > "$T/ev"
grep -q '"phase":"read-back"' "$T/ev" || fail "no read-back event stored"
grep -q 'password=\*\*\*' "$T/ev" || fail "stored URLs are not redacted"
sqlite3 "$T/r.db" .dump > "$T/dump.sql"
for f in "$T/all" "$T/dump.sql" "$T/j.xml" "$T/r.db" "$T/ev"; do
	grep -aqF "$RIG_CANARY" "$f" && { grep -aF "$RIG_CANARY" "$f" | head -3; fail "the password leaked into $f"; }
done
# (the switch did receive it: every request above was authenticated)
grep -q 'auth=ok' "$T/sw.log" || fail "the password never reached the switch"
exit 0
