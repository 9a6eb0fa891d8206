-- Device health check, run by campaigns after a brick or an error and when
-- a campaign resumes (docs/campaigns.md): is this device fit for the next run?
--
--  1. power cycle, wait for the boot and log in;
--  2. if that fails, the recovery command (recovery.reflash, else
--     recovery.provision: a reflash or a reset of the flash), then provision
--     and check the known state.
-- Parameters: mode=check (default) or provision (resume: go straight to a
-- provisioned known state).
-- Verdict: pass (healthy, the message says how), fail (still broken: the
-- campaign quarantines the device), error (the lab failed).
local dev = rig.device
local recovery = dev.config.recovery or {}
local mode = rig.param("mode", "check")

local function try_boot()
  dev:off()
  dev:on()
  return dev:boot()
end

if mode == "provision" then
  dev:provision()
  rig.pass("provisioned", "healthy")
end

local ok, why = try_boot()
if ok then rig.pass("came back after a power cycle", "healthy") end
rig.event("health.cycle-failed", { why = why })

local cmd = recovery.reflash or recovery.provision
if not cmd then
  rig.fail("does not boot after a power cycle (" .. tostring(why) .. ") and has no recovery command",
           "broken")
end
if recovery.reflash then
  local code, out = rig.host(recovery.reflash, recovery.reflash_timeout or 1800)
  if code ~= 0 then rig.fail(string.format("reflash failed (exit %d): %s", code, out), "broken") end
end
-- provision() runs recovery.provision, boots, and checks version and slot;
-- a failure raises an error verdict, which the campaign treats as broken.
dev:provision()
rig.pass("recovered by " .. (recovery.reflash and "reflash" or "provisioning"), "healthy")
