# Cut-point strategies find vulnerable windows on the simulated board:
#  1. a sweep campaign across each flawed variant's published window (one
#     board per variant, in parallel) fails inside the window and passes
#     outside it;
#  2. bisection finds the same edges within its resolution in at most
#     2*log2(n)+scan probes (n = range / resolution): on a quiet board, on a
#     noisy one (hostile console), and on one with two windows
#     (single-env under cut-install: its two environment writes).
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
        expect[dev] = {"variant": v["name"], "from": lo, "to": hi, "open_end": w.get("open_end", False),
                       "tol": max(0.3 * span, 0.03 if param == "delay" else 0.05)}
print('return { name = "windows", seed = 3, lab = "%s", timeout = 120, tests = {\n  %s,\n} }' % (sys.argv[2], ",\n  ".join(tests)))
os.write(3, ",".join(rack).encode())
os.write(4, json.dumps(expect).encode())
PY
rack "$(cat "$T/rack")"
"$RIG" campaign "$T/sweep.lua" --db "$T/r.db" --json "$T/sweep.json" >"$T/out" 2>&1 || true
tail -4 "$T/out"
python3 - "$T/sweep.json" "$T/expect.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); exp = json.load(open(sys.argv[2]))
bad = 0
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
    if not fails and len(judged) * 4 <= len(rows):
        # the cuts missed their moments (ms-scale windows under ASan and a
        # loaded machine): nothing measured, which is not a pass either;
        # a window that is not there gives judged passes, not this
        print("  not measured: %d of %d points inconclusive" % (len(rows) - len(judged), len(rows)))
        unmeasured += 1
        continue
    if not fails:
        print("  FAIL: nothing caught"); bad += 1
    stray = [x for x in fails if not (e["from"] - e["tol"] <= x and (e["open_end"] or x <= e["to"] + e["tol"]))]
    if stray:
        print("  FAIL: failures outside the published window: %s" % stray); bad += 1
    missed = [x for x in inside if x not in fails]
    # half may pass: under load (CI's ASan stage, 14 boards on 2 cores) the
    # rig reads the console up to ~100 ms after the board wrote it, which
    # moves a ms-scale cut later than planned; a window that is not there
    # at all still fails every inside point
    if len(missed) * 2 > len(inside):
        print("  FAIL: too many points well inside the window passed: %s" % missed); bad += 1
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
rack "b1:single-env,b2:single-env:hostile,b3:single-env"
cat >"$T/bisect.lua" <<EOC
return { name = "bisect", seed = 8, lab = "$LAB", timeout = 120, tests = {
  { scenario = "cut-first-boot", devices = { "b1", "b2" },
    cut = { param = "delay", strategy = "bisect", from = 0, to = 0.12, resolution = 0.002 } },
  { scenario = "cut-install", devices = { "b3" },
    cut = { param = "delay", strategy = "bisect", from = 0, to = 0.5, resolution = 0.004, scan = 40 } },
} }
EOC
"$RIG" campaign "$T/bisect.lua" --db "$T/b.db" --json "$T/bisect.json" >"$T/bout" 2>&1 || true
grep "^findings" "$T/bout" | cut -c1-400 || true
python3 - "$T/bisect.json" "$T/sweep.json" <<'PY'
import json, math, sys
d = json.load(open(sys.argv[1]))
f = {x["device"]: x for x in d["findings"]}
ok = True
def edge(name, got, want, tol):
    global ok
    good = abs(got - want) <= tol
    ok &= good
    print("  %-28s %.4f (published %.4f, tolerance %.4f) %s" % (name, got, want, tol, "ok" if good else "FAIL"))
for dev in ("b1", "b2"):
    x = f[dev]
    print("%s single-env cut-first-boot: %s" % (dev, x["summary"]))
    if len(x["windows"]) != 1:
        print("  FAIL: expected one window"); ok = False; continue
    w = x["windows"][0]
    tol = max(0.008, 2 * x["jitter"])
    edge("first failing cut", w["first_fail"], 0.018, tol)
    edge("last failing cut", w["last_fail"], 0.046, tol)
    n = 0.12 / 0.002
    if x["probes"] > 2 * math.log2(n) + 8:
        print("  FAIL: %d probes > 2*log2(%d)+8" % (x["probes"], n)); ok = False
x = f["b3"]
print("b3 single-env cut-install: %s" % x["summary"])
ws = x["windows"]
if len(ws) < 2:
    print("  FAIL: expected two windows"); ok = False
else:
    # the two in-place environment writes: at the start of the install and at
    # its end; under load (the ASan stage) one passing probe can split the
    # second into two, but no window may lie between them
    print("  " + ", ".join("window %d %.3f..%.3f" % (i + 1, w["first_fail"], w["last_fail"]) for i, w in enumerate(ws)))
    # the edges move by the cut's measured jitter (0.04 under ASan)
    slack = max(0.02, 2 * x["jitter"])
    ok &= ws[0]["last_fail"] < 0.1 + slack and all(w["first_fail"] > 0.3 - slack for w in ws[1:])
    if len(ws) > 3:
        print("  FAIL: %d windows, at most one split expected" % len(ws)); ok = False
    n = 0.5 / 0.004
    if x["probes"] > 2 * (2 * math.log2(n)) + 40:
        print("  FAIL: %d probes > 2 windows x 2*log2(%d) + 40" % (x["probes"], n)); ok = False
sys.exit(0 if ok else 1)
PY
echo ok
