# A failing power command is the lab's failure: verdict `error`, exit 3.
. "$(dirname "$0")/lib.sh"
cat > "$T/dev.lua" <<'LUA'
return { schema = 1, id = "badpsu",
         power = { driver = "command", on = "echo relay stuck >&2; exit 3", off = "true", off_time = 0 } }
LUA
scenario s <<'LUA'
rig.device:on()
rig.fail("not reached")
LUA
run_rig 3 run "$T/s.lua" --device "$T/dev.lua" --junit "$T/junit.xml"
expect_out "^ERROR +.*s.lua on badpsu"
expect_out "power on failed: .*relay stuck"
grep -q '<error' "$T/junit.xml" || fail "junit has no <error>"

# A power command that hangs is killed at its timeout, and that is an error too.
cat > "$T/dev2.lua" <<'LUA'
return { schema = 1, id = "slowpsu",
         power = { driver = "command", on = "sleep 30", off = "true", timeout = 300, off_time = 0 } }
LUA
run_rig 3 run "$T/s.lua" --device "$T/dev2.lua"
expect_out "timed out"
