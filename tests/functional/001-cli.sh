# The command line: help everywhere, bad usage is exit 2.
. "$(dirname "$0")/lib.sh"
run_rig 0 --help
expect_out "usage: rig COMMAND"
for c in run list power console; do
	run_rig 0 "$c" --help
	expect_out "usage: rig $c"
done
run_rig 2 frobnicate
expect_out "unknown command 'frobnicate'"
run_rig 2 run
expect_out "SCENARIO is required"
run_rig 2 run x.lua
expect_out "--device is required"
run_rig 2 run x.lua --device "$DEV" --seed notanumber
expect_out "--seed expects a number"
run_rig 0 list
expect_out "power drivers:"
expect_out "process"
run_rig 0 list "$DEV"
expect_out "fake-1 +fake board +power=process console=process"
