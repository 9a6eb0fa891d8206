-- The device of the gpio-sim guest test: a relay on line RELAY_0 (by name)
-- of the simulated chip, a power-good sense line at offset 1.
return {
  schema = 1,
  id = "gpio-board",
  power = { driver = "gpio", chip = "gpiochip0", line = "RELAY_0", sense = "1", sense_timeout_ms = 1500,
            off_time = 0, safe = "off" },
}
