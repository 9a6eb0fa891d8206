# A match from before a power-on never satisfies an expect after it: the
# cursor moves to the end of the console at power-on.
. "$(dirname "$0")/lib.sh"
export FAKEDEV_ARGS="--dead-if $T/dead"
scenario stale <<LUA
local dev = rig.device
dev:on()
-- Consume only the boot marker: "fake login:" stays unread in the buffer.
rig.check(dev:expect("FAKEBOOT", 10), "first boot marker")
rig.check(dev:expect("Fake OS", 10), "first boot banner")
rig.sleep(0.3)
-- The board will not print anything at its next power-on.
rig.host("touch $T/dead")
dev:cycle()
local hit, err = dev:expect("login: \$", 1.5)
rig.check(hit == nil and err == "timeout", "a stale login prompt satisfied an expect after power-on")
rig.log("the stale prompt was ignored")
LUA
run_rig 0 run "$T/stale.lua" --device "$DEV" -v
expect_out "^PASS"
expect_out "the stale prompt was ignored"

# The control: without a power-on in between, the same unread prompt matches.
scenario control <<'LUA'
local dev = rig.device
dev:on()
rig.check(dev:expect("FAKEBOOT", 10), "marker")
rig.sleep(0.5)
rig.check(dev:expect("login: $", 1), "unread prompt still there without a power-on")
LUA
rm -f "$T/dead"
run_rig 0 run "$T/control.lua" --device "$DEV"
expect_out "^PASS"
