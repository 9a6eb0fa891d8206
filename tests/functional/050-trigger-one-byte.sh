# A console trigger fed one byte per write still fires, in C, with its
# timestamps in order: bytes read <= match <= actuation start <= done.
. "$(dirname "$0")/lib.sh"
scenario trickle <<'LUA'
local dev = rig.device
dev:on()
assert(dev:boot())
local t = rig.arm{ when = "console", match = "CUT-ME-NOW", action = "cut", label = "trickle" }
dev:sendline("trickle xxWON-EM-TUCxx")
local info = t:wait(10)
rig.check(info and info.fired, "trigger did not fire: %s", info and info.state or "timeout")
rig.check(info.match == "CUT-ME-NOW", "match %q", tostring(info.match))
rig.check(info.t_read > 0 and info.t_read <= info.t_match, "t_read <= t_match")
rig.check(info.t_match <= info.t_fire and info.t_fire <= info.t_act_start, "t_match <= t_fire <= t_act_start")
rig.check(info.t_act_start <= info.t_act_done, "t_act_start <= t_act_done")
local on, off = dev:power_counts()
rig.check(off == 1, "the trigger switched power off once (%d)", off)
-- It does not fire twice, and it consumed nothing: the text is still there.
rig.check(dev:expect("CUT-ME-NOW", 1), "the trigger consumed console text")
rig.log("latency %.3f ms", (info.t_act_done - info.t_read) / 1e6)
LUA
run_rig 0 run "$T/trickle.lua" --device "$DEV" -v
cat "$T/out"
expect_out "^PASS"
expect_out "trigger.done"
