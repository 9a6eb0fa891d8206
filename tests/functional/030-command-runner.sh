# The command runner returns output and exit status despite echo, CRLF, ANSI,
# bracketed paste and kernel lines printed in the middle of the output; login
# is retried when the getty flushed the first attempt.
. "$(dirname "$0")/lib.sh"
export FAKEDEV_ARGS="--hostile --flush-login 2 --garbage --seed 7"
scenario runner <<'LUA'
local dev = rig.device
dev:on()
assert(dev:wait_boot(), "boot")
assert(dev:login(), "login")
for i = 1, 20 do
  local out, st = dev:run("echo hello world " .. i)
  rig.check(out == "hello world " .. i, "run %d: output %q", i, tostring(out))
  rig.check(st == 0, "run %d: status %s", i, tostring(st))
end
local out, st = dev:run("false")
rig.check(out == "" and st == 1, "false: %q %s", tostring(out), tostring(st))
out, st = dev:run("nosuchcmd")
rig.check(st == 127 and out:match("not found"), "127: %q %s", tostring(out), tostring(st))
out, st = dev:run("noise 30")
local n = 0
for line in out:gmatch("[^\n]+") do
  n = n + 1
  rig.check(line:match("^noise line %d+ x*$"), "noise line %q", line)
end
rig.check(n == 30, "30 noise lines, got %d", n)
rig.check(dev:version() == "1.0", "version")
-- Several commands on one line keep their statuses apart.
out, st = dev:run("true; false")
rig.check(st == 1, "status of the last command")
LUA
run_rig 0 run "$T/runner.lua" --device "$DEV" --seed 3
expect_out "^PASS"
