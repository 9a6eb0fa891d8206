# Device health: a bricked board is brought back (power cycle, then its
# recovery command) and goes on; a board that stays broken is quarantined
# and the campaign finishes on the others; its errors are the lab's, kept
# apart from the product's failures.
set -eu
. "$(dirname "$0")/camp.sh"
rack "r1:robust,r2:robust:dead,r3:inplace"
cat >"$T/c.lua" <<EOC
return {
  name = "health", seed = 5, lab = "$LAB", timeout = 60, retries = 1,
  tests = {
    { scenario = "baseline", ["repeat"] = 2 },
    { scenario = "cut-install", params = { delay = 0.22 } },
    { scenario = "baseline" },
  },
}
EOC
set +e
"$RIG" campaign "$T/c.lua" --db "$T/r.db" --json "$T/r.json" >"$T/out" 2>&1
rc=$?
set -e
cat "$T/out"
[ $rc = 1 ] || fail "exit status $rc, expected 1 (inplace bricks)"
grep -q "^quarantined: r2: health check" "$T/out" || fail "r2 not quarantined"
python3 - "$T/r.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
fin = [r for r in d["rows"] if r["final"]]
by = lambda dev: [r for r in fin if r["device"] == dev]
assert len(by("r1")) == 4 and all(r["verdict"] == "pass" for r in by("r1")), "r1 ran everything: %s" % by("r1")
r3 = by("r3")
assert len(r3) == 4, "r3 finished its 4 jobs after its brick: %s" % [(r["job"], r["verdict"]) for r in r3]
assert [r["verdict"] for r in r3 if r["test"] == "cut-install"] == ["brick"], "inplace bricks at 220 ms"
assert [r["verdict"] for r in r3 if r["test"] == "baseline"] == ["pass"] * 3, "r3 healthy again after the brick"
r2 = by("r2")
assert len(r2) == 1 and r2[0]["verdict"] == "error" and r2[0]["infra"], "r2: one final infra error, then quarantine: %s" % r2
health = [r for r in d["rows"] if r["kind"] == "health"]
assert any(r["device"] == "r3" and r["verdict"] == "pass" and "provision" in (r["message"] or "") for r in health), \
    "r3 recovered by its recovery command"
assert any(r["device"] == "r2" and r["verdict"] != "pass" for r in health), "r2 failed its health check"
assert d["counts"]["fail"] == 0 and d["counts"]["brick"] == 1 and d["counts"]["error_infra"] == 1, d["counts"]
assert d["apart"]["retried_errors"] == 0, d["apart"]   # r2 never got its retry: quarantined first
print("ok: r2 quarantined, r1 and r3 finished; r3 reflashed after its brick")
PY
