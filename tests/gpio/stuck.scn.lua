-- the relay is welded: "off" never drops the rail
local dev = rig.device
dev:on()
dev:off()
rig.fail("an off that did not drop the rail was accepted")
