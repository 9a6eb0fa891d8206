# The same on the emulated SWUpdate board (574-redundant-env-cut-between-copies.sh).
FLAVOUR=swupdate
. "$(dirname "$0")/574-redundant-env-cut-between-copies.sh"
