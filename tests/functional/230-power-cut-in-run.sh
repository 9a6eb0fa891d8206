# A scenario's console trigger cuts the power through the http and the
# serial-relay drivers, and the cut reaches the switch / the board between
# the trigger firing and the driver reporting done. While a network switch
# takes 1.5 s to answer, the loop is not blocked: a console trigger still
# fires at once.
. "$(dirname "$0")/lib.sh"
need python3
need curl
bg python3 "$FT/ptychat.py" "$T/con"
bg python3 "$FT/fakeswitch.py" --port-file "$T/port" --log "$T/sw.log"
bg python3 "$FT/fakerelay.py" --link "$T/relay" --log "$T/relay.log" --query FF
wait_file "$T/con"
wait_file "$T/port"
wait_file "$T/relay"
P=$(cat "$T/port")
hexof() { printf '%s' "$1" | od -An -tx1 | tr -d '\n' | sed 's/^ //'; }
cat > "$T/http.lua" <<LUA
return { schema = 1, id = "cut-http",
         power = { driver = "http", profile = "shelly1", url = "http://127.0.0.1:$P", channel = 0, off_time = 0, timeout = 3000 },
         console = { driver = "serial", path = "$T/con" } }
LUA
cat > "$T/relay.lua" <<LUA
return { schema = 1, id = "cut-relay",
         power = { driver = "serial-relay", port = "$T/relay", channel = 3, query = "FF",
                   reply_on = "$(hexof CH3:ON)", reply_off = "$(hexof CH3:OFF)", off_time = 0 },
         console = { driver = "serial", path = "$T/con" } }
LUA
scenario cut <<'LUA'
local dev = rig.device
dev:on()
local t = rig.arm{ when = "console", match = "MARK-\\d+", action = "cut", label = "cut" }
local info = t:wait(5)
rig.check(info and info.fired, "the trigger did not fire")
local on, off = dev:power_counts()
rig.check(off == 1, "the trigger switched power off %d times", off)
rig.check(info.t_read <= info.t_fire and info.t_fire <= info.t_act_start and info.t_act_start <= info.t_act_done,
          "timestamps out of order")
rig.log("CUT fire=%d start=%d done=%d", info.t_fire, info.t_act_start, info.t_act_done)
rig.log("latency %.3f ms", (info.t_act_done - info.t_read) / 1e6)
LUA
# between FROM and TO (ns) the log FILE has a line matching RE
in_window() { awk -v a="$2" -v b="$3" -v re="$4" '$0 ~ re && $1 >= a && $1 <= b { n++ } END { exit n ? 0 : 1 }' "$1"; }

run_rig 0 run "$T/cut.lua" --device "$T/http.lua" -v
expect_out "^PASS"
echo "http: $(grep -o "latency [0-9.]* ms" "$T/out")"
read -r fire start done <<EOF
$(sed -n 's/.*CUT fire=\([0-9]*\) start=\([0-9]*\) done=\([0-9]*\).*/\1 \2 \3/p' "$T/out")
EOF
[ -n "$done" ] || fail "no trigger times in the output"
in_window "$T/sw.log" "$fire" "$done" "shelly1 switch 0 off" || { cat "$T/sw.log"; fail "the off request did not reach the switch between fire and done"; }
# done is the switch's reply; the read-back that confirmed it comes next
grep -A1 "shelly1 switch 0 off" "$T/sw.log" | tail -1 | grep -q "shelly1 state 0 - .* off$" || { cat "$T/sw.log"; fail "the off was not read back"; }
grep -q 'precision.*HTTP reply' "$T/out" || fail "the http precision is not on the timeline"

run_rig 0 run "$T/cut.lua" --device "$T/relay.lua" -v
expect_out "^PASS"
echo "serial-relay: $(grep -o "latency [0-9.]* ms" "$T/out")"
read -r fire start done <<EOF
$(sed -n 's/.*CUT fire=\([0-9]*\) start=\([0-9]*\) done=\([0-9]*\).*/\1 \2 \3/p' "$T/out")
EOF
# done is when the frame was written; the board reads it a moment later
in_window "$T/relay.log" "$fire" "$((done + 500000000))" "frame A0 03 00 A3 ch=3 state=off" || { cat "$T/relay.log"; fail "the off frame did not reach the board after the trigger"; }

# A slow switch does not block the loop: a console trigger fires during the
# 1.5 s the switch takes to answer the power-on.
curl -fsS "http://127.0.0.1:$P/_fault?on=switch&mode=slow&ms=1500" >/dev/null
scenario slow <<'LUA'
local dev = rig.device
local t = rig.arm{ when = "console", match = "MARK-\\d+", action = "mark", label = "during" }
local on = dev:on()
local info = t:info()
rig.check(info.fired, "the trigger did not fire while the switch was slow")
rig.check(on.t_done - on.t_start >= 1.4e9, "the switch answered in %.0f ms", (on.t_done - on.t_start) / 1e6)
rig.check(info.t_fire < on.t_start + 0.5e9, "the trigger fired %.0f ms into a 1500 ms request",
          (info.t_fire - on.t_start) / 1e6)
rig.log("fired %.1f ms into the slow request", (info.t_fire - on.t_start) / 1e6)
LUA
run_rig 0 run "$T/slow.lua" --device "$T/http.lua" -v
expect_out "^PASS"
expect_out "fired [0-9.]+ ms into the slow request"
echo "slow switch: $(grep -o 'fired.*request' "$T/out")"
exit 0
