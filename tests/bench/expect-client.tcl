#!/usr/bin/expect -f
# Trigger-to-cut client for the fake lab (fakelab.c) in Tcl expect: the
# console pty opened like a serial port (spawn -open), the switch over one
# keep-alive HTTP socket or a relay frame on the relay pty.
# Usage: expect-client.tcl DIR http|relay RUNS [TIMEOUT_S]
lassign $argv dir switch runs tmo
if {$tmo eq ""} { set tmo 10 }
set timeout $tmo
log_user 0
match_max 65536
set con [open [file readlink $dir/console] {RDWR NOCTTY}]
fconfigure $con -mode 115200,n,8,1 -translation binary -blocking 0 -buffering none
exec stty raw -echo < [file readlink $dir/console]
spawn -open $con
if {$switch eq "http"} {
    set f [open $dir/http.port]; set port [string trim [read $f]]; close $f
    set sock [socket 127.0.0.1 $port]
    fconfigure $sock -translation binary -buffering none
    proc power {on} {
        global sock
        puts -nonewline $sock "GET /outlet/1/$on HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        set len 0
        while {[gets $sock line] >= 0} {
            set line [string trim $line]
            if {$line eq ""} break
            regexp -nocase {^content-length:\s*(\d+)} $line -> len
        }
        read $sock $len
    }
} else {
    set relay [open [file readlink $dir/relay] {RDWR NOCTTY}]
    fconfigure $relay -translation binary -buffering none
    exec stty raw -echo < [file readlink $dir/relay]
    proc power {on} {
        global relay
        puts -nonewline $relay [binary format cccc 0xA0 0x01 $on [expr {0xA1 + $on}]]
    }
}
for {set i 0} {$i < $runs} {incr i} {
    power 1
    expect {
        -ex "TRIGGER-LINE" {}
        timeout { puts stderr "timeout at $i"; exit 1 }
    }
    power 0
}
