# A runaway scenario hits its instruction budget; a slow one its deadline.
. "$(dirname "$0")/lib.sh"
printf 'local n = 0\nwhile true do n = n + 1 end\n' > "$T/loop.lua"
run_rig 3 run "$T/loop.lua" --device "$DEV"
expect_out "instruction budget"
printf 'rig.device:on()\nrig.sleep(60)\n' > "$T/slow.lua"
run_rig 3 run "$T/slow.lua" --device "$DEV" --timeout 1
expect_out "run deadline of 1 s exceeded"
# SIGTERM ends a run as error and leaves nothing running.
printf 'rig.device:on()\nrig.sleep(60)\n' > "$T/term.lua"
"$RIG" run "$T/term.lua" --device "$DEV" >"$T/out" 2>&1 &
pid=$!
sleep 1
kill -TERM $pid
set +e; wait $pid; st=$?; set -e
[ "$st" = 3 ] || { cat "$T/out"; fail "SIGTERM: exit $st, expected 3"; }
expect_out "terminated \(SIGTERM\)"
! pgrep -f "fakedev.py" -P $pid >/dev/null 2>&1 || fail "the device process survived"
