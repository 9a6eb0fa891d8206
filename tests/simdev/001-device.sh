# The simulated device itself: provisioning, its durable state (inspect), the
# two environment copies and what happens when they are torn, images.
set -eu
: "${RIG_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${RIG_SIM:=${RIG_BUILDDIR:-$RIG_SRCDIR/build}/rig-sim}"
command -v python3 >/dev/null || { echo "SKIP: python3"; exit 77; }
T=$(mktemp -d /tmp/rig-simdev.XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
json() { "$RIG_SIM" inspect --state "$T/s" | python3 -c "import json,sys; d=json.load(sys.stdin); print(($1))"; }
# boot the device for a moment on a pipe and keep what it printed
boot() { timeout "${1:-1}" "$RIG_SIM" boot --state "$T/s" </dev/null >"$T/console" 2>&1 || true; }

"$RIG_SIM" provision --state "$T/s" --version 1.0.0 2>/dev/null
[ "$(json 'd["slotA"]["version"], d["slotB"]["intact"], d["canaries_ok"], d["env"]["order"]')" = "('1.0.0', True, 4, 'AB')" ] ||
	fail "provisioned state: $("$RIG_SIM" inspect --state "$T/s")"
boot
grep -q "SIMBOOT 1.0 (hw revA)" "$T/console" || fail "no boot marker"
grep -q "booting slot A (good)" "$T/console" || fail "did not boot slot A"
grep -q "Simulated OS 1.0.0 (slot A)" "$T/console" || fail "no OS banner"
grep -q "sim login: " "$T/console" || fail "no login prompt"

# A torn copy (the one in force, seq 2): the other copy is used.
[ "$(json 'd["env_in_force"], d["env"]["seq"]')" = "(2, 2)" ] || fail "both copies after provisioning"
printf 'garbage' | dd of="$T/s/env2" bs=1 seek=100 conv=notrunc 2>/dev/null
boot
grep -q "env copy 1 seq 1 ok (other copy bad)" "$T/console" || { cat "$T/console"; fail "did not fall back to env copy 1"; }
# Both torn: the defined behaviour is to halt (a brick a lab must reflash).
printf 'garbage' | dd of="$T/s/env1" bs=1 seek=100 conv=notrunc 2>/dev/null
boot
grep -q "no valid environment (2 copies bad), halting" "$T/console" || { cat "$T/console"; fail "both invalid: no halt"; }

# Images: signature, hardware and digests are what the updater checks.
"$RIG_SIM" mkimage --version 2.0.0 -o "$T/good.img" >/dev/null
"$RIG_SIM" mkimage --version 2.0.0 --bad-signature -o "$T/bad.img" >/dev/null
cmp -s "$T/good.img" "$T/bad.img" && fail "bad signature image is identical"
[ "$(stat -c %s "$T/good.img")" = $((256 + 262144)) ] || fail "image size"
"$RIG_SIM" variants | python3 -c "import json,sys; v=json.load(sys.stdin); assert len(v) == 13 and v[0]['name'] == 'robust'" ||
	fail "variants"
"$RIG_SIM" boot --state "$T/s" --variant nonsense </dev/null >/dev/null 2>&1 && fail "unknown variant accepted"
echo ok
