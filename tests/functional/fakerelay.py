#!/usr/bin/env python3
"""An emulated USB relay board on a pty for rig's functional tests.

It creates a pty, links its slave to --link (the rig opens that path like a
/dev/serial/by-id/ link) and reads what the rig writes:
  lcus frames  A0 <ch> <state> <sum>, sum = (0xA0 + ch + state) & 0xFF; a bad
               checksum is logged and ignored, as a real board does
  --query HEX  the state query; the board answers "CH<n>:ON\\r\\n" / "CH<n>:OFF\\r\\n"
               for every relay (like the LCUS boards with a status command)
  --on/--off HEX  extra byte sequences (protocol "bytes") switching relay 1
Misbehaviour: --stuck (frames are accepted but the relays never move),
--silent (no reply to queries), --initial on (relays start on), --vanish-after N (close the pty after N frames:
the board was unplugged).

Log (--log), one line per event: <CLOCK_MONOTONIC ns> frame|query|bad|bytes <hex> [ch=N state=on|off]"""
import argparse, os, sys, time, tty

ap = argparse.ArgumentParser()
ap.add_argument("--link", required=True)
ap.add_argument("--log", required=True)
ap.add_argument("--query")
ap.add_argument("--on")
ap.add_argument("--off")
ap.add_argument("--stuck", action="store_true")
ap.add_argument("--silent", action="store_true")
ap.add_argument("--vanish-after", type=int, default=0)
ap.add_argument("--relays", type=int, default=4)
ap.add_argument("--initial", default="off", help="on or off: the relays at start")
args = ap.parse_args()

h = lambda b: " ".join("%02X" % x for x in b)
unhex = lambda s: bytes.fromhex(s.replace(" ", "")) if s else None
query, seq_on, seq_off = unhex(args.query), unhex(args.on), unhex(args.off)
state = {ch: args.initial == "on" for ch in range(1, args.relays + 1)}

master, slave = os.openpty()
tty.setraw(slave)
name = os.ttyname(slave)
tmp = args.link + ".tmp"
os.symlink(name, tmp)
os.rename(tmp, args.link)
# the emulator keeps its own slave fd open: the rig closing its end is no hang-up


def log(what, data, extra=""):
    with open(args.log, "a") as f:
        f.write("%d %s %s%s\n" % (time.monotonic_ns(), what, h(data), extra))


buf = b""
frames = 0
while True:
    try:
        data = os.read(master, 256)
    except OSError:
        break
    if not data:
        break
    buf += data
    while buf:
        if query and buf.startswith(query):
            log("query", query)
            buf = buf[len(query):]
            if not args.silent:
                os.write(master, b"".join(b"CH%d:%s\r\n" % (ch, b"ON" if on else b"OFF")
                                          for ch, on in sorted(state.items())))
            continue
        matched = False
        for seq, on in ((seq_on, True), (seq_off, False)):
            if seq and buf.startswith(seq):
                log("bytes", seq, " ch=1 state=%s" % ("on" if on else "off"))
                if not args.stuck:
                    state[1] = on
                buf = buf[len(seq):]
                frames += 1
                matched = True
        if matched:
            continue
        if buf[0] == 0xA0:
            if len(buf) < 4:
                break
            f, buf = buf[:4], buf[4:]
            if (0xA0 + f[1] + f[2]) & 0xFF != f[3] or f[2] > 1 or f[1] not in state:
                log("bad", f)
                continue
            log("frame", f, " ch=%d state=%s" % (f[1], "on" if f[2] else "off"))
            if not args.stuck:
                state[f[1]] = bool(f[2])
            frames += 1
            continue
        if (query and query.startswith(buf)) or any(s and s.startswith(buf) for s in (seq_on, seq_off)):
            break          # wait for the rest
        log("bad", buf[:1])
        buf = buf[1:]
    if args.vanish_after and frames >= args.vanish_after:
        os.unlink(args.link)
        break
os.close(master)
os.close(slave)
