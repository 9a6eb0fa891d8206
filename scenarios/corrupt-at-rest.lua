-- State corrupted at rest: after a good update (v1 -> v2), power off, damage
-- the boot environment or the update client's status file in the board's
-- disk while it is off (dev:fault_at_rest), power on and judge. Needs a power
-- driver that edits storage at rest (qemu). Expected verdicts:
-- emulated/qemu/expected-faults.txt.
--
-- Parameters: fault=grubenv-zero (default) | grubenv-tear | grubenv-truncate
-- | status-zero | status-tear | status-truncate (the client's status file on
-- the ext4 data partition: status_partition, default "data", status_path,
-- default "/rauc.status", RAUC's statusfile=/data/rauc.status);
-- bytes=N (tear: garbage bytes at the start; truncate: the new size);
-- boot_wait=S (how long the corrupted board gets to reach a login, 150).
-- Before a status fault the data file system is remounted read-only, so it
-- is clean at rest (a dirty journal would be replayed by the driver first).
-- Verdicts: pass (new-good and a later update installs), fail outcome
-- update-blocked (boots, but the next update fails) or rolled-back / other
-- slot, brick (no login within boot_wait: e.g. a boot loop, with the
-- number of restarts seen).
local ota = require("lib.ota")
local dev = rig.device
local upd = dev.config.update
local fault = rig.param("fault", "grubenv-zero")
local what, how = fault:match("^(%a+)%-(%a+)$")
if (what ~= "grubenv" and what ~= "status") or (how ~= "zero" and how ~= "tear" and how ~= "truncate") then
  rig.error("fault: expected grubenv-zero|tear|truncate or status-zero|tear|truncate, got " .. fault)
end
local target = { file = "grubenv" }
if what == "status" then
  target = { partition = rig.param("status_partition", "data"), path = rig.param("status_path", "/rauc.status") }
end
local bytes = rig.param("bytes", -1)

dev:provision()
local out, st = dev:install("target")
rig.check(st == 0, "the good update failed: %s", tostring(out))
dev:reboot()
rig.check(dev:boot(), "no boot into the update")
local v0, s0 = dev:version(), dev:slot()
rig.check(v0 == rig.artifact("target").version or v0 == "2.0.0", "the update did not take: %s", tostring(v0))
if what == "status" then
  local mp = rig.param("status_mount", "/data")
  rig.log("status file before the fault: %s", tostring(dev:run("wc -c " .. mp .. target.path)))
  local q, qs = dev:run("sync && mount -o remount,ro " .. mp)
  if qs ~= 0 then rig.error(string.format("cannot remount %s read-only before the power-off: %s", mp, tostring(q))) end
end
dev:off()
target.how, target.bytes = how, bytes >= 0 and bytes or nil
local detail, err = dev:fault_at_rest(target)
if not detail then rig.error("the at-rest fault could not be written: " .. tostring(err)) end
rig.log("at rest: %s", detail)
ota.power_on_after_fault(fault)
local status_file = what == "status" and (rig.param("status_mount", "/data") .. target.path) or nil
if status_file then   -- evidence: the file as the client finds it after the boot
  rig.log("status file after the boot: %s", tostring(dev:run(string.format(
    "wc -c < %s; head -c 32 %s | od -An -tx1", status_file, status_file))))
end
local v, s = dev:version(), dev:slot()
if v ~= v0 or s ~= s0 then
  rig.fail(string.format("%s: booted %s/%s, was %s/%s", fault, tostring(v), tostring(s), v0, s0),
           v == "1.0.0" and "rolled-back" or "other")
end
local out2, st2 = dev:install("next")
if status_file then
  rig.log("client log on the status file: %s", tostring(dev:run(
    "journalctl -b --no-pager | grep -i -F -e 'status file' -e 'rauc.status' -e 'key file' | tail -n 6")))
end
if st2 ~= 0 then
  local why = (out2 or ""):match("LastError:[^\n]*") or (out2 or ""):match("[^\n]*[Ff]ailed[^\n]*") or "?"
  rig.fail(string.format("%s: boots %s/%s but the next update fails: %s", fault, v, s, why), "update-blocked")
end
rig.verdict("pass", "new-good", string.format("%s: boots %s/%s and the next update installs", fault, v, s))
