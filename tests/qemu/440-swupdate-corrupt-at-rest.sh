# State corrupted at rest on the emulated SWUpdate board: SWUpdate keeps its
# state (ustate, recovery_status) in grubenv, so the grubenv faults are its
# status faults (expected: swupdate/corrupt-at-rest:* in
# emulated/qemu/expected-faults.txt; FAULTS as in 240).
FLAVOUR=swupdate
export FLAVOUR
exec bash "$(dirname "$0")/240-corrupt-at-rest.sh"
