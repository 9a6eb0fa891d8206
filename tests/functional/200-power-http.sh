# Power driver http: rig power on/off/status with every profile against a
# fake switch on 127.0.0.1 (tests/functional/fakeswitch.py), with the
# password from the environment or a file; an off is read back where the
# profile can; the password reaches the switch and nothing else.
. "$(dirname "$0")/lib.sh"
need python3
need curl
export RIG_CANARY="CANARY-s3cr3t-9f2"
printf '%s\n' "$RIG_CANARY" > "$T/secret"
bg python3 "$FT/fakeswitch.py" --port-file "$T/port" --log "$T/sw.log" --user admin --password "$RIG_CANARY"
wait_file "$T/port"
P=$(cat "$T/port")
: > "$T/all"
rig_ok() { run_rig 0 "$@"; cat "$T/out" >> "$T/all"; }

dev() {   # dev NAME PROFILE EXTRA-LUA
	cat > "$T/$1.lua" <<LUA
return { schema = 1, id = "sw-$1",
         power = { driver = "http", profile = "$2", url = "http://127.0.0.1:$P", off_time = 0, $3 } }
LUA
}
dev tasmota tasmota 'user = "admin", password_env = "RIG_CANARY"'
dev tasmota2 tasmota 'user = "admin", password_file = "'"$T/secret"'", channel = 2'
dev shelly1 shelly1 'user = "admin", password_env = "RIG_CANARY", channel = 1'
dev shelly2 shelly2 'user = "admin", password_env = "RIG_CANARY"'
dev generic generic 'user = "admin", password_env = "RIG_CANARY", channel = 3,
  on_url = "/generic/{channel}", off_url = "/generic/{channel}", on_body = [[{"state":"{state}"}]],
  off_body = [[{"state":"{state}"}]], state_url = "/generic/{channel}", state_on = "relay: ON", state_off = "relay: OFF"'

for d in tasmota tasmota2 shelly1 shelly2 generic; do
	: > "$T/sw.log"
	rig_ok power "$T/$d.lua" on
	expect_out "^on  done after .*precision: the switch's HTTP reply"
	rig_ok power "$T/$d.lua" status
	expect_out "^on$"
	rig_ok power "$T/$d.lua" off
	rig_ok power "$T/$d.lua" status
	expect_out "^off$"
	# on; status; off then its read-back; status — every request authenticated
	kinds=$(awk '$NF != "401" { printf "%s-%s ", $3, $5 }' "$T/sw.log")
	[ "$kinds" = "switch-on state-- switch-off state-- state-- " ] || { cat "$T/sw.log"; fail "$d: requests: $kinds"; }
	grep -v ' 401$' "$T/sw.log" | grep -qv 'auth=ok' && { cat "$T/sw.log"; fail "$d: a request without the password"; }
	case $d in
	tasmota2) grep -q 'tasmota switch 2 ' "$T/sw.log" || fail "tasmota channel 2 not used" ;;
	shelly1) grep -q 'shelly1 switch 1 ' "$T/sw.log" || fail "shelly1 channel 1 not used" ;;
	shelly2) grep -q 'shelly2 switch 0 .* 401$' "$T/sw.log" || fail "shelly2 did not go through digest auth" ;;
	esac
done

# pdudaemon: no read-back; the off is not confirmed but the request is accepted.
cat > "$T/pdu.lua" <<LUA
return { schema = 1, id = "sw-pdu",
         power = { driver = "http", profile = "pdudaemon", host = "127.0.0.1:$P", pdu = "pdu-3", channel = 5, off_time = 0 } }
LUA
: > "$T/sw.log"
rig_ok power "$T/pdu.lua" cycle
expect_out "^off done .*precision: pdudaemon accepted the request into its queue"
[ "$(awk '{ printf "%s-%d-%s ", $2, $4, $5 }' "$T/sw.log")" = "pdudaemon-5-off pdudaemon-5-on " ] || { cat "$T/sw.log"; fail "pdudaemon requests"; }
run_rig 2 power "$T/pdu.lua" status
expect_out "cannot read back"

# A wrong password is refused by the switch: an infrastructure error, and the
# password is still not shown.
RIG_CANARY="CANARY-wrong-0000" run_rig 3 power "$T/tasmota.lua" on
expect_out "HTTP 401"
grep -q "CANARY-wrong" "$T/out" && fail "the wrong password was printed"

# Configuration errors are reported as such.
cat > "$T/bad.lua" <<LUA
return { schema = 1, id = "bad", power = { driver = "http", profile = "tasmota", url = "http://admin:$RIG_CANARY@127.0.0.1:$P" } }
LUA
run_rig 3 power "$T/bad.lua" on
expect_out "credentials in the URL are not accepted"
cat "$T/out" >> "$T/all"
cat > "$T/bad2.lua" <<'LUA'
return { schema = 1, id = "bad2", power = { driver = "http", profile = "tasmota", host = "127.0.0.1", password_env = "RIG_NO_SUCH_VAR" } }
LUA
run_rig 3 power "$T/bad2.lua" on
expect_out "RIG_NO_SUCH_VAR is not set"
cat > "$T/bad3.lua" <<'LUA'
return { schema = 1, id = "bad3", power = { driver = "http", profile = "generic", host = "127.0.0.1", on_url = "/a", off_url = "/b", state_url = "/s", state_on = "ON" } }
LUA
run_rig 3 power "$T/bad3.lua" on
expect_out "state_url needs both state_on and state_off"

# A long password with characters a URL must escape: Tasmota gets it escaped
# in its query string, and no piece of it is ever shown, even when the switch
# echoes the URL back in an error page that is cut for the message.
export RIG_CANARY2='C&N=RY %s3cr3t/+?-and-a-long-tail-that-the-80-char-excerpt-cuts'
esc='C%26N%3DRY%20%25s3cr3t'
bg python3 "$FT/fakeswitch.py" --port-file "$T/port2" --log "$T/sw2.log" --user admin --password "$RIG_CANARY2"
wait_file "$T/port2"
P2=$(cat "$T/port2")
cat > "$T/esc.lua" <<LUA
return { schema = 1, id = "sw-esc", power = { driver = "http", profile = "tasmota", url = "http://127.0.0.1:$P2",
         user = "admin", password_env = "RIG_CANARY2", off_time = 0, retries = 0 } }
LUA
run_rig 0 power "$T/esc.lua" on
grep -q 'switch 1 on auth=ok 200' "$T/sw2.log" || { cat "$T/sw2.log"; fail "the escaped password was not accepted"; }
curl -fsS "http://127.0.0.1:$P2/_fault?on=switch&mode=500" >/dev/null
run_rig 3 power "$T/esc.lua" off
expect_out "HTTP 500: internal error at /cm\?user=admin&password=\*\*\*&cmnd=Power%20Off"
grep -qF -e "$esc" -e "s3cr3t" -e "long-tail" "$T/out" && { cat "$T/out"; fail "a piece of the escaped password leaked"; }

grep -qF "$RIG_CANARY" "$T/all" && { grep -F "$RIG_CANARY" "$T/all"; fail "the password appeared in rig's output"; }
exit 0
