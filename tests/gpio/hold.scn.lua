-- power on and wait: the test sends SIGTERM meanwhile
rig.device:on()
rig.event("holding", {})
rig.sleep(60)
