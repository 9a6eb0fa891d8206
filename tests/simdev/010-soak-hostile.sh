# Every stock scenario passes on the robust simulated device with a hostile
# console (kernel lines mid-line, CRLF, echo, ANSI and bracketed paste, power-on
# garbage, a getty that flushes input, random boot delays): 0 fail, brick or
# error in SOAK_RUNS seeded runs (default 500), round-robin over the scenarios.
set -eu
: "${RIG_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
HOSTILE=1 exec bash "$RIG_SRCDIR/tests/simdev/soak.sh" "${SOAK_RUNS:-500}" "${SOAK_JOBS:-8}" robust
