# A written trigger on a power driver that counts no writes, and `partition`
# on a trigger that is not a written one: both are refused at the arm, with
# the driver's name, before anything is switched.
. "$(dirname "$0")/lib.sh"
scenario refused <<'LUA'
local ok, err = pcall(rig.arm, { when = "written", bytes = 1 })
rig.check(not ok and tostring(err):find("counts no writes", 1, true), "whole drive: %s", tostring(err))
ok, err = pcall(rig.arm, { when = "written", bytes = 1, partition = "boot" })
rig.check(not ok and tostring(err):find("counts no writes", 1, true), "partition: %s", tostring(err))
ok, err = pcall(rig.arm, { when = "console", match = "x", partition = "boot" })
rig.check(not ok and tostring(err):find("'partition' belongs to a written trigger", 1, true), "console: %s",
          tostring(err))
local on, off = rig.device:power_counts()
rig.check(on == 0, "a refused arm switched power (%d on)", on)
LUA
run_rig 0 run "$T/refused.lua" --device "$DEV" -v
expect_out "^PASS"
