# A device in use is locked: a second run is refused (exit 3, naming the
# holder) and `rig console` attaches read-only through the owning rig.
. "$(dirname "$0")/lib.sh"
need python3
scenario hold <<'LUA'
local dev = rig.device
dev:on()
assert(dev:boot())
for i = 1, 40 do
  dev:run("echo tick " .. i)
  rig.sleep(0.1)
end
LUA
"$RIG" run "$T/hold.lua" --device "$DEV" >"$T/hold.out" 2>&1 &
pid=$!
for i in $(seq 50); do
	[ -S "$RIG_RUNTIME_DIR/fake-1.sock" ] && break
	sleep 0.1
done
[ -S "$RIG_RUNTIME_DIR/fake-1.sock" ] || fail "the owning rig has no viewer socket"
run_rig 3 run "$T/hold.lua" --device "$DEV"
expect_out "device 'fake-1' is in use \(pid $pid on"
# A read-only viewer sees the console through the owner.
timeout 2 "$RIG" console "$DEV" >"$T/view.out" 2>"$T/view.err" </dev/null || true
grep -q "attached read-only" "$T/view.err" || { cat "$T/view.err"; fail "console did not attach read-only"; }
grep -q "tick" "$T/view.out" || { cat "$T/view.out"; fail "viewer saw no console bytes"; }
wait $pid || { cat "$T/hold.out"; fail "the owning run failed"; }
grep -q "^PASS" "$T/hold.out" || fail "owning run did not pass"
# Once released, the device can be used again.
scenario quick <<'LUA'
rig.log("free again")
LUA
run_rig 0 run "$T/quick.lua" --device "$DEV"
