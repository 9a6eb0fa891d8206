-- A lab file (docs/device-files.md): defaults, board-type templates that
-- devices extend, and secret references. Two simulated boards whose root
-- password is a secret from the environment (LAB_PASSWORD_ENV names the
-- variable) or from a file (LAB_PASSWORD_FILE).
local src = os.getenv("RIG_SRCDIR")
local sim = os.getenv("RIG_SIM") or (src .. "/build/rig-sim")
local arts = os.getenv("RIG_SIM_ARTIFACTS")
local state = os.getenv("RIG_SIM_STATE")
local pw_env = { secret = "env:" .. (os.getenv("LAB_PASSWORD_ENV") or "LAB_PASSWORD") }
local pw_file = { secret = "file:" .. (os.getenv("LAB_PASSWORD_FILE") or "/nonexistent") }

local function board(id, password)
  return {
    id = id,
    extends = "secure-sim",
    power = { command = { sim, "boot", "--state", state .. "/" .. id, "--password", password } },
    recovery = { provision = string.format("%s provision --state %s/%s --version 1.0.0", sim, state, id) },
    shell = { password = password },
  }
end

return {
  schema = 1,
  defaults = {
    -- power-ons across the rack at least LAB_STAGGER ms apart (inrush)
    power = { stagger = math.tointeger(tonumber(os.getenv("LAB_STAGGER") or "0")) },
    shell = { login = "root", prompt = "root@sim:~# $", login_delay_ms = 150 },
    boot = { marker = "SIMBOOT 1\\.0", ready = "sim login: $", timeout = 4 },
    tags = { "lab" },
  },
  templates = {
    sim = {
      name = "simulated board from the lab file",
      power = { driver = "process", off_time = 50, safe = "off" },   -- off between runs
      console = { driver = "process" },
      update = {
        install = "updater install {url} {sha256}", installing = "updater: installing",
        installed = "updater: installed", failed = "updater: error", version = "cat /etc/version",
        status = "updater status", mark_good = "updater mark-good", timeout = 60,
      },
      recovery = { cycles = 2, version = "1.0.0" },
      artifacts = { target = arts .. "/v2.img", next = arts .. "/v3.img" },
      artifact_versions = { target = "2.0.0", next = "3.0.0" },
    },
    ["secure-sim"] = { extends = "sim", tags = { "lab", "secure" } },
  },
  devices = {
    board("lab-1", pw_env),
    board("lab-2", pw_file),
  },
}
