-- Benchmark: console trigger to power cut, N times (tests/bench/trigger-latency.sh).
local dev = rig.device
local n = rig.param("runs", 200)
for i = 1, n do
  local t = rig.arm{ when = "console", match = "TRIGGER-LINE" }
  dev:on()
  local info = t:wait(rig.param("wait", 10))
  if not info or not info.fired then rig.error("trigger " .. i .. " did not fire") end
  rig.event("bench", { i = i, t_act_done = info.t_act_done, t_act_start = info.t_act_start, t_read = info.t_read })
  dev:off()
end
