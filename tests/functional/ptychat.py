#!/usr/bin/env python3
"""A console that never stops talking, for functional tests of power drivers
that have no console of their own: a pty whose slave is linked to argv[1],
printing "MARK-<n>" every 50 ms. The rig opens the link as a serial console."""
import os, sys, time, tty

link = sys.argv[1]
master, slave = os.openpty()
tty.setraw(slave)
os.symlink(os.ttyname(slave), link + ".tmp")
os.rename(link + ".tmp", link)
n = 0
while True:
    try:
        os.write(master, b"MARK-%d\r\n" % n)
    except OSError:
        break
    n += 1
    time.sleep(0.05)
