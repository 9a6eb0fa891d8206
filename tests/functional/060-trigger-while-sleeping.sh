# A trigger fires while the scenario sleeps, and its actuation is timestamped
# before Lua resumes; a delayed trigger waits its delay.
. "$(dirname "$0")/lib.sh"
export FAKEDEV_ARGS="--stamp $T/stamps"
scenario sleeper <<'LUA'
local dev = rig.device
dev:on()
assert(dev:boot())
local t = rig.arm{ when = "console", match = "MARK-PRINTED", delay = 0.2 }
dev:sendline("stamp mark DETNIRP-KRAM")
rig.sleep(1.5)
local resumed = rig.now_ns()
local info = t:info()
rig.check(info.fired, "trigger did not fire while the scenario slept (%s)", info.state)
rig.check(info.t_act_done < resumed, "actuation timestamped after Lua resumed")
rig.check(info.t_fire - info.t_match >= 200000000, "delay of 0.2 s not honoured: %d ns", info.t_fire - info.t_match)
rig.event("check", { t_read = info.t_read, t_act_done = info.t_act_done, resumed = resumed })
LUA
run_rig 0 run "$T/sleeper.lua" --device "$DEV" -v
expect_out "^PASS"
# The device's own stamp (CLOCK_MONOTONIC) precedes the rig's read of the line.
mark=$(awk '$1=="mark"{print $2}' "$T/stamps")
read_ns=$(grep -o '"t_read":[0-9]*' "$T/out" | head -1 | cut -d: -f2)
[ -n "$mark" ] && [ -n "$read_ns" ] || fail "missing timestamps"
[ "$read_ns" -ge "$mark" ] || fail "read ($read_ns) before the device printed ($mark)"
[ $((read_ns - mark)) -lt 1000000000 ] || fail "read a second after the device printed"

# A timer trigger fires on its own while the scenario waits on something else.
scenario timer <<'LUA'
local dev = rig.device
dev:on()
assert(dev:boot())
local t = rig.arm{ when = "timer", after = 0.3 }
local hit = dev:expect("never printed", 2)
rig.check(not hit, "expect")
rig.check(t:info().fired, "timer trigger")
local on, off = dev:power_counts()
rig.check(off == 1, "power cut once")
LUA
run_rig 0 run "$T/timer.lua" --device "$DEV"
expect_out "^PASS"
