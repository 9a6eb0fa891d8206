#!/usr/bin/env python3
"""What a cut left of grubenv, predicted from nbdkit's log of that power-on
(test 260, finding 19 in docs/qemu.md).

Usage: grubenv_window.py LOG BOOT_OFFSET BOOT_SIZE MODEL
MODEL: direct-nbd (a write nbdkit carried out survives) or volatile-cache
(a write survives only if a flush completed after it completed).

grub-editenv's update of grubenv on the FAT boot partition is a burst of
writes: the directory entry (size 0) first, ..., the same sector again
(size 1024) last. The last burst of boot-partition writes in the log (writes
less than GAP_S apart) is the update the cut fell in. Prints the prediction
and the burst's writes:
  whole   the update's first write did not survive, or its last did
  empty   its first write survived and its last did not: the cut fell inside
  either  a deciding write was in flight at the kill: nbdkit may have
          carried it out without logging its completion
A request or completion line without its newline (cut by the kill) is
ignored; a Write, Zero or Trim request without offset and count is an
error (exit 2)."""
import re
import sys

GAP_S = 0.1   # an update takes ~3.5 ms; RAUC's updates are seconds apart
REQ = re.compile(r"^\S+ (\d\d):(\d\d):(\d\d\.\d+) connection=(\d+) (Write|Zero|Trim|Flush) id=(\d+)"
                 r"(?: offset=(0x[0-9a-f]+) count=(0x[0-9a-f]+))?")
DONE = re.compile(r"connection=(\d+) \.\.\.(Write|Zero|Trim|Flush) id=(\d+) return=(-?\d+)")


def parse(path, off, size):
    """The boot-partition writes in log order, each with whether it completed
    and whether a flush that completed covers it (a flush covers the writes
    completed before it was issued)."""
    writes, pending, unflushed, covers = [], {}, [], {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            if not line.endswith("\n"):
                break   # the last line, cut in half by the kill
            m = DONE.search(line)
            if m:
                key = (m.group(1), m.group(3))
                req = pending.pop(key, None)
                if req is None or int(m.group(4)) != 0:
                    covers.pop(key, None)
                    continue
                if req == "flush":
                    for w in covers.pop(key):
                        w["flushed"] = True
                    unflushed = [w for w in unflushed if not w["flushed"]]
                else:
                    req["done"] = True
                    unflushed.append(req)
                continue
            m = REQ.search(line)
            if not m:
                continue
            kind, key = m.group(5), (m.group(4), m.group(6))
            if kind == "Flush":
                pending[key] = "flush"
                covers[key] = list(unflushed)
                continue
            if m.group(7) is None:
                print(f"{path}:{n}: a {kind} request without offset and count", file=sys.stderr)
                sys.exit(2)
            o, c = int(m.group(7), 16), int(m.group(8), 16)
            t = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
            req = {"off": o - off, "count": c, "t": t, "done": False, "flushed": False}
            pending[key] = req
            if o < off + size and o + c > off:
                writes.append(req)
    return writes


def main():
    if len(sys.argv) != 5 or sys.argv[4] not in ("direct-nbd", "volatile-cache"):
        sys.exit("usage: grubenv_window.py LOG BOOT_OFFSET BOOT_SIZE direct-nbd|volatile-cache")
    log, off, size, model = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    writes = parse(log, off, size)
    burst = []
    for w in writes:
        if burst and w["t"] - burst[-1]["t"] > GAP_S:
            burst = []
        burst.append(w)
    desc = " ".join(f"{w['off']:#x}+{w['count']}" + ("" if w["done"] else "(in flight)")
                    + ("(flushed)" if w["flushed"] else "") for w in burst) or "none"

    def state(w):   # survived: yes, no, or maybe
        if model == "volatile-cache":
            return "yes" if w["flushed"] else "no"
        return "yes" if w["done"] else "maybe"

    if not burst:
        print("whole", desc)
        return
    first = burst[0]
    closing = [w for w in burst[1:] if w["off"] < first["off"] + first["count"] and w["off"] + w["count"] > first["off"]]
    s_first = state(first)
    s_last = state(closing[-1]) if closing else "no"
    if s_first == "no" or s_last == "yes":
        pred = "whole"
    elif s_first == "yes" and s_last == "no":
        pred = "empty"
    else:
        pred = "either"
    print(pred, desc)


if __name__ == "__main__":
    main()
