#!/usr/bin/env python3
"""A fake network power switch on 127.0.0.1 for rig's functional tests. One
server speaks every API the http power driver knows:

  tasmota    GET /cm?[user=U&password=P&]cmnd=Power[N][%20On|%20Off]  -> {"POWER[N]":"ON"}
  shelly1    GET /relay/N[?turn=on|off]                               -> {"ison":true,...}  (basic auth)
  shelly2    GET /rpc/Switch.Set?id=N&on=true|false                   -> {"was_on":false}
             GET /rpc/Switch.GetStatus?id=N                           -> {"id":N,"output":true,...}  (digest auth, SHA-256)
  pdudaemon  GET /power/control/on|off|reboot?hostname=H&port=N       -> "Request accepted"
  generic    POST /generic/N  body {"state":"on"|"off"}               -> {"ok":true}  (basic auth)
             GET /generic/N                                          -> "relay: ON" / "relay: OFF"

It misbehaves on demand: GET /_fault?on=switch|state|any&mode=M[&ms=N][&times=N][&apply=1]
  slow   wait ms before the reply            500    reply HTTP 500
  drop   close the connection, no reply      wrong  a read-back reports the opposite state
  garbage  a 200 reply without any state in it (what Tasmota says to a command it does not know)
  stuck  a switch request is acknowledged with the asked state, but the relay does not move
apply=1: the relay switches though the reply is 500 or dropped (default: it does not;
a slow switch always switches).
GET /_reset clears faults; GET /_set?ch=N&state=on|off sets a relay.

Every request is logged to --log as one line:
  <CLOCK_MONOTONIC ns> <api> <switch|state|other> <ch> <on|off|-> auth=<ok|none|bad> <result>
(the password never appears in the log)."""
import argparse, hashlib, json, os, re, socket, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, parse_qs
import base64

ap = argparse.ArgumentParser()
ap.add_argument("--port-file", required=True)
ap.add_argument("--log", required=True)
ap.add_argument("--user")
ap.add_argument("--password")
ap.add_argument("--state", default="off")
args = ap.parse_args()

lock = threading.Lock()
relays = {}            # channel -> bool
faults = []            # dicts: on, mode, ms, times, apply
NONCE = "n0nce-%d" % os.getpid()


def relay(ch):
    return relays.setdefault(ch, args.state == "on")


def log(line):
    with lock, open(args.log, "a") as f:
        f.write("%d %s\n" % (time.monotonic_ns(), line))


def take_fault(kind):
    with lock:
        for f in faults:
            if f["on"] in (kind, "any") and f["times"] != 0:
                if f["times"] > 0:
                    f["times"] -= 1
                return dict(f)
    return None


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, code, body, ctype="application/json", headers=()):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def check_basic(self):
        if not args.user:
            return "ok"
        a = self.headers.get("Authorization", "")
        if not a.startswith("Basic "):
            return "none"
        try:
            u, p = base64.b64decode(a[6:]).decode().split(":", 1)
        except Exception:
            return "bad"
        return "ok" if (u, p) == (args.user, args.password) else "bad"

    def check_digest(self, method, path):
        if not args.user:
            return "ok"
        a = self.headers.get("Authorization", "")
        if not a.startswith("Digest "):
            return "none"
        kv = dict(re.findall(r'(\w+)="?([^",]*)"?', a[7:]))
        h = lambda s: hashlib.sha256(s.encode()).hexdigest()
        ha1 = h("%s:%s:%s" % (args.user, "shelly", args.password))
        ha2 = h("%s:%s" % (method, kv.get("uri", "")))
        want = h("%s:%s:%s:%s:%s:%s" % (ha1, NONCE, kv.get("nc", ""), kv.get("cnonce", ""), kv.get("qop", ""), ha2))
        return "ok" if kv.get("username") == args.user and kv.get("response") == want else "bad"

    def classify(self, method, body):
        """(api, kind, ch, want, auth) for the request; kind switch|state|other."""
        u = urlsplit(self.path)
        q = {k: v[0] for k, v in parse_qs(u.query).items()}
        m = re.fullmatch(r"/relay/(\d+)", u.path)
        if u.path == "/cm":
            auth = "ok"
            if args.user:
                auth = "none" if "password" not in q else \
                    "ok" if (q.get("user"), q.get("password")) == (args.user, args.password) else "bad"
            cm = re.fullmatch(r"(?i)power(\d*)(?: (on|off))?", q.get("cmnd", ""))
            if not cm:
                return "tasmota", "other", 0, None, auth
            ch = int(cm.group(1) or 1)
            if cm.group(2):
                return "tasmota", "switch", ch, cm.group(2).lower() == "on", auth
            return "tasmota", "state", ch, None, auth
        if m:
            ch, auth = int(m.group(1)), self.check_basic()
            if "turn" in q:
                return "shelly1", "switch", ch, q["turn"] == "on", auth
            return "shelly1", "state", ch, None, auth
        if u.path == "/rpc/Switch.Set":
            return "shelly2", "switch", int(q.get("id", 0)), q.get("on") == "true", self.check_digest(method, self.path)
        if u.path == "/rpc/Switch.GetStatus":
            return "shelly2", "state", int(q.get("id", 0)), None, self.check_digest(method, self.path)
        m = re.fullmatch(r"/power/control/(on|off|reboot)", u.path)
        if m:
            return "pdudaemon", "switch", int(q.get("port", -1)), m.group(1) != "off", "ok"
        m = re.fullmatch(r"/generic/(\d+)", u.path)
        if m:
            ch, auth = int(m.group(1)), self.check_basic()
            if method == "POST":
                try:
                    want = json.loads(body)["state"] == "on"
                except Exception:
                    return "generic", "other", ch, None, auth
                return "generic", "switch", ch, want, auth
            return "generic", "state", ch, None, auth
        return "?", "other", 0, None, "ok"

    def handle_any(self, method):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode(errors="replace") if n else ""
        u = urlsplit(self.path)
        q = {k: v[0] for k, v in parse_qs(u.query).items()}
        if u.path == "/_fault":
            with lock:
                faults.append({"on": q.get("on", "any"), "mode": q["mode"], "ms": int(q.get("ms", 2000)),
                               "times": int(q.get("times", -1)), "apply": q.get("apply") == "1"})
            return self.reply(200, "ok\n", "text/plain")
        if u.path == "/_reset":
            with lock:
                faults.clear()
            return self.reply(200, "ok\n", "text/plain")
        if u.path == "/_set":
            with lock:
                relays[int(q["ch"])] = q["state"] == "on"
            return self.reply(200, "ok\n", "text/plain")

        api, kind, ch, want, auth = self.classify(method, body)
        desc = "%s %s %d %s auth=%s" % (api, kind, ch, "-" if want is None else "on" if want else "off", auth)
        if auth != "ok":
            log(desc + " 401")
            hdr = [("WWW-Authenticate", 'Digest realm="shelly", nonce="%s", qop="auth", algorithm=SHA-256' % NONCE)] \
                if api == "shelly2" else [("WWW-Authenticate", 'Basic realm="switch"')]
            return self.reply(401, "unauthorized\n", "text/plain", hdr)
        if kind == "other":
            log(desc + " 400")
            return self.reply(400, "bad request\n", "text/plain")
        f = take_fault(kind)
        mode = f["mode"] if f else None
        if kind == "switch" and (mode is None or mode in ("wrong", "slow") or f["apply"]):
            with lock:
                relays[ch] = want
        if mode == "slow":
            log(desc + " slow %d" % f["ms"])
            time.sleep(f["ms"] / 1000)
        elif mode == "500":
            log(desc + " 500")
            return self.reply(500, "internal error at %s\n" % self.path, "text/plain")   # echoes the URL: a secret in it must not leak
        elif mode == "garbage":
            log(desc + " garbage")
            return self.reply(200, '{"Command":"Unknown"}')
        elif mode == "drop":
            log(desc + " drop")
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        state = relay(ch)
        if mode == "stuck" and kind == "switch":
            state = want           # acknowledged, but the relay did not move
        if mode == "wrong" and kind == "state":
            state = not state
        if mode != "slow":   # (a slow reply was logged when it arrived)
            log(desc + " 200 %s" % ("on" if state else "off"))
        onoff = "ON" if state else "OFF"
        if api == "tasmota":
            key = "POWER" if ch == 1 else "POWER%d" % ch
            return self.reply(200, json.dumps({key: onoff}))
        if api == "shelly1":
            return self.reply(200, json.dumps({"ison": state, "has_timer": False, "source": "http"}))
        if api == "shelly2":
            if kind == "switch":
                return self.reply(200, json.dumps({"was_on": not want}))
            return self.reply(200, json.dumps({"id": ch, "source": "http", "output": state,
                                               "temperature": {"tC": 41.2, "tF": 106.2}}))
        if api == "pdudaemon":
            return self.reply(200, "Request accepted\n", "text/plain")
        if kind == "switch":
            return self.reply(200, json.dumps({"ok": True}))
        return self.reply(200, "relay: %s\n" % onoff, "text/plain")

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_PUT(self):
        self.handle_any("PUT")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)   # a client that gave up is no news


srv = Server(("127.0.0.1", 0), H)
tmp = args.port_file + ".tmp"
with open(tmp, "w") as f:
    f.write("%d\n" % srv.server_address[1])
os.rename(tmp, args.port_file)
srv.serve_forever()
