/* The qemu driver's clock option (docs/qemu-driver-notes.md). */
#ifndef RIG_QEMU_RTC_H
#define RIG_QEMU_RTC_H

#include <stddef.h>

/* Check an rtc_base value and write QEMU's `-rtc base=` argument to out:
 * "utc" or "now" (the host's clock in UTC: utc), "localtime", or a date
 * "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SS" (the guest's clock starts there).
 * Returns 0, or -EINVAL (out then holds what was expected), -ENOSPC. */
int rig_qemu_rtc_base(const char *in, char *out, size_t n);

#endif
