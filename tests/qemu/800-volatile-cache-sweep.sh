# The stacks against a disk with a volatile write cache: cut-after-installed
# swept over 0.01-2 s after "installed" and a mid-install cut, on
# RIG_QEMU_DISK=volatile-cache (scenarios/campaigns/qemu-volatile.lua).
# Expected (written before the first run): every run passes — RAUC and
# SWUpdate flush what they acknowledged (cut-after-installed new-good at every
# point) and a cut mid-install leaves the old slot (old-good). A lost commit
# would fail the run and this test, naming the cut point.
# ci: by-hand (five runs, about 15 minutes)
. "$(dirname "$0")/lib.sh"
export RIG_QEMU_DISK=volatile-cache RIG_DEMO_FLAVOUR=$FLAVOUR
set +e
"$RIG" campaign "$RIG_SRCDIR/scenarios/campaigns/qemu-volatile.lua" --db "$T/c.db" --json "$T/c.json" >"$T/out" 2>&1
st=$?
set -e
[ -n "${RIG_QEMU_LOGDIR:-}" ] && mkdir -p "$RIG_QEMU_LOGDIR" && cp "$T/out" "$RIG_QEMU_LOGDIR/$FLAVOUR-volatile-sweep.txt"
cat "$T/out"
"$RIG" report --db "$T/c.db" --campaign last || true
[ $st = 0 ] || fail "the volatile-cache campaign ended with status $st (a run did not pass)"
