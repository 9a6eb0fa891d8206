# Bytes the device wrote before a cut and the kernel still buffers are read
# after the next power-on; they must count as before it: no trigger or expect
# may match them. A device streaming at full speed, cut by a trigger 20 times.
. "$(dirname "$0")/lib.sh"
dev="$RIG_BUILDDIR/bench-noisedev"
[ -x "$dev" ] || skip "bench-noisedev not built"
cat >"$T/dev.lua" <<LUA
return { schema = 1, id = "streamer",
  power = { driver = "process", command = { "$dev", "$T/stamps", "0", "3" }, off_time = 0 },
  console = { driver = "process" }, shell = { kernel_filter = false } }
LUA
scenario cycles <<'LUA'
local dev = rig.device
for i = 1, 20 do
  local t = rig.arm{ when = "console", match = "TRIGGER-LINE" }
  local on = dev:on()
  local info = t:wait(10)
  rig.check(info and info.fired, "trigger %d did not fire", i)
  rig.check(info.t_read > on.t_start, "cycle %d: matched bytes read before its own power-on", i)
  rig.event("cycle", { i = i, t_act_done = info.t_act_done })
  dev:off()
end
LUA
run_rig 0 run "$T/cycles.lua" --device "$T/dev.lua" --db "$T/c.db"
expect_out "^PASS"
# and every cut came after the device wrote its trigger line
sqlite3 "$T/c.db" "select json_extract(detail, '$.t_act_done') from events where kind = 'cycle' order by id" >"$T/done" 2>/dev/null ||
	skip "sqlite3 not installed"
[ "$(wc -l <"$T/stamps")" -eq 20 ] || fail "expected 20 trigger lines written"
paste "$T/stamps" "$T/done" | awk '$2 < $1 { bad++ } END { exit bad ? 1 : 0 }' || fail "a cut came before its trigger line was written"
