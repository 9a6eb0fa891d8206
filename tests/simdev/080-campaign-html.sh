# The HTML report is one self-contained page: no script, no fetch; what a
# device printed (markup, </script>, invalid UTF-8, terminal escapes) lands
# as text; headless Chromium renders it (a screenshot is kept with the test
# artefacts) and still renders it at 10,000 runs.
set -eu
: "${RIG_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${RIG_BUILDDIR:=$RIG_SRCDIR/build}"
: "${RIG:=$RIG_BUILDDIR/rig}"
command -v python3 >/dev/null || { echo "SKIP: python3"; exit 77; }
CHROME=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROME" ] || { echo "SKIP: chromium (scripts/setup --with-tests installs it)"; exit 77; }
T=$(mktemp -d /tmp/rig-html.XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
ART="$RIG_BUILDDIR/test-artifacts"
mkdir -p "$ART"

# A database as campaigns leave it: schema from the rig, rows written here.
# RUNS runs over 4 devices and 3 tests, earlier campaigns for the trend, and
# console output from a hostile device in every failing run.
mkdb() {
	"$RIG" history --db "$1" >/dev/null
	python3 - "$1" "$2" <<'PY'
import random, sqlite3, sys
db, runs = sys.argv[1], int(sys.argv[2])
rnd = random.Random(7)
c = sqlite3.connect(db)
evil = (b"SIMBOOT 1.0\r\n</script><script>document.title='pwned'</script>\r\n"
        b"<img src=x onerror=\"document.title='pwned2'\">\xff\xfe\xc3\x28 bad utf8 \x1b[31mred\x1b[0m\r\n"
        b"ENV write ok CANARY-console-7731 \x00\x07\r\n")
t0 = 10**12
for camp in (1, 2, 3):
    n = runs if camp == 3 else 40
    c.execute("INSERT INTO campaigns(id,name,file,seed,host,wall_start,wall_end,status,findings_json) VALUES (?,?,?,?,?,?,?,?,?)",
              (camp, "nightly", "nightly.lua", 42, "lab-host", 1796000000000000000 + camp * 86400 * 10**9,
               1796000000000000000 + camp * 86400 * 10**9 + 3600 * 10**9, "done",
               '[{"summary":"cut-install on d1, delay in [0, 0.5]: window 1: 0.1 .. 0.34 </script>","windows":[]}]'))
    for i in range(n):
        dev = "d%d" % (i % 4)
        test = ["cut-install", "cut-download", "baseline"][i % 3]
        x = rnd.random() * 0.5
        if test == "cut-install":
            v = "brick" if 0.1 <= x <= 0.34 and dev == "d1" else ("inconclusive" if x > 0.45 else "pass")
        elif test == "cut-download":
            v = "fail" if dev == "d2" and camp == 3 else "pass"
        else:
            v = "error" if i % 97 == 5 else "pass"
        cur = c.execute("INSERT INTO runs(campaign, campaign_id, scenario, device_id, params_json, seed, wall_start,"
                        " wall_end, t_start, t_end, verdict, outcome, message, job, attempt, kind, cut_planned,"
                        " cut_actual, cut_unit, cut_landed, infra) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        ("nightly", camp, "scenarios/%s.lua" % test, dev, '{"delay":"%.4f"}' % x, i, 0, 0, t0,
                         t0 + 3 * 10**9, v, "old-good" if v == "pass" else v, "msg <b>%d</b>" % i,
                         "t%d:%s/%s/delay=%.4f/n%d/r1" % (i % 3 + 1, test, dev, x, i), 0, "run",
                         x if test != "baseline" else None, x + 0.0003 if test != "baseline" else None,
                         "s", "install", 1 if v == "error" else 0))
        rid = cur.lastrowid
        if camp == 3 and v != "pass":
            c.execute("INSERT INTO events(run_id,t_ns,kind,detail) VALUES (?,?,?,?)", (rid, t0, "run.start", '{"x":"<script>"}'))
            c.execute("INSERT INTO console(run_id,t_ns,stream,bytes) VALUES (?,?,?,?)", (rid, t0 + 10**9, "rx", evil))
            c.execute("INSERT INTO events(run_id,t_ns,kind,detail) VALUES (?,?,?,?)", (rid, t0 + 2 * 10**9, "cut", '{"landed":"install"}'))
            c.execute("INSERT INTO console(run_id,t_ns,stream,bytes) VALUES (?,?,?,?)", (rid, t0 + 2 * 10**9 + 1, "rx", b"after the cut\r\n"))
        t0 += 4 * 10**9
c.commit()
PY
}

mkdb "$T/small.db" 120
"$RIG" report --db "$T/small.db" --campaign last --html "$T/small.html" >/dev/null
H="$T/small.html"
grep -qi "<script" "$H" && fail "a <script> element in the report"
grep -qiE "(src|href)=\"?(https?:|//)" "$H" && fail "an external reference in the report"
grep -q "&lt;/script&gt;&lt;script&gt;document.title" "$H" || fail "device markup is not escaped as text"
grep -q "CANARY-console-7731" "$H" || fail "the console around the cut is missing"
grep -q "power cut" "$H" || fail "no cut marker in the console"
grep -q "Trend against earlier campaigns" "$H" || fail "no trend table"
grep -q "<svg" "$H" || fail "no outcome-against-cut plot"
grep -q "window 1: 0.1 .. 0.34 &lt;/script&gt;" "$H" || fail "findings"
python3 -c "open('$H', encoding='utf-8', errors='strict').read()" || fail "the page is not valid UTF-8"

# Render: the DOM after Chromium parsed it, and a screenshot.
render() {
	timeout 120 "$CHROME" --headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
		--user-data-dir="$T/profile" "$@" 2>>"$T/chrome.log"
}
render --dump-dom "file://$H" >"$T/dom.html" || { tail -5 "$T/chrome.log"; fail "chromium could not render the report"; }
grep -q "<title>rig campaign nightly #3</title>" "$T/dom.html" || fail "the title changed: $(grep -o '<title>[^<]*' "$T/dom.html")"
grep -q "pwned" "$T/dom.html" && ! grep -q "document.title='pwned'" "$T/dom.html" && fail "device text ran as script"
grep -c "<circle" "$T/dom.html" | grep -qv '^0$' || fail "no points plotted"
render --screenshot="$T/small.png" --window-size=1280,2200 "file://$H" >/dev/null || fail "screenshot"
[ -s "$T/small.png" ] || fail "empty screenshot"
cp "$T/small.png" "$ART/campaign-report.png"
cp "$H" "$ART/campaign-report.html"

# 10,000 runs: written and rendered in one go.
mkdb "$T/big.db" 10000
start=$(date +%s%N)
"$RIG" report --db "$T/big.db" --campaign last --html "$T/big.html" --json "$T/big.json" >/dev/null
mid=$(date +%s%N)
render --screenshot="$T/big.png" --window-size=1280,2200 "file://$T/big.html" >/dev/null || fail "chromium could not render 10,000 runs"
end=$(date +%s%N)
[ -s "$T/big.png" ] || fail "empty screenshot at 10,000 runs"
cp "$T/big.png" "$ART/campaign-report-10k.png"
python3 -c "import json; d=json.load(open('$T/big.json')); assert d['runs'] == 10000, d['runs']" || fail "json at 10,000 runs"
echo "10,000 runs: report $(( (mid - start) / 1000000 )) ms, $(stat -c %s "$T/big.html") bytes; chromium render+screenshot $(( (end - mid) / 1000000 )) ms"
echo "ok (screenshots in $ART)"
