# The same on the emulated SWUpdate board (250-written-partition.sh): the first
# boot-partition write after the download is SWUpdate's recovery_status=in_progress.
FLAVOUR=swupdate
. "$(dirname "$0")/250-written-partition.sh"
