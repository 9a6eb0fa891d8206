-- The simulated A/B device (rig-sim) as a rig device: the process power
-- driver runs it on a pty; SIGKILL of its process group is the power cut.
--
-- Environment (all optional):
--   RIG_SIM          path of the rig-sim binary (default build/rig-sim)
--   RIG_SIM_STATE    its flash (state directory; default /tmp/rig-sim-<id>)
--   RIG_SIM_VARIANT  robust (default) or a flawed variant (rig-sim variants)
--   RIG_SIM_HOSTILE  a seed: hostile console mode
--   RIG_SIM_ARTIFACTS directory of the built artifacts (default build/sim)
--   RIG_SIM_ID       device id (default sim-1)
--   RIG_SIM_BOOT_TIMEOUT  seconds a boot may take (default 4); with
--   RIG_SIM_RECOVERY_CYCLES (default 4) it sets how long a brick takes to call
--   RIG_SIM_SERIAL   the board's serial number (printed at boot, /sys/serial)
--   RIG_SIM_EXPECT_SERIAL  an identity check: the serial the device file
--                    expects, at every boot and by `cat /sys/serial`
--   RIG_SIM_ARGS     extra arguments for `rig-sim boot` (e.g. --watchdog 2)
--   RIG_SIM_DEVICES  a rack instead of one board: "ID:VARIANT[:MODE],..."
--                    (each board's state is RIG_SIM_STATE/ID, default
--                    /tmp/rig-sim-ID); each is tagged "sim" and its variant.
--                    MODE hostile: a hostile console; dead: a board whose
--                    flash is dead (never boots, reflashing fails)
local here = ...                      -- the directory of this file
local src = os.getenv("RIG_SRCDIR") or (here .. "/../..")
local bin = os.getenv("RIG_SIM") or (src .. "/build/rig-sim")
local arts = os.getenv("RIG_SIM_ARTIFACTS") or (src .. "/build/sim")

local function board(id, state, variant, hostile)
  local argv = { bin, "boot", "--state", state, "--variant", variant }
  if hostile and hostile ~= "" then
    argv[#argv + 1] = "--hostile"
    argv[#argv + 1] = hostile
  end
  for extra in (os.getenv("RIG_SIM_ARGS") or ""):gmatch("%S+") do argv[#argv + 1] = extra end
  local serial, want = os.getenv("RIG_SIM_SERIAL"), os.getenv("RIG_SIM_EXPECT_SERIAL")
  if serial and serial ~= "" then
    argv[#argv + 1] = "--serial"
    argv[#argv + 1] = serial
  end
  local identity
  if want and want ~= "" then
    identity = { printed = "board serial " .. want .. "\\r?$", command = "cat /sys/serial",
                 expect = "^" .. want .. "$" }
  end

  return {
    schema = 1,
    id = id,
    tags = { "sim", variant },
    identity = identity,
    name = "simulated A/B board (" .. variant .. ")",
    power = { driver = "process", command = argv, off_time = 50 },
    console = { driver = "process" },
    shell = { login = "root", password = "root", prompt = "root@sim:~# $", login_delay_ms = 150 },
    boot = { marker = "SIMBOOT 1\\.0", ready = "sim login: $",
             timeout = tonumber(os.getenv("RIG_SIM_BOOT_TIMEOUT") or "4") },
    update = {
      install = "updater install {url} {sha256}",
      installing = "updater: installing",
      installed = "updater: installed",
      failed = "updater: error",
      version = "cat /etc/version",
      status = "updater status",
      slot = function(dev)
        local out, st = dev:run("updater status")
        return out and out:match("booted=(%u)"), st
      end,
      mark_good = "updater mark-good",
      timeout = 60,
    },
    recovery = {
      cycles = math.tointeger(tonumber(os.getenv("RIG_SIM_RECOVERY_CYCLES") or "4")),
      provision = string.format("%s provision --state %s --version 1.0.0", bin, state),
      version = "1.0.0",
      slot = "A",
    },
    artifacts = {
      target = arts .. "/v2.img",
      next = arts .. "/v3.img",
      wrong_hw = arts .. "/v2-revB.img",
      unhealthy = arts .. "/v2-unhealthy.img",
      hanging = arts .. "/v2-hang.img",
      bad_signature = arts .. "/v2-badsig.img",
      truncated = arts .. "/v2-truncated.img",
    },
    artifact_versions = {
      target = "2.0.0", next = "3.0.0", wrong_hw = "2.0.0", unhealthy = "2.0.0-unhealthy",
      hanging = "2.0.0-hang", bad_signature = "2.0.0", truncated = "2.0.0",
    },
  }
end

local rack = os.getenv("RIG_SIM_DEVICES")
if rack and rack ~= "" then
  local base = os.getenv("RIG_SIM_STATE")
  local list = {}
  for item in rack:gmatch("[^,%s]+") do
    local id, variant, mode = item:match("^([%w%-_]+):?([%w%-]*):?(%w*)$")
    if not id then error("RIG_SIM_DEVICES: expected ID:VARIANT[:hostile], got " .. item) end
    local state = base and (base .. "/" .. id) or ("/tmp/rig-sim-" .. id)
    local b = board(id, state, variant ~= "" and variant or "robust",
                    mode == "hostile" and tostring(#list + 1) or nil)
    if mode == "dead" then
      b.power.command = { "/bin/sh", "-c", "echo 'dead board: flash read error'; exec sleep 100000" }
      b.recovery.provision = "echo 'reflash: flash write error' >&2; exit 1"
      b.tags[#b.tags + 1] = "dead"
    elseif mode ~= "" and mode ~= "hostile" then
      error("RIG_SIM_DEVICES: mode must be hostile or dead, got " .. mode)
    end
    list[#list + 1] = b
  end
  return list
end

local id = os.getenv("RIG_SIM_ID") or "sim-1"
return board(id, os.getenv("RIG_SIM_STATE") or ("/tmp/rig-sim-" .. id),
             os.getenv("RIG_SIM_VARIANT") or "robust", os.getenv("RIG_SIM_HOSTILE"))
