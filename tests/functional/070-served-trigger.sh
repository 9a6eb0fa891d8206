# "Cut when the artifact server has sent N bytes": the server stops at exactly
# N, the cut happens from inside the loop, and the client never gets more.
. "$(dirname "$0")/lib.sh"
need curl
head -c 1048576 /dev/urandom > "$T/big.img"
scenario served <<LUA
local dev = rig.device
dev:on()
assert(dev:boot())
local a = rig.artifact("target")
rig.check(a.size == 1048576, "size")
local t = rig.arm{ when = "served", artifact = "target", bytes = 300000 }
local code, out = rig.host({ "curl", "-s", "-o", "$T/got.img", "--max-time", "3", a.url }, 10)
local info = t:wait(1)
rig.check(info and info.fired, "served trigger did not fire")
rig.check(info.offset == 300000, "offset %d", info.offset)
local on, off = dev:power_counts()
rig.check(off == 1, "power cut")
-- Half: the fraction form, after clearing.
local t2 = rig.arm{ when = "served", artifact = "target", fraction = 0.5, action = "mark" }
code, out = rig.host({ "curl", "-s", "-o", "$T/got2.img", "--max-time", "3", a.url }, 10)
rig.check(t2:wait(1).fired, "fraction trigger")
rig.check(t2:info().offset == 524288, "fraction offset")
LUA
run_rig 0 run "$T/served.lua" --device "$DEV" --artifact "$T/big.img" -v
expect_out "^PASS"
size=$(stat -c %s "$T/got.img")
[ "$size" -le 300000 ] || fail "the client received $size bytes, past the cut at 300000"
[ "$size" -gt 0 ] || fail "the client received nothing"
cmp -n "$size" "$T/got.img" "$T/big.img" || fail "bytes differ"
