#!/bin/sh
# /init of the gpio-sim guest (tests/gpio/build-guest): set up a simulated
# chip with 4 lines (line 0 named RELAY_0), a harness that plays the relay
# and the power-good signal (line 1 follows line 0 after 20 ms, unless
# /tmp/stuck), then the rig's runs. Reports GPIOTEST lines on the console.
export PATH=/bin
mount -t proc none /proc
mount -t sysfs none /sys
mount -t devtmpfs none /dev
# /tmp stays the initramfs (writable): the rig's sources may live under /tmp
insmod /configfs.ko
insmod /gpio-sim-all.ko
mount -t configfs none /sys/kernel/config
c=/sys/kernel/config/gpio-sim/chip0
mkdir -p $c/bank0/line0
echo 4 >$c/bank0/num_lines
echo RELAY_0 >$c/bank0/line0/name
echo 1 >$c/live
say() { echo "GPIOTEST $*"; }
sim=$(ls -d /sys/devices/platform/gpio-sim.*/gpiochip* | head -1)
[ -e /dev/gpiochip0 ] && [ -n "$sim" ] || { say "FAIL no simulated chip"; poweroff -f; }
say "chip $(cat $c/bank0/chip_name 2>/dev/null) at $sim"
V=$sim/sim_gpio0/value
P=$sim/sim_gpio1/pull
# the relay and the rail: line 1 follows line 0 (20 ms later) unless stuck
(
	last=x
	while [ ! -e /tmp/stop ]; do
		read v <$V
		if [ "$v" != "$last" ]; then
			read up rest </proc/uptime
			echo "$up line0=$v" >>/tmp/trace
			if [ ! -e /tmp/stuck ]; then
				sleep 0.02
				if [ "$v" = 1 ]; then echo pull-up >$P; else echo pull-down >$P; fi
			fi
			last=$v
		fi
	done
) &
export RIG_DB=/tmp/rig.db RIG_RUNTIME_DIR=/tmp/run HOME=/tmp
cd /
# 1. on, off, on through the simulator, confirmed by the sense line
rig run /switch.scn.lua --device /gpio.lua -v >/tmp/switch.out 2>&1
rc=$?
[ $rc = 0 ] && say "ok switch" || { say "FAIL switch exit $rc"; cat /tmp/switch.out; }
rig show last >/tmp/show1
grep -q 'power.sense .*"rail":"off".*"since_switch_ms":' /tmp/show1 && say "ok sense edge off" || say "FAIL no falling sense edge"
grep -q 'power.sense .*"rail":"on".*"off_ms":[0-9]' /tmp/show1 && say "ok sense edge on with off time" || say "FAIL no rising sense edge"
grep -o '"off_ms":[0-9][0-9.]*' /tmp/show1 | head -1 | sed 's/^/GPIOTEST info /'
# 2. a welded relay: off does not drop the rail: an error, not a verdict
touch /tmp/stuck
echo pull-up >$P
rig run /stuck.scn.lua --device /gpio.lua >/tmp/stuck.out 2>&1
rc=$?
rm -f /tmp/stuck
[ $rc = 3 ] && grep -q "still powered" /tmp/stuck.out && say "ok stuck relay is an error" ||
	{ say "FAIL stuck relay: exit $rc"; cat /tmp/stuck.out; }
# 3. SIGTERM while powered: the safe state (off) is switched before the line is released
sleep 0.2
: >/tmp/trace
rig run /hold.scn.lua --device /gpio.lua >/tmp/hold.out 2>&1 &
pid=$!
i=0
while [ $i -lt 100 ]; do grep -q "line0=1" /tmp/trace && break; sleep 0.1; i=$((i + 1)); done
sleep 0.3
kill -TERM $pid
wait $pid
rc=$?
read up rest </proc/uptime
rig show last >/tmp/show3
grep -q '"value":0' /tmp/show3 && grep -q 'power.gpio.release' /tmp/show3 && say "ok safe state before release" ||
	{ say "FAIL safe state: exit $rc"; cat /tmp/show3 | tail -8; }
grep -q "line0=0" /tmp/trace && say "ok the simulator saw the line go low" || say "FAIL the line never went low"
say "info trace: $(tr '\n' ' ' </tmp/trace) exit at $up"
touch /tmp/stop
say DONE
poweroff -f
