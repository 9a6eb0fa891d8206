-- The verdict model of the stock scenarios (docs/verdicts.md).
--
-- A fault run: provision a known state, start an update, inject the fault,
-- let the device recover (counting any power cycle the rig had to add), read
-- what it runs, decide the outcome, then check that the recovery is stable
-- (one clean power cycle changes nothing) and that updates still work (the
-- same update and the next one install without manual cleanup).
--
-- Outcomes: old-good, new-good, rolled-back, resumed, brick (boot-loop, hang,
-- silent-console), error. Verdicts: pass, fail, brick, error, inconclusive.
--
-- Rules (each has a test in tests/functional):
--  * the expected version follows what the device acknowledged: once the
--    client printed `installed`, coming back on the old version is a fail
--    (a lost commit);
--  * after recovery, one clean power cycle must change nothing (same version,
--    slot and client status) and the same and the next update must install;
--  * power cycles the rig had to add beyond the scenario's own cuts are
--    counted; recovery that needed more than the scenario allows fails (in
--    the field nobody power-cycles the board);
--  * brick needs evidence (the power switched, the console port is there);
--    otherwise error;
--  * each run records where its cut landed; a cut that missed its phase is
--    inconclusive, not a pass.

local ota = {}
local dev = rig.device
local cfg = dev.config
local update = cfg.update or {}
local recovery = cfg.recovery or {}
local boot_cfg = cfg.boot or {}

---------------------------------------------------------------------------
-- observing the device

--- The client's status as a table of key=value lines (update.status), plus raw text.
function ota.status()
  if not update.status then return { _text = "" } end
  local out, st = dev:run(update.status)
  local t = { _text = out or "", _status = st }
  for k, v in (out or ""):gmatch("([%w_%-]+)=([^\n]*)") do t[k] = v end
  return t
end

--- What the device runs now: { version, slot, status }.
function ota.observe()
  local s = {}
  s.version = dev:version()
  s.slot = update.slot and dev:slot() or nil
  s.status = ota.status()
  rig.event("observe", { version = s.version, slot = s.slot, status = s.status._text })
  return s
end

function ota.same_state(a, b)
  return a.version == b.version and a.slot == b.slot and a.status._text == b.status._text
end

---------------------------------------------------------------------------
-- recovery and brick classification

-- Watch one boot attempt: how many markers, whether ready came, whether the
-- console printed anything at all.
local function watch_boot(timeout)
  local t0 = rig.now()
  local info0 = dev:console_info()
  local markers = 0
  local deadline = t0 + timeout
  while rig.now() < deadline do
    local which = dev:expect_any({ boot_cfg.marker or "(?!)", boot_cfg.ready or "(?!)" },
                                 deadline - rig.now())
    if which == 1 then
      markers = markers + 1
    elseif which == 2 then
      return { ready = true, markers = markers }
    else
      break
    end
  end
  local info1 = dev:console_info()
  return { ready = false, markers = markers, printed = info1["end"] - info0["end"],
           link = info1.link }
end

--- Bring the device back after a fault. `allowed` = power cycles the rig may
--- add without that counting against the device (e.g. a hang with no watchdog).
--- Returns { cycles = n } after a successful login, or ends the run as brick/error.
function ota.recover(ctx)
  local timeout = boot_cfg.timeout or 120
  local cycles_budget = recovery.cycles or 3
  local added = 0
  local seen = {}
  -- The scenario's own power-on after its cut (a device that rebooted by
  -- itself, e.g. refusing a commit, is already on its way).
  if ctx.cut and not ctx.repowered then
    local second = rig.param("second_cut", -1)
    if second >= 0 and not ctx.second_cut then
      -- A double fault: cut again `second_cut` s after the recovery boot's
      -- marker (the boot that recovers or rolls back), then power on.
      ctx.second_cut = true
      local t2 = rig.arm{ when = "console", match = boot_cfg.marker, delay = second, label = "second-cut" }
      dev:on()
      local i2 = t2:wait(timeout)
      if i2 and i2.fired then
        rig.event("second-cut", { delay = second, actual = i2.t_match and (i2.t_act_done - i2.t_match) / 1e9 or -1 })
      else
        t2:disarm()
        rig.event("second-cut", { delay = second, missed = true })
      end
      if dev:power_state() ~= "on" then dev:on() end
    else
      dev:on()
    end
    ctx.repowered = true
  end
  while true do
    local w = watch_boot(timeout)
    seen[#seen + 1] = w
    if w.ready then
      if dev:login() then
        ctx.added_cycles = (ctx.added_cycles or 0) + added
        rig.event("recovered", { added_cycles = added })
        return
      end
      w.login_failed = true
    end
    if added >= cycles_budget then break end
    added = added + 1
    rig.event("recovery.cycle", { n = added, markers = w.markers, printed = w.printed })
    local rep = dev:off()
    dev:on()
  end
  -- Never came back: brick, but only with evidence the lab worked.
  local last = seen[#seen]
  local evidence = {}
  local power = dev:power_state()
  if power == "off" then
    rig.error("the device reads back as powered off after power-on: the power path failed")
  end
  if last.link == false then
    rig.error("the console port is gone: cannot tell a brick from a lost console")
  end
  local kind
  local total_markers = 0
  for _, w in ipairs(seen) do total_markers = total_markers + w.markers end
  if total_markers == 0 and (last.printed or 0) == 0 then
    kind = "silent-console"
  elseif last.markers > 1 or total_markers > #seen then
    kind = "boot-loop"
  else
    kind = "hang"
  end
  ctx.added_cycles = (ctx.added_cycles or 0) + added
  rig.brick(string.format("no login within %d power cycles (%s; %d boot markers seen)",
                          added + 1, kind, total_markers), "brick:" .. kind)
end

--- Power on after a fault written at rest and wait for the login prompt,
--- counting the boot markers; no power cycle is added. Without a login
--- within the `boot_wait` parameter (default 150 s) the verdict is brick,
--- with the console's last boot as evidence; `what` names the fault.
function ota.power_on_after_fault(what)
  local markers, logged_in = 0, false
  local t_on = rig.now()
  dev:on()
  local wait = rig.param("boot_wait", 150)
  while rig.now() - t_on < wait do
    local i = dev:expect_any({ boot_cfg.marker, boot_cfg.ready }, wait - (rig.now() - t_on))
    if i == 1 then markers = markers + 1
    elseif i == 2 then logged_in = dev:login(60); break
    else break end
  end
  rig.event("fault.judge", { markers = markers, logged_in = logged_in and true or false })
  if not logged_in then
    rig.log("console tail: %s", rig.strip_kernel(dev:console_tail(800) or ""))
    rig.brick(string.format("%s: no login within %d s, %d boot markers (a boot loop if > 1)", what, wait, markers),
              "brick")
  end
end

---------------------------------------------------------------------------
-- the update and its phases

--- Start an install of `art` without waiting for it: the install line is sent
--- and the caller arms its fault and waits for markers.
function ota.start_install(art)
  local cmd = update.install
  if type(cmd) ~= "string" then rig.misuse("update.install must be a string for fault scenarios", 2) end
  local line = rig.expand(cmd, { url = art.url, sha256 = art.sha256, size = art.size, name = art.name,
                                 version = art.version or "" })
  dev:sendline(line)
end

--- Arm mark-only triggers on the client's phase markers, so the run knows
--- what the device acknowledged even when the cut comes first.
function ota.watch_phases(ctx)
  ctx.phases = {}
  if update.installing then
    ctx.phases.installing = rig.arm{ when = "console", match = update.installing, action = "mark",
                                     label = "installing" }
  end
  if update.installed then
    ctx.phases.installed = rig.arm{ when = "console", match = update.installed, action = "mark",
                                    label = "installed" }
  end
end

--- Was this phase marker printed (and when)? Returns its match time or nil.
function ota.seen(ctx, phase)
  local t = ctx.phases and ctx.phases[phase]
  if not t then return nil end
  local i = t:info()
  if i.fired then return i.t_match end
  return nil
end

--- Record where the cut landed, for the store and the inconclusive rule.
--- `planned` is the cut parameter's value and `unit` its unit ("s" after a
--- console match, "fraction" or "bytes" of a download); the actual value is
--- measured from the trigger (console: match to power-off done).
function ota.record_cut(ctx, info, intended, planned, unit, actual)
  ctx.cut = info
  ctx.intended = intended
  local installing = ota.seen(ctx, "installing")
  local installed = ota.seen(ctx, "installed")
  local t = info and info.t_act_done or rig.now_ns()
  local landed
  if installed and installed <= t then
    landed = ctx.rebooted and "after-reboot" or "after-installed"
  elseif installing and installing <= t then
    landed = "install"
  else
    landed = "download"
  end
  if ctx.first_boot_seen then landed = "first-boot" end
  ctx.landed = landed
  rig.event("cut", { intended = intended, landed = landed,
                     t_act_done = info and info.t_act_done or 0,
                     offset = info and info.offset or 0,
                     since_installing = installing and (t - installing) / 1e6 or -1,
                     since_installed = installed and (t - installed) / 1e6 or -1 })
  if actual == nil and unit == "s" and info and info.t_act_done and info.t_match then
    actual = (info.t_act_done - info.t_match) / 1e9
  end
  if not ctx.cut_recorded then   -- the first cut is the run's cut point
    ctx.cut_recorded = true
    rig.record_cut(planned, actual, unit, landed)
  end
  return landed
end

--- End as inconclusive if the cut missed the intended phase.
function ota.require_phase(ctx, ok_phases)
  for _, p in ipairs(ok_phases) do
    if ctx.landed == p then return end
  end
  rig.inconclusive(string.format("the cut meant for %s landed in %s", ctx.intended, ctx.landed))
end

---------------------------------------------------------------------------
-- outcome and verdict

--- Decide the outcome from what the device runs after recovery.
function ota.outcome(ctx, after)
  local v = after.version
  if v == ctx.new_version then
    if after.status.trial == "yes" or after.status.pending == "yes" then
      -- The new image runs on trial: finish what the client would finish.
      local out, st = dev:mark_good()
      if st ~= 0 then
        ctx.mark_good_refused = out
        return "new-unhealthy"
      end
    end
    return ctx.resumed and "resumed" or "new-good"
  elseif v == ctx.old_version then
    if ctx.new_booted then return "rolled-back" end
    return "old-good"
  end
  rig.fail(string.format("runs version %s: neither the old (%s) nor the new (%s)", tostring(v),
                         tostring(ctx.old_version), tostring(ctx.new_version)), "unknown")
end

--- The acknowledgement rule: after `installed`, old means a lost commit.
function ota.check_ack(ctx, outcome)
  if rig.param("ack_rule", "on") == "off" then return end   -- for the rule's own test
  if outcome == "old-good" and ota.seen(ctx, "installed") and not ctx.install_failed then
    rig.fail("lost commit: the client acknowledged the install (" .. tostring(update.installed) ..
             ") but the device came back on " .. tostring(ctx.old_version), "old-good")
  end
end

--- Stability: one clean power cycle changes nothing.
function ota.check_stable(ctx, before)
  dev:cycle()
  local ok, why = dev:boot()
  if not ok then rig.fail("after recovery, a clean power cycle did not boot: " .. why, ctx.outcome) end
  local after = ota.observe()
  if not ota.same_state(before, after) then
    rig.fail(string.format("after recovery, a clean power cycle changed the state: %s/%s [%s] -> %s/%s [%s]",
      tostring(before.version), tostring(before.slot), before.status._text:gsub("\n", " "),
      tostring(after.version), tostring(after.slot), after.status._text:gsub("\n", " ")), ctx.outcome)
  end
end

--- A full update to `art` that must work: install, reboot, mark good.
function ota.update_to(art, version, what, outcome)
  local out, st = dev:install(art)
  if st ~= 0 then
    rig.fail(string.format("%s: install failed without manual cleanup (exit %s): %s", what,
                           tostring(st), tostring(out)), outcome)
  end
  dev:reboot()
  local ok, why = dev:boot()
  if not ok then rig.fail(what .. ": the new image did not boot: " .. why, outcome) end
  local mo, ms = dev:mark_good()
  if ms ~= 0 then rig.fail(what .. ": mark-good failed: " .. tostring(mo), outcome) end
  local v = dev:version()
  if v ~= version then
    rig.fail(string.format("%s: runs %s after the update, expected %s", what, tostring(v), version), outcome)
  end
end

--- Post-fault checks: stable, then the same update, then the next one.
function ota.check_updates_work(ctx, after)
  if rig.param("post", "full") == "none" then return end
  ota.check_stable(ctx, after)
  if rig.param("post", "full") == "stable" then return end
  -- "The same update": the good target (a scenario whose artifact was bad on
  -- purpose retries with the good one).
  if rig.has_artifact("target") and after.version ~= ota.artifact_version("target") then
    ota.update_to(rig.artifact("target"), ota.artifact_version("target"), "the same update after the fault", ctx.outcome)
  end
  if rig.has_artifact("next") then
    local nv = ota.artifact_version("next")
    ota.update_to(rig.artifact("next"), nv, "the next update after the fault", ctx.outcome)
  end
end

--- Versions of artifacts: params version_<name> or the device file's
--- artifact_versions table (e.g. { target = "2.0.0", next = "3.0.0" }).
function ota.artifact_version(name)
  local v = rig.param("version_" .. name, nil)
  if v then return v end
  local t = cfg.artifact_versions or {}
  if t[name] then return t[name] end
  rig.misuse(string.format("no version known for artifact '%s' (--set version_%s=...)", name, name), 2)
end

---------------------------------------------------------------------------
-- the skeleton every stock scenario runs

--- spec = { name, expect = { outcomes }, phases = { landed phases }, fault = fn(ctx),
---          allowed_cycles = n, negative = bool }
function ota.run(spec)
  local ctx = { spec = spec, started = rig.now() }
  rig.event("scenario", { name = spec.name, expect = table.concat(spec.expect or {}, ",") })
  -- 1. a known state
  dev:provision()
  ctx.old_version = dev:version()
  if spec.artifact ~= false then
    ctx.target = rig.artifact(spec.artifact or "target")
    ctx.new_version = ota.artifact_version(spec.artifact or "target")
  end
  -- 2. the fault
  ota.watch_phases(ctx)
  spec.fault(ctx)
  if spec.phases then ota.require_phase(ctx, spec.phases) end
  -- 3. recovery (a fault without a cut, e.g. a refused artifact, needs none)
  ctx.added_cycles = 0
  if ctx.cut or ctx.rebooting then ota.recover(ctx) end
  -- 4. the outcome
  local after = ota.observe()
  ctx.outcome = ota.outcome(ctx, after)
  local rounds = 0
  while ctx.outcome == "new-unhealthy" do
    -- The client refused to commit: the device must roll back by itself
    -- (each boot of the new image fails its health check and reboots).
    rounds = rounds + 1
    if rounds > (recovery.cycles or 3) + 2 then
      rig.fail("the new image never became healthy and the device never rolled back", "stuck-unhealthy")
    end
    ctx.new_booted = true
    ota.recover(ctx)
    after = ota.observe()
    ctx.outcome = ota.outcome(ctx, after)
  end
  local allowed = spec.allowed_cycles or 0
  if ctx.added_cycles > allowed then
    rig.fail(string.format("recovered only after %d power cycle(s) added by the rig (the scenario allows %d): "
                           .. "in the field nobody power-cycles the board", ctx.added_cycles, allowed),
             "needs-power-cycle")
  end
  ota.check_ack(ctx, ctx.outcome)
  if spec.check then spec.check(ctx, after) end
  local ok = false
  for _, o in ipairs(spec.expect) do ok = ok or o == ctx.outcome end
  if not ok then
    rig.fail(string.format("outcome %s, expected %s", ctx.outcome, table.concat(spec.expect, " or ")),
             ctx.outcome)
  end
  rig.verdict("pass", ctx.outcome, ctx.landed and ("cut landed in " .. ctx.landed) or nil)
  -- 5. stable, and updates still work (observed again: the outcome step may
  -- have committed a slot on trial)
  ota.check_updates_work(ctx, ota.observe())
  rig.verdict("pass", ctx.outcome, ctx.landed and ("cut landed in " .. ctx.landed) or nil)
  return ctx
end

return ota
