/* A small JSON writer for timeline details and reports. Strings are escaped
 * so that anything a device printed stays valid JSON: control characters as
 * \u00XX, invalid UTF-8 bytes as U+FFFD, and '<' '>' '&' as \u003c... so the
 * text can be embedded in HTML <script> blocks too. */
#ifndef RIG_JSON_H
#define RIG_JSON_H

#include "rig.h"

struct rig_json {
	char *buf;
	size_t len, cap;
	bool need_comma;
};

void rig_json_init(struct rig_json *j);
void rig_json_free(struct rig_json *j);
const char *rig_json_str(const struct rig_json *j);   /* "" if empty */
/* Take ownership of the text. */
char *rig_json_take(struct rig_json *j);

void rig_json_obj_begin(struct rig_json *j);
void rig_json_obj_end(struct rig_json *j);
void rig_json_arr_begin(struct rig_json *j);
void rig_json_arr_end(struct rig_json *j);
void rig_json_key(struct rig_json *j, const char *key);
void rig_json_val_str(struct rig_json *j, const char *s);
void rig_json_val_strn(struct rig_json *j, const char *s, size_t n);
void rig_json_val_int(struct rig_json *j, int64_t v);
void rig_json_val_uint(struct rig_json *j, uint64_t v);
void rig_json_val_num(struct rig_json *j, double v);
void rig_json_val_bool(struct rig_json *j, bool v);
void rig_json_val_null(struct rig_json *j);
void rig_json_val_raw(struct rig_json *j, const char *json);

void rig_json_kv_str(struct rig_json *j, const char *k, const char *v);
void rig_json_kv_int(struct rig_json *j, const char *k, int64_t v);
void rig_json_kv_uint(struct rig_json *j, const char *k, uint64_t v);
void rig_json_kv_num(struct rig_json *j, const char *k, double v);
void rig_json_kv_bool(struct rig_json *j, const char *k, bool v);

/* Append the escaped form of s (with quotes) to a growing buffer. */
void rig_json_escape(struct rig_json *j, const char *s, size_t n);

/* Read back what this module wrote for flat data: an object of string (or
 * number) values as "key=value" strings (kv true), or an array of strings
 * (kv false). A malloc'd array and strings; -1 on malformed input. */
int rig_json_flat_strings(const char *json, bool kv, char ***out, size_t *n);

#endif
