-- on, off, on: each switch is done when the sense line says the rail followed
local dev = rig.device
dev:on()
rig.check(dev:power_state() == "on", "rail on after on (sense), got %s", tostring(dev:power_state()))
rig.sleep(0.3)
dev:off()
rig.check(dev:power_state() == "off", "rail off after off (sense), got %s", tostring(dev:power_state()))
rig.sleep(0.3)
dev:on()
rig.check(dev:power_state() == "on", "rail on again")
rig.pass("switched on, off, on; the sense line followed")
