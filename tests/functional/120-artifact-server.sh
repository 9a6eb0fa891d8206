# The artifact server: Range (206, 416), faults on demand (Range answered with
# 200, drop at byte N, corrupt byte N, stall, throttle), the byte counts in the
# timeline, and TLS.
. "$(dirname "$0")/lib.sh"
need curl
head -c 200000 /dev/urandom >"$T/a.img"
scenario serve <<LUA
local a = rig.artifact("target")
local function get(args, out)
  local argv = { "curl", "-sS", "-k", "-o", "$T/" .. out, "-w", "%{http_code}", "--max-time", "8" }
  for _, x in ipairs(args) do argv[#argv + 1] = x end
  argv[#argv + 1] = a.url
  local code, text = rig.host(argv, 15)
  return code, text
end
local code, http = get({ "-r", "100-199" }, "range")
rig.check(code == 0 and http == "206", "range: %s %s", code, http)
code, http = get({ "-r", "300000-" }, "r416")
rig.check(http == "416", "unsatisfiable range: %s", http)
rig.serve("target", { range_as_200 = true })
code, http = get({ "-r", "100-199" }, "r200")
rig.check(http == "200", "range as 200: %s", http)
rig.serve("target", { drop_at = 50000, times = 1 })
code, http = get({}, "dropped")
rig.check(code ~= 0, "a dropped connection is an error for the client")
code, http = get({}, "after-drop")
rig.check(code == 0 and http == "200", "times = 1: the next request is clean")
rig.serve("target", { corrupt_at = 1234 })
code, http = get({}, "corrupt")
rig.serve("target", { stall_at = 1000, stall = 1.5, times = 1 })
local t0 = rig.now()
code, http = get({}, "stalled")
rig.check(code == 0 and rig.now() - t0 >= 1.4, "stall of 1.5 s: %.2f s", rig.now() - t0)
rig.serve("target", { throttle = 100000, times = 1 })
t0 = rig.now()
code, http = get({}, "throttled")
rig.check(code == 0 and rig.now() - t0 >= 1.5, "200 kB at 100 kB/s took %.2f s", rig.now() - t0)
rig.serve("target", nil)
LUA
run_rig 0 run "$T/serve.lua" --device "$DEV" --artifact "$T/a.img" -v
expect_out "^PASS"
cmp -s <(tail -c +101 "$T/a.img" | head -c 100) "$T/range" || fail "range content"
cmp -s "$T/r200" "$T/a.img" || fail "range answered with 200 is not the whole file"
[ "$(stat -c %s "$T/dropped")" -eq 50000 ] || fail "dropped at $(stat -c %s "$T/dropped"), not 50000"
cmp -s "$T/after-drop" "$T/a.img" || fail "after the drop"
[ "$(cmp -l "$T/corrupt" "$T/a.img" | wc -l)" -eq 1 ] || fail "corrupt: not exactly one byte differs"
cmp -l "$T/corrupt" "$T/a.img" | grep -q '^ *1235 ' || fail "corrupt: wrong byte"
cmp -s "$T/stalled" "$T/a.img" || fail "stalled content"
cmp -s "$T/throttled" "$T/a.img" || fail "throttled content"
expect_out 'http.fault +\{"name":"[^"]*target","fault":"drop","offset":50000\}'
expect_out 'http.done +\{"name":"[^"]*target","sent":200000,"complete":true\}'
expect_out 'serve.faults'

# TLS, when openssl can make a certificate.
if command -v openssl >/dev/null; then
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 1 \
		-subj /CN=127.0.0.1 >/dev/null 2>&1
	scenario tls <<LUA
local a = rig.artifact("target")
rig.check(a.url:match("^https://"), "url %s", a.url)
local code = rig.host({ "curl", "-sSk", "-o", "$T/tls.img", a.url }, 10)
rig.check(code == 0, "https fetch")
LUA
	run_rig 0 run "$T/tls.lua" --device "$DEV" --artifact "$T/a.img" --tls-cert "$T/cert.pem" --tls-key "$T/key.pem"
	cmp -s "$T/tls.img" "$T/a.img" || fail "TLS content"
fi
# Bind address and the URL devices use.
scenario url <<'LUA'
rig.check(rig.artifact("target").url:match("^http://board%-net%.lab:%d+/"), rig.artifact("target").url)
LUA
run_rig 0 run "$T/url.lua" --device "$DEV" --artifact "$T/a.img" --url-host board-net.lab
run_rig 2 run "$T/url.lua" --device "$DEV" --artifact "$T/a.img" --listen not-an-address
