# Cut-point strategies find vulnerable windows on the simulated board:
#  1. a sweep campaign across each flawed variant's published window (one
#     board per variant, in parallel) fails inside the window and passes
#     outside it;
#  2. bisection finds the same edges within its resolution in at most
#     2*log2(n)+scan probes (n = range / resolution): on a quiet board, on a
#     noisy one (hostile console), and on one with two windows
#     (single-env under cut-install: its two environment writes).
# Where the ms-scale windows lie is asserted in the plain build; under
# ASan+UBSan (RIG_SANITIZED=1) the cut wanders by more than they are wide, so
# there it is reported, and the rest (run counts, fraction windows, probe
# bounds) is asserted.
# ctest: run-serial
set -eu
. "$(dirname "$0")/camp.sh"
# a brick is called after 2 boots of 1.5 s without a login (the board boots in 0.1 s)
export RIG_SIM_BOOT_TIMEOUT=1.5 RIG_SIM_RECOVERY_CYCLES=1
"$RIG_SIM" variants >"$T/variants.json"
python3 - "$T/variants.json" "$LAB" >"$T/sweep.lua" 3>"$T/rack" 4>"$T/expect.json" <<'PY'
import json, os, sys
vs = [v for v in json.load(open(sys.argv[1])) if v["window"]["unit"] != "none"]
rack, tests, expect = [], [], {}
for i, v in enumerate(vs):
    w = v["window"]
    scale = 1e-3 if w["unit"].startswith("ms") else 1.0
    param = "delay" if w["unit"].startswith("ms") else "fraction"
    lo, hi = w["from"] * scale, w["to"] * scale
    span = hi - lo
    a, b = max(0.0, lo - 0.25 * span), hi + 0.25 * span
    if param == "fraction":
        a, b = 0.05, 0.95
    # two boards per variant, each sweeping half of the points
    step = (b - a) / 7
    for half in range(2):
        dev = "w%d%s" % (i, "ab"[half])
        rack.append("%s:%s" % (dev, v["name"]))
        x0 = a + half * 4 * step
        x1 = x0 + (3 if half == 0 else 3) * step
        tests.append('{ scenario = "%s", devices = { "%s" }, cut = { param = "%s", strategy = "sweep", from = %.6f, to = %.6f, points = 4 } }'
                     % (v["aimed_at"], dev, param, x0, x1))
        expect[dev] = {"variant": v["name"], "param": param, "from": lo, "to": hi, "open_end": w.get("open_end", False),
                       "tol": max(0.3 * span, 0.03 if param == "delay" else 0.05)}
print('return { name = "windows", seed = 3, lab = "%s", timeout = 120, tests = {\n  %s,\n} }' % (sys.argv[2], ",\n  ".join(tests)))
os.write(3, ",".join(rack).encode())
os.write(4, json.dumps(expect).encode())
PY
rack "$(cat "$T/rack")"
"$RIG" campaign "$T/sweep.lua" --db "$T/r.db" --json "$T/sweep.json" >"$T/out" 2>&1 || true
tail -4 "$T/out"
python3 - "$T/sweep.json" "$T/expect.json" <<'PY'
import json, os, sys
d = json.load(open(sys.argv[1])); exp = json.load(open(sys.argv[2]))
# Under ASan+UBSan (CI's second run of the suite) the rig and
# 14 boards on 2 cores cut up to ~170 ms late, more than the ms-scale windows
# are wide: there the edges of delay windows are reported, not asserted (the
# plain build asserts them; fraction windows are asserted in both)
sanitized = os.environ.get("RIG_SANITIZED") == "1"
bad = 0
def fail(timing, msg):
    global bad
    if timing and sanitized:
        print("  (sanitizer build, not asserted) " + msg)
    else:
        print("  FAIL: " + msg); bad += 1
unmeasured = 0
variants = {}
for dev, e in sorted(exp.items()):
    variants.setdefault(e["variant"], (e, []))[1].append(dev)
for name, (e, devs) in sorted(variants.items()):
    rows = sorted((r["cut_planned"], r["verdict"]) for r in d["rows"] if r["final"] and r["device"] in devs)
    fails = [x for x, v in rows if v in ("fail", "brick")]
    # judged points only: an inconclusive run (the cut missed its moment, as
    # under load) says nothing about the window
    inside = [x for x, v in rows if v in ("pass", "fail", "brick") and e["from"] + e["tol"] <= x <= e["to"] - e["tol"]]
    print("%-20s window %g..%g: %s" % (e["variant"], e["from"], e["to"], " ".join("%g:%s" % r for r in rows)))
    judged = [x for x, v in rows if v in ("pass", "fail", "brick")]
    timing = e["param"] == "delay"
    if len(rows) != 8:
        print("  FAIL: %d final runs, 8 planned" % len(rows)); bad += 1
    if not fails and len(judged) * 4 <= len(rows):
        # the cuts missed their moments (ms-scale windows under load):
        # nothing measured, which is not a pass either; a window that is
        # not there gives judged passes, not this
        print("  not measured: %d of %d points inconclusive" % (len(rows) - len(judged), len(rows)))
        unmeasured += not sanitized or not timing
        continue
    if not fails:
        fail(timing, "nothing caught")
    stray = [x for x in fails if not (e["from"] - e["tol"] <= x and (e["open_end"] or x <= e["to"] + e["tol"]))]
    if stray:
        fail(timing, "failures outside the published window: %s" % stray)
    missed = [x for x in inside if x not in fails]
    # half may pass: under load the rig reads the console tens of ms after
    # the board wrote it, which moves a ms-scale cut later than planned; a
    # window that is not there at all still fails every inside point
    if len(missed) * 2 > len(inside):
        fail(timing, "too many points well inside the window passed: %s" % missed)
    elif missed:
        print("  (probabilistic: %s inside the window passed)" % missed)
if unmeasured > 1:
    print("FAIL: %d variants not measured (at most one may be)" % unmeasured); bad += 1
sys.exit(1 if bad else 0)
PY

# Bisection: one quiet single-env board, one hostile, and single-env under
# cut-install (two windows); each board bisects its own stream. The second
# window (the environment write at the end of the install) is ~30 ms wide and
# ends with the install, ~0.40 s after `installing` on a quiet machine and
# later under load: the scan reaches past it (cuts after the install are
# inconclusive) with a step of 12.5 ms, so two or three scan points fall in
# it (with 16 points over 0..0.4 one unlucky point missed it in CI).
# cut-first-boot's window (18..46 ms after the boot marker) gets a scan step of
# 7.5 ms, so four scan points fall in it: under ASan with the hostile board
# flooding the console the cut's jitter reached 167 ms in CI, and with the
# default 8 points (two inside) both missed.
rack "b1:single-env,b2:single-env:hostile,b3:single-env"
cat >"$T/bisect.lua" <<EOC
return { name = "bisect", seed = 8, lab = "$LAB", timeout = 120, tests = {
  { scenario = "cut-first-boot", devices = { "b1", "b2" },
    cut = { param = "delay", strategy = "bisect", from = 0, to = 0.12, resolution = 0.002, scan = 16 } },
  { scenario = "cut-install", devices = { "b3" },
    cut = { param = "delay", strategy = "bisect", from = 0, to = 0.5, resolution = 0.004, scan = 40 } },
} }
EOC
"$RIG" campaign "$T/bisect.lua" --db "$T/b.db" --json "$T/bisect.json" >"$T/bout" 2>&1 || true
grep "^findings" "$T/bout" | cut -c1-400 || true
python3 - "$T/bisect.json" "$T/sweep.json" <<'PY'
import json, math, os, sys
d = json.load(open(sys.argv[1]))
f = {x["device"]: x for x in d["findings"]}
ok = True
unmeasured = 0
# as above: under a sanitizer the cut wanders by more than these windows are
# wide, so where windows lie is reported there, and only the plain build
# asserts it; the probe bounds hold in both
sanitized = os.environ.get("RIG_SANITIZED") == "1"
def check(good, msg):
    global ok
    if not good:
        print("  %s%s" % ("(sanitizer build, not asserted) " if sanitized else "FAIL: ", msg))
        ok &= sanitized
def edge(name, got, want, tol):
    good = abs(got - want) <= tol
    print("  %-28s %.4f (published %.4f, tolerance %.4f) %s" % (name, got, want, tol, "ok" if good else "off"))
    check(good, "%s off by more than the tolerance" % name)
for dev in ("b1", "b2"):
    x = f[dev]
    print("%s single-env cut-first-boot: %s" % (dev, x["summary"]))
    if not x["windows"] and x["jitter"] > 0.046 - 0.018:
        # the cut wandered by more than the window is wide (a loaded
        # machine): the rig says so in its flags, and nothing was measured;
        # one of the two boards may end so, not both
        print("  not measured: jitter %.3f s is wider than the 28 ms window" % x["jitter"])
        unmeasured += 1
        continue
    # the probe bound holds in both builds, per window found (a split one too)
    nw = max(1, len(x["windows"]))
    n = 0.12 / 0.002
    if x["probes"] > nw * 2 * math.log2(n) + 16:
        print("  FAIL: %d probes > %d window(s) x 2*log2(%d) + 16" % (x["probes"], nw, n)); ok = False
    if len(x["windows"]) != 1:
        check(False, "expected one window, found %d" % len(x["windows"]))
        continue
    w = x["windows"][0]
    tol = max(0.008, 2 * x["jitter"])
    edge("first failing cut", w["first_fail"], 0.018, tol)
    edge("last failing cut", w["last_fail"], 0.046, tol)
if unmeasured > 1:
    check(False, "neither board measured cut-first-boot's window")
x = f["b3"]
print("b3 single-env cut-install: %s" % x["summary"])
ws = x["windows"]
n = 0.5 / 0.004
if x["probes"] > 2 * (2 * math.log2(n)) + 40:
    print("  FAIL: %d probes > 2 windows x 2*log2(%d) + 40" % (x["probes"], n)); ok = False
if len(ws) < 2:
    check(False, "expected two windows, found %d" % len(ws))
else:
    # the two in-place environment writes: at the start of the install and at
    # its end; under load (the ASan stage) one passing probe can split the
    # second into two, but no window may lie between them
    print("  " + ", ".join("window %d %.3f..%.3f" % (i + 1, w["first_fail"], w["last_fail"]) for i, w in enumerate(ws)))
    # the edges move by the cut's measured jitter (0.04 under ASan)
    slack = max(0.02, 2 * x["jitter"])
    check(ws[0]["last_fail"] < 0.1 + slack and all(w["first_fail"] > 0.3 - slack for w in ws[1:]),
          "a window between the two environment writes")
    check(len(ws) <= 3, "%d windows, at most one split expected" % len(ws))
sys.exit(0 if ok else 1)
PY
echo ok
