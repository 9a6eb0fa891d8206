-- Power cut mid-download: at a byte offset (or fraction) of the artifact.
--
-- Parameters: bytes=N or fraction=F (default: a seeded random fraction 0.02-0.98).
-- The artifact server stops at exactly that byte and the rig cuts power from
-- inside its loop, so the device never receives a byte past the cut.
-- Expected: old-good (or resumed/new-good for a client that resumes by itself);
-- afterwards the same update must install without manual cleanup.
local ota = require("lib.ota")
local dev = rig.device

ota.run{
  name = "cut-download",
  expect = { "old-good", "resumed", "new-good" },
  phases = { "download" },
  fault = function(ctx)
    local spec = { when = "served", artifact = "target", label = "cut-download" }
    local bytes = rig.param("bytes", -1)
    if bytes >= 0 then spec.bytes = bytes
    else spec.fraction = rig.param("fraction", 0.02 + 0.96 * rig.random()) end
    local t = rig.arm(spec)
    ota.start_install(ctx.target)
    local info = t:wait(dev.config.update.timeout or 600)
    if not info or not info.fired then
      rig.inconclusive("the download never reached the cut point (" .. tostring(info and info.state or "timeout") .. ")")
    end
    -- The server stops at exactly the planned byte: planned and actual agree
    -- up to rounding to a whole byte.
    local size = rig.artifact("target").size
    if spec.bytes then
      ota.record_cut(ctx, info, "download", spec.bytes, "bytes", info.offset)
    else
      ota.record_cut(ctx, info, "download", spec.fraction, "fraction", size > 0 and info.offset / size or nil)
    end
  end,
}
