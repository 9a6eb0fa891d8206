#!/usr/bin/python3
"""Trigger-to-cut clients for the fake lab (fakelab.c), written the way a lab
would write them with each library:

  pexpect  fdpexpect on the console pty opened like a serial port; the switch
           over one keep-alive http.client connection, or a relay frame.
  labgrid  RawSerialPort + SerialDriver.expect(); NetworkPowerPort model
           "simplerest" + NetworkPowerDriver (one requests.get per switch,
           as labgrid does it). labgrid has no driver for an LCUS relay.

Usage: pyclient.py pexpect|labgrid DIR http|relay RUNS [TIMEOUT_S]"""
import os
import sys
import termios
import tty

tool, d, switch, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
timeout = float(sys.argv[5]) if len(sys.argv) > 5 else 10.0
console = os.path.realpath(os.path.join(d, "console"))
port = int(open(os.path.join(d, "http.port")).read())

if tool == "pexpect":
    import http.client
    from pexpect import fdpexpect

    fd = os.open(console, os.O_RDWR | os.O_NOCTTY)
    tty.setraw(fd, termios.TCSANOW)
    child = fdpexpect.fdspawn(fd, timeout=timeout, maxread=65536)
    if switch == "http":
        conn = http.client.HTTPConnection("127.0.0.1", port)

        def power(on):
            conn.request("GET", "/outlet/1/%d" % on)
            conn.getresponse().read()
    else:
        rfd = os.open(os.path.realpath(os.path.join(d, "relay")), os.O_RDWR | os.O_NOCTTY)
        tty.setraw(rfd, termios.TCSANOW)

        def power(on):
            os.write(rfd, bytes([0xA0, 0x01, on, 0xA1 + on]))
    for _ in range(runs):
        power(1)
        child.expect_exact(b"TRIGGER-LINE")
        power(0)
elif tool == "labgrid":
    from labgrid import Target
    from labgrid.driver import SerialDriver
    from labgrid.driver.powerdriver import NetworkPowerDriver
    from labgrid.resource import NetworkPowerPort, RawSerialPort

    if switch != "http":
        sys.exit("labgrid: no relay-pty driver; use http")
    t = Target("bench")
    RawSerialPort(t, "serial", port=console, speed=115200)
    NetworkPowerPort(t, "power", model="simplerest",
                     host="http://127.0.0.1:%d/outlet/{index}/{value}" % port, index="1")
    s = SerialDriver(t, "serial")
    p = NetworkPowerDriver(t, "power")
    t.activate(s)
    t.activate(p)
    for _ in range(runs):
        p.on()
        s.expect("TRIGGER-LINE", timeout=timeout)
        p.off()
else:
    sys.exit("unknown tool " + tool)
