/* Secrets from lab and device files ({ secret = "env:NAME" } or
 * { secret = "file:PATH" }): resolved when the file is loaded, registered
 * here, and replaced by "[secret]" in everything the rig records or prints
 * (events, console bytes, the store, reports, the terminal). */
#ifndef RIG_SECRET_H
#define RIG_SECRET_H

#include <stddef.h>

/* Register a value (copied). Values shorter than 3 bytes are not redacted. */
void rig_secret_add(const char *value);
/* The number of registered secrets (0: nothing to do). */
size_t rig_secret_count(void);
/* A copy of s[0..n) with every registered secret replaced, or NULL when
 * none occurs (the caller uses s as is). *outn is the new length. */
char *rig_secret_redact(const char *s, size_t n, size_t *outn);
/* Read a secret file: its content without one trailing newline (malloc'd),
 * or NULL with errno set. At most 64 KiB. */
char *rig_secret_read_file(const char *path);

#endif
