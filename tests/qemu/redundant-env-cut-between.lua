-- A cut between the two copy writes of an environment change on the
-- redundant-env variant (emulated/qemu/build-image). Run with
-- disk = "direct-nbd" (tests/qemu/574 and 579 set RIG_QEMU_DISK): every
-- write the guest issued survives the cut, and nbdkit's log counts the
-- bytes written to the boot partition. Armed once the download has started,
-- the cut comes at `bytes` (default 1025) written to boot. Each copy is
-- written in place (dd conv=notrunc,fsync): its 1024-byte block, a flush,
-- its directory entry (the mtime, 512 bytes), a flush; the other copy
-- follows ~0.3 s later. The rig reads nbdkit's log as it grows and cuts
-- while the request that reached the count is carried out, so 1025 lands
-- on the older copy's directory entry, its block already written and
-- flushed, before the newer copy's (1024 would land on the block itself,
-- which may not have been written yet). GRUB's GRUB-ENV line at the next
-- boot shows which copies were rewritten.
-- Verdicts: pass old-good (1.0.0/A boots, both copies are valid again after
-- the boot's writes, and the update then installs); fail when the copies
-- show that no copy was rewritten before the cut (the count was wrong),
-- another version or slot boots, a copy stays invalid or the update fails;
-- brick when no login comes.
local ota = require("lib.ota")
local renv = require("redundant_env")
local dev = rig.device
local upd = dev.config.update
local n = rig.param("bytes", 1025)

dev:provision()
local sa, sb = renv.seq_of("a"), renv.seq_of("b")
if not sa or not sb then rig.error(string.format("a copy is invalid before the test (a %s, b %s)", tostring(sa),
                                                 tostring(sb))) end
local newer = renv.newer(sa, sb)
local older = newer == "a" and "b" or "a"
rig.log("before: a SEQ %d, b SEQ %d, newer %s", sa, sb, newer)
local art = rig.artifact("target")
local downloading = rig.arm{ when = "console", match = "ota: downloading", action = "mark", label = "downloading" }
local installed = rig.arm{ when = "console", match = upd.installed, action = "mark", label = "installed" }
ota.start_install(art)
local d = downloading:wait(120)
rig.check(d and d.fired, "the download did not start")
local t = rig.arm{ when = "written", partition = "boot", bytes = n, label = "cut-env" }
local info = t:wait(upd.timeout)
rig.check(info and info.fired, "no cut after %d bytes written to boot (%s)", n, tostring(info and info.state))
rig.check(not installed:fired(), "the install finished before the cut")
rig.log("cut at %d bytes written to boot", info.offset)

dev:on()
-- GRUB's first line: which copies it found valid, with what SEQ
local hit = dev:expect("GRUB-ENV: a=\\[(\\d*)\\] b=\\[(\\d*)\\] newer=\\[([ab]?)\\]", 120)
if not hit then
  rig.log("console tail: %s", rig.strip_kernel(dev:console_tail(800) or ""))
  rig.brick("no GRUB-ENV line within 120 s of the power-on after the cut", "brick")
end
local ca, cb = tonumber(hit[1]), tonumber(hit[2])
local seqs = { a = sa, b = sb }
local now = { a = ca, b = cb }
local function rewritten(c) return now[c] ~= nil and now[c] ~= seqs[c] end
local landed
if rewritten(older) and not rewritten(newer) then landed = "between the two copies' writes"
elseif rewritten(older) and rewritten(newer) then landed = "after both copies' writes"
else
  rig.fail(string.format("no copy rewritten before the cut at %d bytes to boot: a=[%s] b=[%s] (before: a %d, b %d)",
                         info.offset, hit[1], hit[2], sa, sb), "other")
end
rig.log("at the boot after the cut: a=[%s] b=[%s] newer=[%s]: the cut landed %s", hit[1], hit[2], hit[3], landed)
rig.event("env.copies", { a = ca, b = cb, newer = hit[3], landed = landed })
local ok, why = dev:boot()
rig.check(ok, "no login after the cut: %s", tostring(why))
local v, s = dev:version(), dev:slot()
if v ~= "1.0.0" or s ~= "A" then
  rig.fail(string.format("after a cut %s: booted %s/%s, expected 1.0.0/A", landed, tostring(v), tostring(s)), "other")
end
local ra, rb = renv.seq_of("a"), renv.seq_of("b")
if not ra or not rb then
  rig.fail(string.format("a copy is invalid after the boot (a %s, b %s)", tostring(ra), tostring(rb)), "not-repaired")
end
local out, st = dev:install("target")
if st ~= 0 then
  rig.fail(string.format("after a cut %s the update fails: %s", landed, tostring(out):sub(-300)), "update-blocked")
end
rig.verdict("pass", "old-good", string.format("cut at %d bytes to boot, %s; 1.0.0/A booted, the update then installed",
                                              info.offset, landed))
