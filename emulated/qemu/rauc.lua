-- An emulated x86_64 board running RAUC 1.8 from Debian 12 (docs/qemu.md),
-- built by emulated/qemu/build-image: the board and its environment variables
-- are in board.lua, shared with swupdate.lua. RAUC installs its bundles and
-- marks the booted slot good (rauc-mark-good.service).
return include("board.lua", {
  name = "rauc",
  stack = "RAUC 1.8",
  ext = "raucb",
  mark_good = "rauc status mark-good",
})
