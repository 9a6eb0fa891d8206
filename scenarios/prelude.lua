-- The public scenario API of rig (docs/lua-api.md).
--
-- C provides a few primitives under rig._raw; this file builds the API that
-- scenarios use on top of them. Everything that waits (expect, sleep, power,
-- run, trigger:wait) yields to rig's event loop: a scenario reads like a
-- blocking script while many devices run in one process.
--
-- Conventions (after Lua's own libraries): misuse raises an error naming the
-- scenario line; an expected failure returns nil, message. A verdict ends the
-- run: rig.fail(), rig.brick(), rig.inconclusive(), rig.skip(), rig.pass().

local raw = rig._raw
local NS = 1e9

---------------------------------------------------------------------------
-- verdicts

local verdict_mt = {
  __tostring = function(v)
    return string.format("%s: %s", v.rig_verdict, v.message or "")
  end,
}

local function verdict(kind, level)
  return function(message, outcome)
    error(setmetatable({ rig_verdict = kind, message = message, outcome = outcome }, verdict_mt),
          level)
  end
end

--- End the run: the device misbehaved (the product's bug).
rig.fail = verdict("fail", 2)
--- End the run: the device never came back (needs evidence: see recovery).
rig.brick = verdict("brick", 2)
--- End the run: the cut missed its phase; the run says nothing either way.
rig.inconclusive = verdict("inconclusive", 2)
--- End the run: not applicable to this device.
rig.skip = verdict("skip", 2)
--- End the run successfully now.
rig.pass = verdict("pass", 2)

--- End the run as an error of the lab or the rig, not of the device.
function rig.error(message)
  error(setmetatable({ rig_verdict = "error", infra = true, message = message }, verdict_mt), 2)
end

--- Raise a usage error of the scenario (exit status 2): a plain error that
--- names the line `level` calls up (1 = the caller of misuse's caller).
local function misuse(message, level)
  error(message, (level or 1) + 1)
end
rig.misuse = misuse

--- Fail the run unless cond holds. Returns cond.
function rig.check(cond, message, ...)
  if not cond then
    rig.fail(select("#", ...) > 0 and string.format(message, ...) or message)
  end
  return cond
end

--- Record the verdict and outcome without ending the run (the last one wins).
function rig.verdict(v, outcome, message)
  raw.set_result(v, outcome, message)
end

---------------------------------------------------------------------------
-- time, logging, parameters

--- Seconds of the monotonic clock (float).
function rig.now() return raw.now() / NS end
--- Nanoseconds of the monotonic clock (integer).
rig.now_ns = raw.now

--- Wait (yields to the loop; triggers keep firing meanwhile).
function rig.sleep(seconds) raw.sleep(seconds) end

--- Write a line to the run's timeline.
function rig.log(fmt, ...)
  local text = select("#", ...) > 0 and string.format(fmt, ...) or tostring(fmt)
  raw.event("log", { text = text })
end
print = function(...)
  local parts = {}
  for i = 1, select("#", ...) do parts[#parts + 1] = tostring((select(i, ...))) end
  raw.event("log", { text = table.concat(parts, "\t") })
end

--- Record a structured event on the timeline.
function rig.event(kind, detail) raw.event(kind, detail) end

--- A parameter given with --set name=value, converted like `default`.
function rig.param(name, default)
  local v = rig.params[name]
  if v == nil then return default end
  if type(default) == "number" then
    local n = tonumber(v)
    if not n then misuse(string.format("parameter %s=%s: expected a number", name, v), 2) end
    return n
  elseif type(default) == "boolean" then
    return v == "1" or v == "true" or v == "yes"
  end
  return v
end

math.randomseed(rig.seed)
--- Seeded random numbers (the run's --seed): rig.random(m, n) like math.random.
rig.random = math.random

---------------------------------------------------------------------------
-- host commands, artifacts, the artifact server

--- Run a command on the lab host (logged). Returns exit code, output.
function rig.host(cmd, timeout) return raw.host(cmd, timeout) end

--- An artifact given with --artifact NAME=FILE or in the device file:
--- { name, path, url, sha256, size, sent }.
function rig.artifact(name)
  local a, err = raw.artifact(name)
  if not a then misuse(err, 2) end
  return a
end

--- Record where this run's cut was planned and where it landed, in the unit
--- of the scenario's cut parameter ("s", "fraction", "bytes"); planned or
--- actual may be nil. Campaigns plot and bisect on these; `rig rerun`
--- compares them.
function rig.record_cut(planned, actual, unit, landed)
  raw.record_cut(planned, actual, unit, landed)
end

--- Is the artifact available in this run?
function rig.has_artifact(name) return raw.artifact(name) ~= nil end

--- Faults the artifact server applies to `name`: { stall_at, stall (s),
--- drop_at, corrupt_at, throttle (bytes/s), range_as_200, times }. nil clears.
function rig.serve(name, faults) raw.serve(name, faults) end

---------------------------------------------------------------------------
-- triggers

local Trigger = {}
Trigger.__index = Trigger

--- Arm a trigger, matched and fired in C by the loop:
---   rig.arm{ when = "console", match = "Writing", delay = 0.2, action = "cut" }
---   rig.arm{ when = "served", artifact = "target", bytes = 65536 }   -- or fraction = 0.5
---   rig.arm{ when = "timer", after = 1.5 }
---   rig.arm{ when = "written", bytes = 4096 }                        -- to the whole drive
---   rig.arm{ when = "written", bytes = 4096, partition = "boot" }    -- to one partition
--- action: "cut" (power off, default), "cycle" (off then on), "mark" (record only).
function rig.arm(spec)
  if type(spec) ~= "table" then misuse("rig.arm expects a table", 2) end
  -- --set within=S asks every cut of the run to land within S of its plan
  if spec.within == nil and rig.params.within then spec.within = tonumber(rig.params.within) end
  local ok, id = pcall(raw.arm, spec)
  if not ok then
    if type(id) == "table" and id.rig_verdict then error(id, 0) end   -- refused by the lab: an error verdict
    misuse(tostring(id), 2)
  end
  return setmetatable({ id = id, spec = spec }, Trigger)
end

--- Wait until the trigger fired (or timeout seconds): its info table, or nil, "timeout".
function Trigger:wait(timeout) return raw.trigger_wait(self.id, timeout) end
--- { state, fired, t_arm, t_read, t_match, t_fire, t_act_start, t_act_done, precision, match, offset,
---   drive (written to a partition: the whole drive's bytes since the arm) }
function Trigger:info() return raw.trigger(self.id) end
function Trigger:fired() return raw.trigger(self.id).fired end
function Trigger:disarm() raw.disarm(self.id) end

---------------------------------------------------------------------------
-- the device

local Device = {}
Device.__index = Device

local cfg = rig.device_config
local shell = cfg.shell or {}
local boot = cfg.boot or {}
local update = cfg.update or {}
local recovery = cfg.recovery or {}
local newline = shell.newline or "\n"

rig.device = setmetatable({ id = cfg.id, name = cfg.name or cfg.id, config = cfg }, Device)

--- Switch power: "on" or "off". Returns the driver's report; a driver failure
--- ends the run as `error` (the lab failed, not the device).
function Device:power(state)
  local rep, err = raw.power(state)
  if not rep then rig.error(string.format("power %s failed: %s", state, err)) end
  return rep
end
function Device:on() return self:power("on") end
function Device:off() return self:power("off") end
--- Off, then on (the off time of the device file is honoured).
function Device:cycle()
  self:power("off")
  return self:power("on")
end
--- Corrupt a file of the device's storage while it is off (power drivers
--- that can: qemu). opts: file = "grubenv" (the boot partition's
--- /grub/grubenv) or partition = NAME (the image manifest's) and path = "/..."
--- (FAT16 or ext2/3/4; a dirty ext4 journal is replayed first, as the kernel
--- would at mount); how = "zero" | "tear" |
--- "truncate"; bytes = N (tear: bytes of garbage at the start, default half
--- the size rounded down to 512, or the first 512 of a file under 1 KiB;
--- truncate: the new size, default half). Raises when the board is not off
--- or the driver cannot; returns the fault's JSON (also on the timeline as
--- fault.at_rest), or nil, message.
function Device:fault_at_rest(opts)
  opts = opts or {}
  local part, path = opts.partition, opts.path
  if opts.file == "grubenv" then part, path = part or "boot", path or "/grub/grubenv"
  elseif opts.file ~= nil then error("fault_at_rest: file must be \"grubenv\" (or give partition and path)", 2) end
  return raw.fault_at_rest{ partition = part, path = path, how = opts.how, bytes = opts.bytes }
end

--- Read back the power state ("on", "off", "unknown"), or nil, message.
function Device:power_state() return raw.power_get() end
--- Power-ons and power-offs so far in this run.
function Device:power_counts() return raw.power_counts() end

--- Wait for `pattern` (a PCRE2 regex) on the escape-stripped console, at most
--- timeout seconds. A match consumes the text up to its end. Returns the hit
--- { text, before, [1..n] captures, t_read, t_match } or nil, "timeout".
--- flags: "l" literal, "i" caseless, "k" literal tolerant of kernel lines.
function Device:expect(pattern, timeout, flags)
  return raw.expect(pattern, timeout, flags)
end

--- Like expect, but the run fails if the pattern does not come.
function Device:must_expect(pattern, timeout, what)
  local hit, err = raw.expect(pattern, timeout)
  if not hit then
    rig.fail(string.format("%s: /%s/ not seen within %ss", what or "expect", pattern, timeout or 30))
  end
  return hit
end

--- Wait for the first of several patterns; returns index, hit or nil, "timeout".
function Device:expect_any(patterns, timeout)
  local parts = {}
  for i, p in ipairs(patterns) do parts[i] = "(?:" .. p .. ")" end
  local hit, err = raw.expect(table.concat(parts, "|"), timeout)
  if not hit then return nil, err end
  for k, p in ipairs(patterns) do
    if raw.match(p, hit.text) then return k, hit end
  end
  return #patterns, hit
end

--- Send bytes as they are (paced as the device file says).
function Device:send(s)
  local ok, err = raw.send(s)
  if not ok then rig.error(err) end
end
--- Send a line.
function Device:sendline(s) self:send(s .. newline) end

local function escape_pattern(s)
  return (s:gsub("[%\\%^%$%.%|%?%*%+%(%)%[%]%{%}%-%#/ ]", "\\%0"))
end

-- A regex for a literal that tolerates kernel log lines between its characters.
local K = "(?:" .. raw.kernel_line_re .. ")?"
local function ktolerant(lit)
  local parts = {}
  for c in lit:gmatch(".") do parts[#parts + 1] = escape_pattern(c) end
  return table.concat(parts, K)
end
rig.ktolerant = ktolerant

--- Remove kernel log lines ("[   12.345678] ...") from text.
function rig.strip_kernel(text)
  return (text:gsub("%[ *%d+%.%d+%] [^\n]*\n", ""))
end

local run_seq = 0
local run_tag = string.format("%x", (rig.seed * 2654435761 + os.time()) % 0xffffff)

--- Run a shell command on the device and return output, exit status.
--- The command is wrapped in unique sentinels: the output comes without the
--- echo and without kernel lines printed in between (unless keep_kernel).
--- On timeout: nil, "timeout". cmd may be a Lua function (from a device
--- file): it is called as cmd(device, opts) and its results returned.
function Device:run(cmd, opts)
  opts = opts or {}
  if type(cmd) == "function" then return cmd(self, opts) end
  if type(cmd) ~= "string" then misuse("run: command must be a string or a function", 2) end
  local timeout = opts.timeout or 30
  run_seq = run_seq + 1
  local tag = string.format("RIG%s%d", run_tag, run_seq)
  local s1, s2 = "__" .. tag .. "_S__", "__" .. tag .. "_E__"
  local t0 = rig.now()
  self:sendline("echo " .. s1 .. "; " .. cmd .. "; echo " .. s2 .. " $?")
  -- The output of `echo s1` ends with a newline; the echoed command line has
  -- "s1;" instead, so it cannot be mistaken for the output.
  local hit = raw.expect(ktolerant(s1) .. K .. "\r?\n", timeout)
  if not hit then return nil, "timeout" end
  local left = timeout - (rig.now() - t0)
  local fin = raw.expect(ktolerant(s2 .. " ") .. K .. "([0-9]+)", left > 0 and left or 0.001)
  if not fin then return nil, "timeout" end
  local out = fin.before or ""
  if not opts.keep_kernel then out = rig.strip_kernel(out) end
  out = out:gsub("\r", ""):gsub("\n$", "")
  raw.event("run", { cmd = cmd, status = tonumber(fin[1]), bytes = #out })
  return out, tonumber(fin[1])
end

--- Run a command that must succeed; its output. The run fails otherwise.
function Device:sh(cmd, opts)
  local out, st = self:run(cmd, opts)
  if not out then rig.fail(string.format("command timed out: %s", tostring(cmd))) end
  if st ~= 0 then rig.fail(string.format("command failed (exit %d): %s: %s", st, cmd, out)) end
  return out
end

--- Wait for the boot: the marker (proof of a restart) then the ready pattern.
--- Returns true, or nil and "no-marker" / "not-ready".
function Device:wait_boot(timeout)
  timeout = timeout or boot.timeout or 120
  local deadline = rig.now() + timeout
  local m, r
  if boot.marker then
    m = raw.expect(boot.marker, timeout)
    if not m then return nil, "no-marker" end
  end
  if boot.ready then
    local left = deadline - rig.now()
    r = raw.expect(boot.ready, left > 0 and left or 0.001)
    if not r then return nil, "not-ready" end
  end
  -- How long a boot takes here, for scenarios that cut inside one.
  if m and r then self.last_boot_s = (r.t_match - m.t_match) / NS end
  raw.event("boot.ready", { seconds = self.last_boot_s })
  -- The identity check: never cut board A while reading board B.
  local id = cfg.identity
  if id and id.printed then
    local text = (m and ((m.before or "") .. (m.text or "")) or "") .. (r and r.before or "")
    if not raw.match(id.printed, text) then
      raw.event("identity", { ok = false, printed = id.printed })
      rig.error(string.format("identity check failed: this boot did not print /%s/ (is the console wired to "
                              .. "another board?)", id.printed))
    end
    raw.event("identity", { ok = true, printed = id.printed })
  end
  self.identity_pending = id and id.command ~= nil
  return true
end

--- Log in on the console, retrying when the getty flushed what was typed.
--- Call it after wait_boot() saw the login prompt. Returns true or nil, why.
function Device:login(timeout)
  if not shell.login then return true end
  local prompt = shell.prompt or "[#$] $"
  local lp = shell.login_prompt or "login: ?$"
  local pp = shell.password_prompt or "[Pp]assword: ?$"
  local tries = shell.login_retries or 4
  timeout = timeout or 12
  for attempt = 1, tries do
    -- A getty flushes its input right after it prints the prompt: type once
    -- the console has been quiet for a moment.
    rig.sleep((shell.login_delay_ms or 150) / 1000)
    self:sendline(shell.login)
    local which = self:expect_any({ pp, prompt, lp }, timeout / tries)
    if which == 1 then
      self:sendline(shell.password or "")
      which = self:expect_any({ prompt, lp, pp }, timeout / tries)
      if which == 1 then which = 2 else which = nil end
    end
    if which == 2 then
      raw.event("login", { attempts = attempt })
      if self.identity_pending then
        self.identity_pending = false
        local id = cfg.identity
        local out = self:run(id.command)
        if not out or not raw.match(id.expect, out) then
          raw.event("identity", { ok = false, command = id.command })
          rig.error(string.format("identity check failed: `%s` printed %q, expected /%s/ (is the console wired "
                                  .. "to another board?)", id.command, (out or ""):sub(1, 200), id.expect))
        end
        raw.event("identity", { ok = true, command = id.command })
      end
      return true
    end
    raw.event("login.retry", { attempt = attempt })
    -- The input was flushed or the login failed: ask for a fresh prompt.
    self:send(newline)
    self:expect(lp, 2)
  end
  return nil, string.format("login failed after %d attempts", tries)
end

--- Power on (or cycle), wait for the boot and log in. Returns true or nil, why.
function Device:boot(timeout)
  local ok, why = self:wait_boot(timeout)
  if not ok then return nil, why end
  return self:login()
end

local function shell_quote(s)
  s = tostring(s)
  if s:match("^[%w%._/:=%%@+,-]+$") then return s end
  return "'" .. s:gsub("'", "'\\''") .. "'"
end
rig.shell_quote = shell_quote

--- Expand {url} {sha256} {size} {name} {version} in a command, shell-quoted.
function rig.expand(template, values)
  return (template:gsub("{(%w+)}", function(k)
    local v = values[k]
    if v == nil then misuse(string.format("no value for {%s} in %q", k, template), 3) end
    return shell_quote(v)
  end))
end

local function need(key)
  local v = update[key]
  if v == nil then
    misuse(string.format("%s: the device file has no update.%s", cfg.id, key), 3)
  end
  return v
end

--- The running version, from update.version (trimmed), or nil, why.
function Device:version()
  local out, st = self:run(need("version"))
  if not out then return nil, st or "timeout" end
  if st and st ~= 0 then return nil, "version command failed: " .. out end
  return (out:gsub("^%s+", ""):gsub("%s+$", ""))
end

--- The booted slot, from update.slot, or nil.
function Device:slot()
  if not update.slot then return nil, "no update.slot in the device file" end
  local out, st = self:run(update.slot)
  if not out or st ~= 0 then return nil, out or "timeout" end
  return (out:gsub("^%s+", ""):gsub("%s+$", ""))
end

--- Start an install of an artifact (a name or a rig.artifact table); returns
--- output, status of the install command (status nil on timeout).
function Device:install(art, opts)
  opts = opts or {}
  local a = type(art) == "table" and art or rig.artifact(art)
  local cmd = need("install")
  if type(cmd) == "function" then return cmd(self, a, opts) end
  local line = rig.expand(cmd, { url = a.url, sha256 = a.sha256, size = a.size, name = a.name,
                                 version = opts.version or a.version or "" })
  return self:run(line, { timeout = opts.timeout or update.timeout or 600 })
end

--- Mark the booted slot good (update.mark_good); output, status.
function Device:mark_good()
  return self:run(need("mark_good"), { timeout = 60 })
end

--- Reboot cleanly with update.reboot (default "reboot"): sends it without
--- waiting for a prompt (the shell goes away).
function Device:reboot()
  local cmd = update.reboot or "reboot"
  if type(cmd) == "function" then return cmd(self) end
  self:sendline(cmd)
end

--- The last raw console bytes (escapes included).
function Device:console_tail(n) return raw.console_tail(n) end
--- { cursor, end, dropped, link }
function Device:console_info() return raw.console_info() end

--- Provision the device: the device file's recovery.provision (a host command
--- or a Lua function), then power on, boot, log in, and check version/slot
--- when the device file declares them. A failure here is the lab's: `error`.
function Device:provision()
  local p = recovery.provision
  if p then
    if type(p) == "function" then
      local ok, err = p(self)
      if ok == false or ok == nil and err then rig.error("provision failed: " .. tostring(err)) end
    else
      local code, out = rig.host(p, 600)
      if code ~= 0 then
        rig.error(string.format("provision command failed (exit %d): %s", code, out))
      end
    end
  end
  self:off()
  self:on()
  local ok, why = self:boot()
  if not ok then rig.error("device did not come up after provisioning: " .. why) end
  if recovery.version and update.version then
    local v = self:version()
    if v ~= recovery.version then
      rig.error(string.format("after provisioning the version is %s, expected %s", tostring(v),
                              recovery.version))
    end
  end
  if recovery.slot and update.slot then
    local s = self:slot()
    if s ~= recovery.slot then
      rig.error(string.format("after provisioning the slot is %s, expected %s", tostring(s),
                              recovery.slot))
    end
  end
  raw.event("provisioned")
  return true
end

return rig
