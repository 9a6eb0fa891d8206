-- An emulated x86_64 board running SWUpdate 2022.12 from Debian 12
-- (docs/qemu.md), built by emulated/qemu/build-image --flavour swupdate: the
-- board and its environment variables are in board.lua, shared with rauc.lua.
-- SWUpdate runs standalone from ota-install, GRUB guards the other slot while
-- recovery_status is set, and a unit marks the booted slot good (SWUpdate has
-- no mark-good).
return include("board.lua", {
  name = "swupdate",
  stack = "SWUpdate 2022.12",
  ext = "swu",
  mark_good = "ota-mark-good",
})
