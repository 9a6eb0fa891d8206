/* Secrets (secret.h). A process holds a handful: a linear scan is enough. */
#include "secret.h"
#include "rig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REDACTED "[secret]"

static char **secrets;
static size_t nsecrets;

void rig_secret_add(const char *value)
{
	if (!value || strlen(value) < 3)
		return;
	for (size_t i = 0; i < nsecrets; i++)
		if (!strcmp(secrets[i], value))
			return;
	secrets = rig_xrealloc(secrets, (nsecrets + 1) * sizeof(char *));
	secrets[nsecrets++] = rig_xstrdup(value);
}

size_t rig_secret_count(void)
{
	return nsecrets;
}

static const char *find(const char *s, size_t n, size_t *which)
{
	const char *best = NULL;

	for (size_t i = 0; i < nsecrets; i++) {
		const char *p = memmem(s, n, secrets[i], strlen(secrets[i]));

		if (p && (!best || p < best)) {
			best = p;
			*which = i;
		}
	}
	return best;
}

char *rig_secret_redact(const char *s, size_t n, size_t *outn)
{
	const char *p;
	size_t which = 0, len = 0;
	char *out = NULL;

	if (!nsecrets || !s || !find(s, n, &which))
		return NULL;
	out = rig_xmalloc(n * (sizeof(REDACTED) + 1) + 1);
	while ((p = find(s, n, &which))) {
		size_t pre = (size_t)(p - s), k = strlen(secrets[which]);

		memcpy(out + len, s, pre);
		len += pre;
		memcpy(out + len, REDACTED, sizeof(REDACTED) - 1);
		len += sizeof(REDACTED) - 1;
		s = p + k;
		n -= pre + k;
	}
	memcpy(out + len, s, n);
	len += n;
	out[len] = '\0';
	*outn = len;
	return out;
}

char *rig_secret_read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (!f)
		return NULL;
	buf = rig_xmalloc(65537);
	n = fread(buf, 1, 65536, f);
	if (ferror(f)) {
		fclose(f);
		free(buf);
		errno = EIO;
		return NULL;
	}
	fclose(f);
	if (n && buf[n - 1] == '\n')
		n--;
	if (n && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	return buf;
}
