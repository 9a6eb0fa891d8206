-- One copy of the redundant-env variant's GRUB environment damaged at rest
-- (emulated/qemu/build-image, variant redundant-env: /grub/grubenv.a and
-- grubenv.b, each with SEQ first and SEQ_END last). After a good v1 -> v2
-- update the board is powered off, the newer or the older copy (as read
-- from the running board) is damaged with dev:fault_at_rest, and the board
-- is powered on. Run by tests/qemu/572-redundant-env-at-rest.sh and
-- 577-swupdate-redundant-env-at-rest.sh against
-- emulated/qemu/expected-<flavour>-redundant-env.txt.
--
-- Parameters: copy=newer (default) | older; how=tear (default) | zero |
-- truncate; cut=VAR (truncate only: the copy's new size is the byte offset
-- of its line VAR=, default A_OK, so it keeps its header, SEQ and ORDER but
-- loses the other variables and SEQ_END); boot_wait=S (150).
-- Verdicts: pass (v2 boots on the same slot, both copies are valid again
-- after the boot's writes, and the next update installs); fail rolled-back
-- or other (another version or slot), not-repaired (the damaged copy is
-- still invalid after mark-good wrote the environment), update-blocked;
-- brick (no login within boot_wait).
local ota = require("lib.ota")
local renv = require("redundant_env")
local seq_of = renv.seq_of
local dev = rig.device
local which = rig.param("copy", "newer")
local how = rig.param("how", "tear")
if which ~= "newer" and which ~= "older" then rig.error("copy: expected newer or older, got " .. which) end

dev:provision()
local dir = renv.dir()
local out, st = dev:install("target")
rig.check(st == 0, "the good update failed: %s", tostring(out))
dev:reboot()
rig.check(dev:boot(), "no boot into the update")
local v0, s0 = dev:version(), dev:slot()
rig.check(v0 == "2.0.0", "the update did not take: %s", tostring(v0))   -- v2 is 2.0.0 (build-image)
local sa, sb = seq_of("a"), seq_of("b")
if not sa or not sb then
  rig.fail(string.format("before the fault: a copy is invalid (a SEQ %s, b SEQ %s)", tostring(sa), tostring(sb)),
           "other")
end
local newer = renv.newer(sa, sb)
local target = which == "newer" and newer or (newer == "a" and "b" or "a")
local opts = { partition = "boot", path = "/grub/grubenv." .. target, how = how }
if how == "truncate" then
  local var = rig.param("cut", "A_OK")
  local o = dev:run("grep -abo '^" .. var .. "=' " .. dir .. "grubenv." .. target)
  opts.bytes = tonumber((o or ""):match("(%d+):" .. var .. "="))
  if not opts.bytes then rig.error("no line " .. var .. "= in grubenv." .. target .. ": " .. tostring(o)) end
end
rig.log("before the fault: a SEQ %d, b SEQ %d, newer %s; damaging grubenv.%s (%s, %s)", sa, sb, newer, target,
        which, how)
dev:off()
local detail, err = dev:fault_at_rest(opts)
if not detail then rig.error("the at-rest fault could not be written: " .. tostring(err)) end
rig.log("at rest: %s", detail)

local what = string.format("%s copy (grubenv.%s) %s", which, target, how)
ota.power_on_after_fault(what)
local v, s = dev:version(), dev:slot()
if v ~= v0 or s ~= s0 then
  rig.fail(string.format("%s: booted %s/%s, was %s/%s", what, tostring(v), tostring(s), v0, s0),
           v == "1.0.0" and "rolled-back" or "other")
end
local ra, rb = seq_of("a"), seq_of("b")
rig.log("after the boot: a SEQ %s, b SEQ %s", tostring(ra), tostring(rb))
if not ra or not rb then
  rig.fail(string.format("%s: boots %s/%s but a copy is still invalid after mark-good (a SEQ %s, b SEQ %s)",
                         what, v, s, tostring(ra), tostring(rb)), "not-repaired")
end
local out2, st2 = dev:install("next")
if st2 ~= 0 then
  local why = (out2 or ""):match("[^\n]*[Ff]ailed[^\n]*") or "?"
  rig.fail(string.format("%s: boots %s/%s but the next update fails: %s", what, v, s, why), "update-blocked")
end
rig.verdict("pass", "new-good", string.format("%s: boots %s/%s, both copies valid again, the next update installs",
                                              what, v, s))
