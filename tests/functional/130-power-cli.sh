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
