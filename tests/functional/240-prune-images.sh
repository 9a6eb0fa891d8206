# emulated/qemu/prune-images: per flavour, keeps the current image and the
# newest others up to --keep, removes older ones and abandoned build
# directories, and touches nothing it did not make.
. "$(dirname "$0")/lib.sh"
prune=$RIG_SRCDIR/emulated/qemu/prune-images
C=$T/cache
export RIG_IMAGE_CACHE=$C
unset RIG_IMAGE_KEEP
# image NAME AGE — a built image directory whose manifest is AGE old
image() {
	mkdir -p "$C/$1"
	echo '{}' >"$C/$1/manifest.json"
	touch -d "$2" "$C/$1/manifest.json" "$C/$1"
}
image rauc-00000000000000a1 "5 days ago"
image rauc-00000000000000a2 "4 days ago"
image rauc-00000000000000a3 "3 days ago"
image rauc-00000000000000a4 "2 days ago"
image swupdate-00000000000000b1 "3 days ago"
image swupdate-00000000000000b2 "1 day ago"
# the current rauc image is the oldest one (a lab pinned it back)
ln -s rauc-00000000000000a1 "$C/rauc-current"
ln -s swupdate-00000000000000b2 "$C/swupdate-current"
mkdir -p "$C/.build-rauc-old111" "$C/.build-rauc-new222" "$C/rauc-notes" "$C/rauc-00000000000000zz"
touch -d "13 hours ago" "$C/.build-rauc-old111"
touch -d "2 hours ago" "$C/.build-rauc-new222"
echo keep >"$C/rauc-README"

have() { [ -e "$C/$1" ] || fail "$1 was removed"; }
gone() { [ ! -e "$C/$1" ] || fail "$1 was kept"; }

# bad input: nothing removed
for bad in 0 00 -1 two ""; do
	set +e
	"$prune" --keep "$bad" >"$T/out" 2>&1
	rc=$?
	set -e
	[ $rc = 2 ] || fail "--keep '$bad' exited $rc, expected 2"
	expect_out "expected a positive integer or 'all', got '$bad'"
done
"$prune" --keep all >"$T/out" 2>&1
[ ! -s "$T/out" ] || fail "--keep all printed: $(cat "$T/out")"

"$prune" --dry-run >"$T/out" 2>&1
expect_out "would remove old image $C/rauc-00000000000000a2"
expect_out "would remove abandoned build $C/.build-rauc-old111"
for n in rauc-00000000000000a2 rauc-00000000000000a3 .build-rauc-old111; do have $n; done

# default keep 2: the current one and the newest other
"$prune" >"$T/out" 2>&1
expect_out "removed old image $C/rauc-00000000000000a2"
expect_out "removed old image $C/rauc-00000000000000a3"
[ "$(grep -c removed "$T/out")" = 3 ] || { cat "$T/out" >&2; fail "expected 3 removals"; }
for n in rauc-00000000000000a1 rauc-00000000000000a4 rauc-current swupdate-00000000000000b1 \
	swupdate-00000000000000b2 swupdate-current .build-rauc-new222 rauc-notes rauc-00000000000000zz rauc-README; do
	have $n
done
for n in rauc-00000000000000a2 rauc-00000000000000a3 .build-rauc-old111; do gone $n; done

# keep 1 through the environment (written 01: base 10, not octal): only what -current points to
RIG_IMAGE_KEEP=01 "$prune" >"$T/out" 2>&1
for n in rauc-00000000000000a4 swupdate-00000000000000b1; do gone $n; done
for n in rauc-00000000000000a1 swupdate-00000000000000b2 .build-rauc-new222; do have $n; done

# a dangling -current (its image removed by hand): the newest image is kept
rm -rf "$C/rauc-00000000000000a1"
image rauc-00000000000000c1 "2 days ago"
image rauc-00000000000000c2 "1 day ago"
"$prune" --keep 1 >"$T/out" 2>&1
have rauc-00000000000000c2
gone rauc-00000000000000c1

# no cache at all is not an error
RIG_IMAGE_CACHE=$T/none "$prune"
echo "ok"
