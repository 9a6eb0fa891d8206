# The same on the emulated SWUpdate board (572-redundant-env-at-rest.sh), where
# the same tear of the one grubenv of the normal disk is also a brick
# (440-swupdate-corrupt-at-rest, expected-faults.txt).
FLAVOUR=swupdate
. "$(dirname "$0")/572-redundant-env-at-rest.sh"
