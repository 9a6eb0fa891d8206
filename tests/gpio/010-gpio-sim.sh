# The gpio power driver against the kernel's GPIO simulator in a QEMU guest
# (tests/gpio/build-guest): output lines driven by the rig read back through
# the simulator, a sense line pulled by the test produces edge events in the
# timeline, a relay that does not drop the rail is an error, and the safe
# state is switched when the rig gets SIGTERM.
# ctest: run-serial
set -eu
: "${RIG_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${RIG_BUILDDIR:=$RIG_SRCDIR/build}"
: "${RIG:=$RIG_BUILDDIR/rig}"
command -v qemu-system-x86_64 >/dev/null || { echo "SKIP: qemu-system-x86"; exit 77; }
T=$(mktemp -d /tmp/rig-gpio.XXXXXX)
trap 'rm -rf "$T"' EXIT
set +e
"$RIG_SRCDIR/tests/gpio/build-guest" "$RIG" "$T" >"$T/build.log" 2>&1
rc=$?
set -e
[ $rc = 77 ] && { cat "$T/build.log"; echo "SKIP: cannot build the guest (scripts/setup --with-gpio-tests)"; exit 77; }
[ $rc = 0 ] || { cat "$T/build.log"; echo "FAIL: building the guest"; exit 1; }
timeout 300 qemu-system-x86_64 -accel tcg -m 512 -nodefaults -display none -serial stdio \
	-kernel "$T/vmlinuz" -initrd "$T/initramfs.gz" -append "console=ttyS0 quiet panic=-1" -no-reboot \
	</dev/null >"$T/console" 2>&1 || true
grep -a "GPIOTEST" "$T/console" || { tail -30 "$T/console"; echo "FAIL: the guest reported nothing"; exit 1; }
grep -aq "GPIOTEST DONE" "$T/console" || { tail -30 "$T/console"; echo "FAIL: the guest did not finish"; exit 1; }
if grep -aq "GPIOTEST FAIL" "$T/console"; then
	grep -a -A12 "GPIOTEST FAIL" "$T/console" | head -40
	exit 1
fi
[ "$(grep -ac 'GPIOTEST ok' "$T/console")" -ge 6 ] || { echo "FAIL: not every check ran"; exit 1; }
echo ok
