# Power honesty: a cut that must land within less than the power driver's
# precision is refused (an error, not a verdict); an off that the read-back
# says did not happen is an error ("still powered"), not a verdict on the
# device.
. "$(dirname "$0")/lib.sh"
need python3
# The command driver: "done" is the off command's exit, the relay's own time is unknown.
cat >"$T/dev.lua" <<LUA
return { schema = 1, id = "relay-board",
         power = { driver = "command", on = "echo on > $T/state", off = "echo off > $T/state",
                   status = "cat $T/state", off_time = 0 },
         console = { driver = "process" } }
LUA
sed -i 's/console = { driver = "process" } }/}/' "$T/dev.lua"
scenario precise <<'LUA'
local t = rig.arm{ when = "timer", after = 0.05, within = 0.005, label = "tight" }
rig.fail("a 5 ms cut was armed on a driver that cannot promise it")
LUA
run_rig 3 run "$T/precise.lua" --device "$T/dev.lua"
expect_out "^ERROR"
expect_out "must land within 5.000 ms, but the command power driver is precise to"
expect_out "refused"
# the same with --set within=0.5: allowed, the timer cut happens
scenario loose <<'LUA'
local t = rig.arm{ when = "timer", after = 0.05, label = "loose" }
local info = t:wait(5)
rig.check(info and info.fired, "the cut fired")
rig.check(rig.device:power_state() == "off", "read back off")
rig.pass("cut")
LUA
run_rig 0 run "$T/loose.lua" --device "$T/dev.lua" --set within=0.5 -v
expect_out "power.verified +\{\"state\":\"off\"\}"
# a welded relay: the off command succeeds, the status still says on
cat >"$T/dev2.lua" <<LUA
return { schema = 1, id = "welded-board",
         power = { driver = "command", on = "true", off = "true", status = "echo on", off_time = 0 } }
LUA
scenario cut <<'LUA'
rig.device:on()
rig.device:off()
rig.fail("an off the read-back denies was accepted")
LUA
run_rig 3 run "$T/cut.lua" --device "$T/dev2.lua" -v
expect_out "still powered after off: the command driver reads the device back as on"
expect_out "^ERROR"
