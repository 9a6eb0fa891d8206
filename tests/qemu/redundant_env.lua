-- Helpers of the test scenarios on the redundant-env image variant
-- (emulated/qemu/build-image: /grub/grubenv.a and grubenv.b on the boot
-- partition, each with SEQ first and SEQ_END last; the newer of two valid
-- copies has the other's SEQ plus one, modulo 3).
local M = {}
local dev = rig.device
local dir

--- The boot partition's grub directory on the running board (/mnt/boot/grub/
--- on RAUC, /boot/grub/ on SWUpdate); an error when neither holds grubenv.a.
function M.dir()
  if dir then return dir end
  local found = dev:run("for d in /mnt/boot/grub /boot/grub; do [ -e $d/grubenv.a ] && echo $d/ && break; done")
  dir = found and found:match("(/[%w/]+/)")
  if not dir then rig.error("no grubenv.a in /mnt/boot/grub or /boot/grub: not the redundant-env variant?") end
  return dir
end

--- Copy "a" or "b": its SEQ when it is valid (SEQ_END equals SEQ), else nil;
--- read with the real grub-editenv, not the guest's wrapper (which picks a
--- copy itself).
function M.seq_of(c)
  local out, st = dev:run("/usr/bin/grub-editenv " .. M.dir() .. "grubenv." .. c .. " list")
  if st ~= 0 or not out then return nil end
  local seq = out:match("%f[%w_]SEQ=(%d+)")
  local seq_end = out:match("%f[%w_]SEQ_END=(%d+)")
  if not seq or seq ~= seq_end then return nil end
  return tonumber(seq)
end

--- The newer of two valid copies given their SEQs: "a" or "b".
function M.newer(sa, sb)
  return sa == (sb + 1) % 3 and "a" or "b"
end

return M
