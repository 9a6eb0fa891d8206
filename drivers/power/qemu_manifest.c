/* The partition table of a QEMU board image (qemu_manifest.h). */
#include "qemu_manifest.h"
#include "qmp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MANIFEST_MAX (1024 * 1024)

/* A JSON string without escapes, as a C string of at most cap - 1 bytes. */
static int plain_string(struct rig_qmp_span v, char *out, size_t cap)
{
	if (v.n < 2 || v.p[0] != '"' || v.p[v.n - 1] != '"' || v.n - 2 >= cap || v.n == 2 ||
	    memchr(v.p, '\\', v.n))
		return -EINVAL;
	memcpy(out, v.p + 1, v.n - 2);
	out[v.n - 2] = '\0';
	return 0;
}

static int parse(const char *manifest, struct rig_qmp_span all, struct rig_qemu_parts *out,
		 struct rig_errmsg *err)
{
	struct rig_qmp_span parts, p, v;
	size_t i;

	if (rig_qmp_get(all, "partitions", &parts) < 0 || parts.n == 0 || parts.p[0] != '[') {
		rig_errmsg_set(err, "%s: expected a JSON object with a \"partitions\" array", manifest);
		return -EINVAL;
	}
	out->n = 0;
	for (i = 0; rig_qmp_index(parts, i, &p) == 0; i++) {
		struct rig_qemu_part *q = &out->p[out->n];
		int64_t o, s;

		if (out->n == RIG_QEMU_MAX_PARTS) {
			rig_errmsg_set(err, "%s: more than %d partitions", manifest, RIG_QEMU_MAX_PARTS);
			return -EINVAL;
		}
		if (rig_qmp_get(p, "name", &v) < 0 || plain_string(v, q->name, sizeof(q->name)) < 0) {
			rig_errmsg_set(err, "%s: partition %zu has no valid name (a string of 1 to %d characters)",
				       manifest, i + 1, RIG_QEMU_PART_NAME_MAX - 1);
			return -EINVAL;
		}
		if (rig_qmp_get(p, "offset", &v) < 0 || rig_qmp_int(v, &o) < 0 || o < 0 ||
		    rig_qmp_get(p, "size", &v) < 0 || rig_qmp_int(v, &s) < 0 || s <= 0) {
			rig_errmsg_set(err, "%s: partition %s has no valid offset and size", manifest, q->name);
			return -EINVAL;
		}
		q->off = (uint64_t)o;
		q->size = (uint64_t)s;
		out->n++;
	}
	return 0;
}

int rig_qemu_manifest_parts(const char *manifest, struct rig_qemu_parts *out, struct rig_errmsg *err)
{
	FILE *f = fopen(manifest, "r");
	struct rig_qemu_parts *tmp;
	struct rig_qmp_span all;
	char *buf;
	int r;

	if (!f) {
		r = -errno;
		rig_errmsg_set(err, "cannot read the image manifest %s: %s", manifest, strerror(-r));
		return r;
	}
	buf = rig_xcalloc(1, MANIFEST_MAX + 1);
	all.p = buf;
	all.n = fread(buf, 1, MANIFEST_MAX, f);
	fclose(f);
	tmp = rig_xcalloc(1, sizeof(*tmp));
	r = parse(manifest, all, tmp, err);
	if (r == 0)
		*out = *tmp;
	free(tmp);
	free(buf);
	return r;
}

int rig_qemu_parts_find(const struct rig_qemu_parts *parts, const char *name, const char *manifest,
			struct rig_errmsg *err)
{
	char known[RIG_ERRMSG_MAX / 2] = "";
	size_t len = 0;

	for (size_t i = 0; i < parts->n; i++)
		if (!strcmp(parts->p[i].name, name))
			return (int)i;
	for (size_t i = 0; i < parts->n && len < sizeof(known); i++) {
		int w = snprintf(known + len, sizeof(known) - len, "%s%s", i ? ", " : "", parts->p[i].name);

		if (w < 0)
			break;
		len += (size_t)w;
	}
	rig_errmsg_set(err, "no partition '%s' in %s (known: %s)", name, manifest, parts->n ? known : "none");
	return -ENOENT;
}
