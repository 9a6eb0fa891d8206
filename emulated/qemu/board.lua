-- The emulated x86_64 board both device files describe (rauc.lua and
-- swupdate.lua include it with their flavour's few differences): GRUB A/B with
-- ORDER/A_OK/A_TRY in grubenv, the Debian cloud kernel, a systemd root file
-- system per slot and a data partition, built by emulated/qemu/build-image
-- (docs/qemu.md). Power is QEMU itself (driver `qemu`): off is SIGKILL; the
-- disk is a qcow2 overlay of the golden image that lives as long as the
-- device's state directory.
--
-- include("board.lua", flavour) with flavour = { name = "rauc" | "swupdate",
-- stack = "<update stack and version>", ext = "<artifact extension>",
-- mark_good = "<command>" }.
--
-- Environment (all optional):
--   RIG_QEMU_IMAGE_DIR  the built image (default $RIG_IMAGE_CACHE/<flavour>-current,
--                       RIG_IMAGE_CACHE defaulting to /var/cache/rig/images)
--   RIG_QEMU_STATE      directory of the overlay and QEMU's log (default /tmp/rig-qemu-<id>)
--   RIG_QEMU_ID         device id (default qemu-<flavour>-1)
--   RIG_QEMU_ACCEL      auto (default: KVM only if a probe boot works), kvm or tcg
--   RIG_QEMU_DISK       direct (default), direct-nbd (the same, served by nbdkit:
--                       writes counted per partition) or volatile-cache (nbdkit
--                       writeback cache: a cut loses every write since the
--                       guest's last flush)
--   RIG_QEMU_VARIANT    the disk: empty (default) for disk.img, or an image variant
--                       (variants/<name>.img, manifest.json "variants"): nosync
--                       (boot partition without `sync`), multi-try (3 tries per
--                       slot), b-active (start on slot B), after-rollback (B's try
--                       spent, A good), redundant-env (grubenv in two copies with
--                       a sequence number)
--   RIG_QEMU_BOOT_TIMEOUT  seconds from power-on to the login prompt (default 360:
--                       several boots under load, e.g. multi-try's retries)
local _, flavour = ...
if type(flavour) ~= "table" then
  error("board.lua is the board rauc.lua and swupdate.lua include, not a device file: use one of those", 0)
end
local cache = os.getenv("RIG_IMAGE_CACHE") or "/var/cache/rig/images"
local img = os.getenv("RIG_QEMU_IMAGE_DIR") or (cache .. "/" .. flavour.name .. "-current")
local id = os.getenv("RIG_QEMU_ID") or "qemu-" .. flavour.name .. "-1"
local state = os.getenv("RIG_QEMU_STATE") or ("/tmp/rig-qemu-" .. id)
local disk = os.getenv("RIG_QEMU_DISK") or "direct"
local overlay = state .. (disk == "direct" and "/disk.qcow2" or "/disk.raw")
-- variant -> the slot it starts on (build-image's variant list)
local variant = os.getenv("RIG_QEMU_VARIANT") or ""
local variants = { [""] = "A", nosync = "A", ["multi-try"] = "A", ["b-active"] = "B", ["after-rollback"] = "A",
                   ["redundant-env"] = "A" }
local base_slot = variants[variant]
if not base_slot then
  error("RIG_QEMU_VARIANT=" .. variant .. ": unknown image variant (nosync, multi-try, b-active, after-rollback, redundant-env)")
end
local disk_image = img .. (variant == "" and "/disk.img" or ("/variants/" .. variant .. ".img"))
local boot_timeout = tonumber(os.getenv("RIG_QEMU_BOOT_TIMEOUT") or "360")
if not boot_timeout or boot_timeout <= 0 then
  error("RIG_QEMU_BOOT_TIMEOUT must be a positive number of seconds")
end

return {
  schema = 1,
  id = id,
  name = "QEMU x86_64, GRUB A/B, " .. flavour.stack .. (variant ~= "" and (", variant " .. variant) or ""),
  power = {
    driver = "qemu",
    image = disk_image,
    -- the image's manifest (partitions for at-rest faults and per-partition
    -- write counts), also for a variant disk
    manifest = img .. "/manifest.json",
    format = "raw",
    overlay = overlay,
    accel = os.getenv("RIG_QEMU_ACCEL") or "auto",
    disk = disk,
    probe_kernel = img .. "/vmlinuz",
    probe_initrd = img .. "/initrd.img",
    memory = 1024,
    smp = 2,
    off_time = 50,
  },
  console = { driver = "process" },
  shell = { login = "root", prompt = "root@dut:~# $", kernel_filter = true, login_delay_ms = 300 },
  -- GRUB prints the marker at every boot (it is the bootloader's own output);
  -- the getty's prompt comes after the booted slot was marked good.
  boot = { marker = "GRUB-AB: ORDER=", ready = "dut login: $", timeout = boot_timeout },
  update = {
    install = "ota-install {url} {sha256}",
    installing = "ota: installing",
    installed = "ota: installed",
    failed = "ota: error",
    version = "cat /etc/version",
    slot = "ota-slot",
    status = "ota-status",
    mark_good = flavour.mark_good,
    timeout = 300,
  },
  recovery = {
    cycles = 3,
    -- The golden image again: a fresh overlay at the next power-on.
    provision = function(dev)
      dev:off()
      local code, out = rig.host(string.format("mkdir -p %s && rm -f %s", rig.shell_quote(state),
                                               rig.shell_quote(overlay)), 30)
      if code ~= 0 then return nil, out end
      return true
    end,
    version = "1.0.0",
    slot = base_slot,
  },
  artifacts = {
    target = img .. "/bundles/v2." .. flavour.ext,
    next = img .. "/bundles/v3." .. flavour.ext,
    wrong_hw = img .. "/bundles/v2-wronghw." .. flavour.ext,
    bad_signature = img .. "/bundles/v2-badsig." .. flavour.ext,
    truncated = img .. "/bundles/v2-truncated." .. flavour.ext,
    unhealthy = img .. "/bundles/v2-unhealthy." .. flavour.ext,   -- boots, fails its health check, reboots
    hanging = img .. "/bundles/v2-hang." .. flavour.ext,          -- the boot stops before sysinit.target
  },
  artifact_versions = {
    target = "2.0.0", next = "3.0.0", wrong_hw = "2.0.0", bad_signature = "2.0.0", truncated = "2.0.0",
    unhealthy = "2.0.0", hanging = "2.0.0",
  },
}
