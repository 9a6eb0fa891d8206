#!/usr/bin/env python3
"""Where a cut fell in the boot partition's last environment update, from
nbdkit's log of that power-on (test 260, finding 19 in docs/qemu.md).

Usage: grubenv_window.py LOG BOOT_OFFSET BOOT_SIZE
Prints one word and the update's writes: `before` (no write of the update
completed, or none was issued), `inside` (its first write, the directory
entry set to size 0, completed and no later write to that sector did),
`after` (it wrote that sector again: the update is whole on the disk).

The boot partition's writes are split into updates by the completed Flush
requests (grub-editenv ends each update with fsync); the last group is the
update the cut fell in. A line that does not parse is an error (exit 2)."""
import re
import sys

REQ = re.compile(r"connection=\d+ (Write|Zero|Trim|Flush|Read) id=(\d+)(?: offset=(0x[0-9a-f]+) count=(0x[0-9a-f]+))?")
DONE = re.compile(r"connection=\d+ \.\.\.(Write|Zero|Trim|Flush|Read) id=(\d+) return=(-?\d+)")


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: grubenv_window.py LOG BOOT_OFFSET BOOT_SIZE")
    log, off, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    groups = [[]]          # boot writes between completed flushes
    pending = {}           # id -> the write (a dict), or "flush"
    for n, line in enumerate(open(log, encoding="utf-8", errors="replace"), 1):
        m = DONE.search(line)
        if m:
            kind, rid, ret = m.group(1), int(m.group(2)), int(m.group(3))
            req = pending.pop(rid, None)
            if kind == "Flush" and ret == 0:
                groups.append([])
            elif isinstance(req, dict) and ret == 0:
                req["done"] = True
            continue
        m = REQ.search(line)
        if not m:
            continue
        kind, rid = m.group(1), int(m.group(2))
        if kind == "Flush":
            pending[rid] = "flush"
        elif kind in ("Write", "Zero", "Trim"):
            if m.group(3) is None:
                print(f"{log}:{n}: a {kind} request without offset and count", file=sys.stderr)
                sys.exit(2)
            o, c = int(m.group(3), 16), int(m.group(4), 16)
            if o < off + size and o + c > off:
                req = {"off": o - off, "count": c, "done": False}
                groups[-1].append(req)
                pending[rid] = req
    g = groups[-1]
    desc = " ".join(f"{w['off']:#x}+{w['count']}{'' if w['done'] else '(in flight)'}" for w in g) or "none"
    if not g or not g[0]["done"]:
        where = "before"
    elif any(w["done"] and w["off"] == g[0]["off"] for w in g[1:]):
        where = "after"
    else:
        where = "inside"
    print(where, desc)


if __name__ == "__main__":
    main()
