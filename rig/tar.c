/* ustar writer (tar.h). */
#include "tar.h"
#include "rig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct rig_tar {
	FILE *f;
	bool bad;
};

int rig_tar_open(const char *path, struct rig_tar **out)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		return -1;
	*out = rig_xcalloc(1, sizeof(**out));
	(*out)->f = f;
	return 0;
}

int rig_tar_add(struct rig_tar *t, const char *dir, const char *name, const void *data, size_t n)
{
	unsigned char h[512];
	unsigned sum = 0;
	static const char zeros[512];

	memset(h, 0, sizeof(h));
	snprintf((char *)h, 100, "%s/%s", dir, name);
	snprintf((char *)h + 100, 8, "%07o", 0644);
	snprintf((char *)h + 108, 8, "%07o", 0);
	snprintf((char *)h + 116, 8, "%07o", 0);
	snprintf((char *)h + 124, 12, "%011llo", (unsigned long long)n);
	snprintf((char *)h + 136, 12, "%011llo", (unsigned long long)time(NULL));
	memset(h + 148, ' ', 8);
	h[156] = '0';
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	snprintf((char *)h + 265, 32, "rig");
	snprintf((char *)h + 297, 32, "rig");
	for (size_t i = 0; i < sizeof(h); i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	if (fwrite(h, 1, 512, t->f) != 512 || (n && fwrite(data, 1, n, t->f) != n) ||
	    (n % 512 && fwrite(zeros, 1, 512 - n % 512, t->f) != 512 - n % 512))
		t->bad = true;
	return t->bad ? -1 : 0;
}

int rig_tar_close(struct rig_tar *t)
{
	static const char zeros[1024];
	int r;

	if (fwrite(zeros, 1, sizeof(zeros), t->f) != sizeof(zeros))
		t->bad = true;
	r = fclose(t->f) != 0 || t->bad ? -1 : 0;
	free(t);
	return r;
}
