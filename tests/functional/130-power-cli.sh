# rig power: on, off, cycle, status through the driver, honouring off_time;
# a device's minimum off time holds inside runs too.
. "$(dirname "$0")/lib.sh"
cat >"$T/dev.lua" <<LUA
return { schema = 1, id = "psu-1",
         power = { driver = "command", on = "echo on > $T/state; date +%s%N >> $T/log",
                   off = "echo off > $T/state; date +%s%N >> $T/log", status = "cat $T/state",
                   off_time = 700 } }
LUA
run_rig 0 power "$T/dev.lua" on
expect_out "^on  done after"
run_rig 0 power "$T/dev.lua" status
expect_out "^on$"
run_rig 0 power "$T/dev.lua" cycle
expect_out "^off done"
expect_out "^on  done"
off=$(sed -n 2p "$T/log"); on=$(sed -n 3p "$T/log")
[ $(((on - off) / 1000000)) -ge 690 ] || fail "power came back after $(((on - off) / 1000000)) ms, off_time is 700"
run_rig 0 power "$T/dev.lua" status
expect_out "^on$"
run_rig 0 power "$T/dev.lua" off
run_rig 0 power "$T/dev.lua" status
expect_out "^off$"
run_rig 2 power "$T/dev.lua" sideways
expect_out "expected on, off, cycle or status"
scenario cyc <<'LUA'
local dev = rig.device
local off = dev:off()
local on = dev:on()
rig.check(on.t_start - off.t_done >= 700e6, "off for only %.0f ms", (on.t_start - off.t_done) / 1e6)
rig.check(dev:power_state() == "on", "read back")
LUA
run_rig 0 run "$T/cyc.lua" --device "$T/dev.lua"

# The declared safe state is where the rig leaves a device, also when the run
# fails or is interrupted.
cat >"$T/safe.lua" <<LUA
return { schema = 1, id = "psu-2",
         power = { driver = "command", on = "echo on > $T/state2", off = "echo off > $T/state2",
                   off_time = 0, safe = "off" } }
LUA
scenario failing <<'LUA'
rig.device:on()
rig.fail("the device misbehaved")
LUA
run_rig 1 run "$T/failing.lua" --device "$T/safe.lua" -v
[ "$(cat "$T/state2")" = off ] || fail "not left in its safe state after a failed run"
expect_out "power.safe"
scenario slow <<'LUA'
rig.device:on()
rig.sleep(30)
LUA
"$RIG" run "$T/slow.lua" --device "$T/safe.lua" >"$T/out" 2>&1 &
pid=$!
for i in $(seq 50); do [ "$(cat "$T/state2" 2>/dev/null)" = on ] && break; sleep 0.1; done
kill -INT $pid
set +e; wait $pid; st=$?; set -e
[ "$st" = 3 ] || { cat "$T/out"; fail "SIGINT: exit $st"; }
[ "$(cat "$T/state2")" = off ] || fail "not left in its safe state after SIGINT"
cat >"$T/badsafe.lua" <<LUA
return { schema = 1, id = "psu-3", power = { driver = "command", on = "true", off = "true", safe = "maybe" } }
LUA
run_rig 2 run "$T/failing.lua" --device "$T/badsafe.lua"
expect_out "power.safe: expected off, on or keep, got 'maybe'"
