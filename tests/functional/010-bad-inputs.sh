# Bad inputs give exit 2 naming the file and the line (or the key), and lose nothing.
. "$(dirname "$0")/lib.sh"

scenario ok <<'LUA'
rig.log("never mind")
LUA

# Lua syntax error in the scenario: file and line.
printf 'local x = 1\nlocal y = = 2\n' > "$T/syntax.lua"
run_rig 2 run "$T/syntax.lua" --device "$DEV"
expect_out "syntax.lua:2:"

# A runtime error in the scenario: file, line and a traceback.
printf 'local t = nil\n\nlocal z = t.field\n' > "$T/runtime.lua"
run_rig 2 run "$T/runtime.lua" --device "$DEV"
expect_out "runtime.lua:3: attempt to index a nil value"
expect_out "stack traceback"

# Missing scenario file.
run_rig 2 run "$T/nope.lua" --device "$DEV"
expect_out "nope.lua: cannot read"

# Missing device file.
run_rig 2 run "$T/ok.lua" --device "$T/nodev.lua"
expect_out "nodev.lua: cannot read"

# Unknown driver: the key and the expected names.
cat > "$T/dev-driver.lua" <<'LUA'
return { schema = 1, id = "d", power = { driver = "teleport" } }
LUA
run_rig 2 run "$T/ok.lua" --device "$T/dev-driver.lua"
expect_out "dev-driver.lua: power.driver: unknown power driver 'teleport' \(expected one of: .*command"

# Missing key.
cat > "$T/dev-missing.lua" <<'LUA'
return { schema = 1, power = { driver = "command", on = "true", off = "true" } }
LUA
run_rig 2 run "$T/ok.lua" --device "$T/dev-missing.lua"
expect_out "dev-missing.lua: missing key 'id'"

# Unknown key, with the keys that are expected.
cat > "$T/dev-unknown.lua" <<'LUA'
return { schema = 1, id = "d", pwoer = {}, power = { driver = "command", on = "true", off = "true" } }
LUA
run_rig 2 run "$T/ok.lua" --device "$T/dev-unknown.lua"
expect_out "dev-unknown.lua: unknown key 'pwoer' \(expected one of: schema, id"

# Wrong type inside a driver table.
cat > "$T/dev-type.lua" <<'LUA'
return { schema = 1, id = "d", power = { driver = "command", on = "true", off = "true", off_time = "soon" } }
LUA
run_rig 2 run "$T/ok.lua" --device "$T/dev-type.lua"
expect_out "dev-type.lua: power.off_time: expected an integer"

# Syntax error in the device file: file and line.
printf 'return {\n schema = 1,\n id = "x" "y"\n}\n' > "$T/dev-syntax.lua"
run_rig 2 run "$T/ok.lua" --device "$T/dev-syntax.lua"
expect_out "dev-syntax.lua:3:"

# Unreadable artifact.
run_rig 2 run "$T/ok.lua" --device "$DEV" --artifact "$T/missing.img"
expect_out "artifact 'target': cannot read .*missing.img"

# A misuse of the API names the scenario line.
printf 'rig.log("a")\nrig.artifact("nothing")\n' > "$T/misuse.lua"
run_rig 2 run "$T/misuse.lua" --device "$DEV"
expect_out "misuse.lua:2:.*no artifact named 'nothing'"

# The sandbox: no os.execute, io or popen.
printf 'os.execute("touch %s/pwned")\n' "$T" > "$T/sandbox.lua"
run_rig 2 run "$T/sandbox.lua" --device "$DEV"
expect_out "sandbox.lua:1: attempt to call a nil value \(field 'execute'\)"
[ ! -e "$T/pwned" ] || fail "os.execute ran"
printf 'io.open("/etc/passwd")\n' > "$T/sandbox2.lua"
run_rig 2 run "$T/sandbox2.lua" --device "$DEV"
expect_out "sandbox2.lua:1: attempt to index a nil value \(global 'io'\)"
printf 'load(string.dump(function() end))()\n' > "$T/sandbox3.lua"
run_rig 2 run "$T/sandbox3.lua" --device "$DEV"
expect_out "sandbox3.lua:1:"
