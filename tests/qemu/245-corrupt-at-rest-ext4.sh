# The at-rest editor on the ext4 data partition, without a scenario: a fault
# while the journal needs recovery replays it on the copy first (the file
# written just before the cut is found and zeroed), a missing file, a directory and
# a path debugfs would split are refused, and zero, tear and truncate of
# scratch files are checked on an export of the partition afterwards
# (debugfs dump, e2fsck -fn: a truncation inside the last block and one that
# frees two blocks leave a consistent file system).
. "$(dirname "$0")/lib.sh"
for t in debugfs e2fsck qemu-io python3; do
	command -v "$t" >/dev/null 2>&1 || skip "$t is not installed"
done
cat > "$T/ext4.lua" <<'LUA'
local dev = rig.device
local function part(path, how, bytes)
  return dev:fault_at_rest{ partition = "data", path = path, how = how, bytes = bytes }
end
dev:on()
rig.check(dev:boot(), "no boot")
dev:sh("head -c 3000 /dev/urandom > /data/t-dirty && sync")
dev:off()   -- SIGKILL with /data mounted: its journal is marked for recovery
local d, e = part("/t-dirty", "zero")
rig.check(d and d:match('"journal_replayed":true'), "a dirty journal: %s", tostring(d or e))
rig.log("at rest: %s", d)
dev:on()
rig.check(dev:boot(), "no boot after the refused fault")
dev:sh("for f in zero tear trunc cut; do head -c 3000 /dev/urandom > /data/t-$f; done; sync")
dev:sh("mount -o remount,ro /data")
dev:off()
d, e = part("/nothere", "zero")
rig.check(not d and tostring(e):match("no such file"), "a missing file: %s", tostring(d or e))
d, e = part("/lost+found", "zero")
rig.check(not d and tostring(e):match("not a regular file"), "a directory: %s", tostring(d or e))
d, e = part("/t zero", "zero")
rig.check(not d and tostring(e):match("expected /name"), "a path with a space: %s", tostring(d or e))
d, e = part("/t-trunc", "truncate", 4000)
rig.check(not d and tostring(e):match("has only 3000"), "a truncation that grows: %s", tostring(d or e))
for _, f in ipairs({ { "/t-zero", "zero" }, { "/t-tear", "tear", 1500 }, { "/t-trunc", "truncate", 2500 },
                        { "/t-cut", "truncate", 1000 } }) do
  d, e = part(f[1], f[2], f[3])
  rig.check(d, "%s %s: %s", f[2], f[1], tostring(e))
  rig.log("at rest: %s", d)
end
LUA
mkdir -p "$RIG_QEMU_STATE"
set +e
"$RIG" run "$T/ext4.lua" --device "$RIG_SRCDIR/emulated/qemu/$FLAVOUR.lua" -v >"$T/out" 2>&1
set -e
[ -n "${RIG_QEMU_LOGDIR:-}" ] && mkdir -p "$RIG_QEMU_LOGDIR" && cp "$T/out" "$RIG_QEMU_LOGDIR/$FLAVOUR-at-rest-ext4.txt"
grep -Eq "^PASS" "$T/out" || { cat "$T/out" >&2; fail "ext4 at-rest checks"; }
grep -E 'at rest:' "$T/out"
# the edits, read back from the board's disk
set -- $(python3 -c 'import json,sys
for p in json.load(open(sys.argv[1]))["partitions"]:
    if p["name"] == "data": print(p["offset"], p["size"])' "$RIG_QEMU_IMAGE_DIR/manifest.json")
qemu-img convert -q --image-opts "driver=raw,offset=$1,size=$2,file.driver=qcow2,file.file.filename=$RIG_QEMU_STATE/disk.qcow2" \
	-O raw "$T/data.raw"
e2fsck -fn "$T/data.raw" >"$T/fsck" 2>&1 || { cat "$T/fsck" >&2; fail "e2fsck -fn after the faults"; }
for f in dirty zero tear trunc cut; do debugfs -R "dump /t-$f $T/$f" "$T/data.raw" 2>/dev/null; done
[ "$(stat -c %s "$T/zero")" = 3000 ] && cmp -s "$T/zero" <(head -c 3000 /dev/zero) || fail "/t-zero is not 3000 NUL bytes"
[ "$(stat -c %s "$T/dirty")" = 3000 ] && cmp -s "$T/dirty" <(head -c 3000 /dev/zero) || fail "/t-dirty is not 3000 NUL bytes"
[ "$(stat -c %s "$T/tear")" = 3000 ] && cmp -s <(head -c 1500 "$T/tear") <(head -c 1500 /dev/zero | tr '\0' '\245') ||
	fail "/t-tear does not start with 1500 bytes 0xa5"
cmp -s <(tail -c 1500 "$T/tear") <(head -c 1500 /dev/zero | tr '\0' '\245') && fail "/t-tear is torn past 1500 bytes"
[ "$(stat -c %s "$T/trunc")" = 2500 ] || fail "/t-trunc is $(stat -c %s "$T/trunc") bytes, expected 2500"
[ "$(stat -c %s "$T/cut")" = 1000 ] || fail "/t-cut is $(stat -c %s "$T/cut") bytes, expected 1000"
debugfs -R "stat /t-cut" "$T/data.raw" 2>/dev/null | grep -q '^(0):[0-9]*$' || fail "/t-cut still maps more than its first block"
echo "e2fsck -fn: clean; zero after a journal replay, zero, tear (1500), truncate (2500) and truncate (1000, two blocks freed) read back"
