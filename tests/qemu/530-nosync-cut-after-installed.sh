# Stock scenario cut-after-installed on the emulated RAUC board, image variant nosync
# (expected verdict: emulated/qemu/expected-rauc-nosync.txt).
# Boot partition without `sync` on a disk with a volatile write cache: only
# what the stack flushed survives a cut after "ota: installed".
VARIANT=nosync
. "$(dirname "$0")/lib.sh"
export RIG_QEMU_DISK=volatile-cache
run_scenario cut-after-installed
