/* The one list of built-in drivers. */
#include "driver.h"

#include <string.h>

extern const struct rig_power_ops rig_power_command;
extern const struct rig_power_ops rig_power_gpio;
extern const struct rig_power_ops rig_power_process;
extern const struct rig_power_ops rig_power_http;
extern const struct rig_power_ops rig_power_serial_relay;
extern const struct rig_power_ops rig_power_qemu;
extern const struct rig_console_ops rig_console_serial;
extern const struct rig_console_ops rig_console_process;
extern const struct rig_console_ops rig_console_tcp;

static const struct rig_power_ops *const power_drivers[] = {
	&rig_power_command,
	&rig_power_gpio,
	&rig_power_process,
	&rig_power_http,
	&rig_power_serial_relay,
	&rig_power_qemu,
	NULL,
};

static const struct rig_console_ops *const console_drivers[] = {
	&rig_console_serial,
	&rig_console_process,
	&rig_console_tcp,
	NULL,
};

const struct rig_power_ops *rig_power_driver(const char *name)
{
	for (size_t i = 0; power_drivers[i]; i++)
		if (strcmp(power_drivers[i]->name, name) == 0)
			return power_drivers[i];
	return NULL;
}

const struct rig_console_ops *rig_console_driver(const char *name)
{
	for (size_t i = 0; console_drivers[i]; i++)
		if (strcmp(console_drivers[i]->name, name) == 0)
			return console_drivers[i];
	return NULL;
}

const struct rig_power_ops *const *rig_power_drivers(void)
{
	return power_drivers;
}

const struct rig_console_ops *const *rig_console_drivers(void)
{
	return console_drivers;
}
