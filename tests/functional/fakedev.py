#!/usr/bin/env python3
"""A fake device for rig's functional tests, run by the `process` power driver
on a pty. It behaves like a board's serial console at its worst, on demand:

  --hostile        kernel lines inside output lines, ANSI escapes and bracketed
                   paste around the prompt (CRLF comes from the pty itself)
  --flush-login N  the getty ignores the first N login attempts (flushed input)
  --garbage        random bytes before the boot marker
  --stamp FILE     append "name monotonic_ns" lines when it prints markers

Commands: echo (with $?), true, false, cat /etc/version, sleep S, noise N,
trickle TXET (prints TEXT one byte per write), stamp NAME TXET (record the time, then print TEXT), reboot.
"""
import argparse, os, random, sys, time

ap = argparse.ArgumentParser()
ap.add_argument("--hostile", action="store_true")
ap.add_argument("--flush-login", type=int, default=0)
ap.add_argument("--garbage", action="store_true")
ap.add_argument("--stamp")
ap.add_argument("--version", default="1.0")
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--no-boot", action="store_true", help="print nothing at all (a dead board)")
ap.add_argument("--dead-if", help="behave as --no-boot when this file exists")
args = ap.parse_args()
rnd = random.Random(args.seed + os.getpid())
out = sys.stdout.buffer


def w(data):
    if isinstance(data, str):
        data = data.encode()
    out.write(data)
    out.flush()


def stamp(name):
    if args.stamp:
        with open(args.stamp, "a") as f:
            f.write("%s %d\n" % (name, time.monotonic_ns()))


def kline():
    return "[%5d.%06d] usb 1-1: new high-speed USB device number %d\n" % (
        rnd.randint(1, 99999), rnd.randint(0, 999999), rnd.randint(2, 9))


def say(line):
    """Print a line; hostile: a kernel line lands in the middle of it."""
    if args.hostile and len(line) > 2 and rnd.random() < 0.5:
        cut = rnd.randint(1, len(line) - 1)
        w(line[:cut])
        w(kline())
        w(line[cut:] + "\n")
    else:
        w(line + "\n")


def prompt():
    if args.hostile:
        w("\x1b[?2004h\x1b[01;32mroot@fake\x1b[00m:\x1b[01;34m~\x1b[00m# ")
    else:
        w("root@fake:~# ")


status = 0


def run(cmd):
    global status
    parts = cmd.split()
    if not parts:
        return
    c, rest = parts[0], cmd[len(parts[0]):].strip()
    if c == "echo":
        say(rest.replace("$?", str(status)))
        status = 0
    elif c == "true":
        status = 0
    elif c == "false":
        status = 1
    elif c == "cat" and rest == "/etc/version":
        say(args.version)
        status = 0
    elif c == "sleep":
        time.sleep(float(rest))
        status = 0
    elif c == "noise":
        for i in range(int(rest)):
            say("noise line %d %s" % (i, "x" * rnd.randint(0, 60)))
        status = 0
    elif c == "trickle":
        # Prints its argument reversed, one byte per write: the tty's echo of
        # the command line never contains what it prints.
        for ch in rest[::-1] + "\n":
            w(ch)
            time.sleep(0.002)
        status = 0
    elif c == "stamp":
        # Records the time, then prints TEXT reversed (the tty's echo of the
        # command line must not contain what a trigger looks for).
        name, _, text = rest.partition(" ")
        stamp(name)
        w(text[::-1] + "\n")
        status = 0
    elif c == "reboot":
        boot()
    elif c == "exit":
        status = int(rest or 0)
    else:
        say("sh: %s: not found" % c)
        status = 127


def readline():
    line = sys.stdin.buffer.readline()
    if not line:
        sys.exit(0)
    return line.decode(errors="replace").strip("\r\n")


def boot():
    if args.no_boot or (args.dead_if and os.path.exists(args.dead_if)):
        while True:
            time.sleep(3600)
    if args.garbage:
        w(bytes(rnd.randrange(256) for _ in range(32)))
    stamp("marker")
    w("FAKEBOOT 1.0\n")
    for i in range(3):
        w(kline())
    say("Fake OS %s" % args.version)
    flushes = args.flush_login
    while True:
        w("fake login: ")
        user = readline()
        if flushes > 0:
            flushes -= 1
            continue
        w("Password: ")
        readline()
        if user == "root":
            break
        say("Login incorrect")
    if args.hostile:
        w("\x1b]0;root@fake: ~\x07")
    prompt()
    while True:
        line = readline()
        if args.hostile:
            w("\x1b[?2004l\r")
        for cmd in line.split(";"):
            run(cmd.strip())
        prompt()


boot()
