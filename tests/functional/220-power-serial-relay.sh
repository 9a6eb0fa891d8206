# Power driver serial-relay against an emulated USB relay board on a pty
# (tests/functional/fakerelay.py): LCUS frames with their checksum, byte
# sequences, read-back by query; a stuck relay, a silent board and an
# unplugged board are infrastructure errors (exit 3).
. "$(dirname "$0")/lib.sh"
need python3
# CH<n>:ON / CH<n>:OFF in hex
hexof() { printf '%s' "$1" | od -An -tx1 | tr -d '\n' | sed 's/^ //'; }
board() {   # board NAME ARGS... — start an emulated board linked at $T/NAME
	bg python3 "$FT/fakerelay.py" --link "$T/$1" --log "$T/$1.log" "${@:2}"
	wait_file "$T/$1"
}
dev() {     # dev NAME BOARD EXTRA-LUA
	cat > "$T/$1.lua" <<LUA
return { schema = 1, id = "relay-$1", power = { driver = "serial-relay", port = "$T/$2", off_time = 0, $3 } }
LUA
}
frames() { awk '{ printf "%s:%s %s %s %s:%s ", $2, $3, $4, $5, $6, $7 }' "$T/$1.log"; }
Q="query = 'FF', reply_on = '$(hexof CH2:ON)', reply_off = '$(hexof CH2:OFF)'"

# LCUS, channel 2, with read-back.
board b1 --query FF
dev lcus b1 "channel = 2, $Q"
run_rig 0 power "$T/lcus.lua" on
expect_out "^on  done after .*precision: the frame was handed to the tty driver"
run_rig 0 power "$T/lcus.lua" status
expect_out "^on$"
run_rig 0 power "$T/lcus.lua" off
run_rig 0 power "$T/lcus.lua" status
expect_out "^off$"
got=$(awk '{ $1 = ""; print }' "$T/b1.log" | tr '\n' '|')
want=" frame A0 02 01 A3 ch=2 state=on| query FF| frame A0 02 00 A2 ch=2 state=off| query FF| query FF|"
[ "$got" = "$want" ] || fail "lcus: the board saw '$got', expected '$want'"
grep -q '^[0-9]* bad' "$T/b1.log" && fail "the board rejected a frame"

# LCUS without a query: switching works, status cannot be read.
dev noq b1 "channel = 4"
run_rig 0 power "$T/noq.lua" cycle
grep -q 'frame A0 04 00 A4 ch=4 state=off' "$T/b1.log" || fail "no off frame for channel 4"
grep -q 'frame A0 04 01 A5 ch=4 state=on' "$T/b1.log" || fail "no on frame for channel 4"
run_rig 2 power "$T/noq.lua" status
expect_out "cannot read back"

# Byte sequences (a Modbus-style board), with read-back.
board b2 --on "FE 05 00 00 FF 00" --off "FE 05 00 00 00 00" --query "FF"
dev bytes b2 "protocol = 'bytes', on = 'FE 05 00 00 FF 00', off = 'fe:05:00:00:00:00', query = 'FF', reply_on = '$(hexof CH1:ON)', reply_off = '$(hexof CH1:OFF)'"
run_rig 0 power "$T/bytes.lua" on
run_rig 0 power "$T/bytes.lua" off
run_rig 0 power "$T/bytes.lua" status
expect_out "^off$"
[ "$(grep -c ' bytes ' "$T/b2.log")" = 2 ] || { cat "$T/b2.log"; fail "the board did not get both sequences"; }

# A stuck relay: the frame went out, the board still reads back on.
board b3 --query FF --stuck --initial on
dev stuck b3 "channel = 2, $Q"
run_rig 3 power "$T/stuck.lua" off
expect_out "off failed: .*the frame was sent but the board reads back on \(reply .*43 48 32 3A 4F 4E"
grep -q 'frame A0 02 00 A2' "$T/b3.log" || fail "the off frame was not sent"

# A board that does not answer its query: the off is not confirmed.
board b4 --query FF --silent
dev silent b4 "channel = 2, timeout = 300, $Q"
run_rig 3 power "$T/silent.lua" off
expect_out "off failed: .*no state reply within 300 ms \(received: nothing\)"

# The board is unplugged in the middle of a run: an error, not a verdict.
board b5 --vanish-after 1
dev gone b5 ""
scenario unplug <<'LUA'
local dev = rig.device
dev:on()
rig.sleep(0.3)
dev:off()
rig.fail("not reached: the relay board is gone")
LUA
run_rig 3 run "$T/unplug.lua" --device "$T/gone.lua" -v
expect_out "^ERROR"
expect_out "power off failed: .*(no such port|went away|write failed)"

# Bad options are refused with the key and what was expected.
dev badhex b1 "protocol = 'bytes', on = 'A0 0', off = 'A0 01'"
run_rig 3 power "$T/badhex.lua" on
expect_out "power.on: expected hex bytes"
dev badmix b1 "on = 'A0 01 01 A2'"
run_rig 3 power "$T/badmix.lua" on
expect_out "only with protocol = .bytes."
dev badq b1 "query = 'FF', reply_on = 'AA'"
run_rig 3 power "$T/badq.lua" on
expect_out "query needs both reply_on and reply_off"
exit 0
