/* QMP (the QEMU Machine Protocol) messages: one JSON object per line.
 *
 * rig_qmp_parse() checks that a line is one well-formed JSON object (depth
 * and size bounded: the bytes come from the emulator, which runs the device's
 * code) and classifies it: the greeting, a command's return or error (matched
 * by the numeric "id" the rig sent), or an asynchronous event. Spans point
 * into the caller's buffer; nothing is allocated. */
#ifndef RIG_QMP_H
#define RIG_QMP_H

#include <stddef.h>
#include <stdint.h>

#define RIG_QMP_MAX_DEPTH 32

enum rig_qmp_kind { RIG_QMP_GREETING, RIG_QMP_RETURN, RIG_QMP_ERROR, RIG_QMP_EVENT };

struct rig_qmp_span {
	const char *p;   /* NULL when absent */
	size_t n;
};

struct rig_qmp_msg {
	enum rig_qmp_kind kind;
	int64_t id;                  /* -1: no numeric id */
	struct rig_qmp_span event;   /* event name, the string's raw contents */
	struct rig_qmp_span value;   /* "return" / "error" / event "data" value, as JSON text */
	struct rig_qmp_span desc;    /* error "desc" raw string contents */
	struct rig_qmp_span timestamp;  /* event "timestamp" object, as JSON text */
};

/* Returns 0, or -EINVAL when the line is not one JSON object of a known kind. */
int rig_qmp_parse(const char *s, size_t n, struct rig_qmp_msg *out);

/* In the object `obj` (JSON text), the value of `key` (a plain key without
 * escapes) as JSON text. Returns 0 or -ENOENT / -EINVAL. */
int rig_qmp_get(struct rig_qmp_span obj, const char *key, struct rig_qmp_span *out);

/* Element `index` of the array `arr` (JSON text). Returns 0 or -ENOENT / -EINVAL. */
int rig_qmp_index(struct rig_qmp_span arr, size_t index, struct rig_qmp_span *out);

/* A JSON integer value as int64 (0 or -EINVAL / -ERANGE). */
int rig_qmp_int(struct rig_qmp_span v, int64_t *out);

#endif
