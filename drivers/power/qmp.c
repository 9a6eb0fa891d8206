/* QMP message parsing: a bounded JSON scanner (RFC 8259 syntax, no values
 * built) and the classification of QMP's four message kinds. */
#include "qmp.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

struct scan {
	const char *s;
	size_t n, i;
};

static void ws(struct scan *c)
{
	while (c->i < c->n && (c->s[c->i] == ' ' || c->s[c->i] == '\t' || c->s[c->i] == '\n' ||
			       c->s[c->i] == '\r'))
		c->i++;
}

static bool lit(struct scan *c, const char *w)
{
	size_t l = strlen(w);

	if (c->n - c->i < l || memcmp(c->s + c->i, w, l) != 0)
		return false;
	c->i += l;
	return true;
}

static bool hex(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

/* At an opening quote: skip the string; *in = its contents. */
static int string(struct scan *c, struct rig_qmp_span *in)
{
	size_t start;

	if (c->i >= c->n || c->s[c->i] != '"')
		return -EINVAL;
	start = ++c->i;
	while (c->i < c->n) {
		unsigned char ch = (unsigned char)c->s[c->i];

		if (ch == '"') {
			if (in) {
				in->p = c->s + start;
				in->n = c->i - start;
			}
			c->i++;
			return 0;
		}
		if (ch < 0x20)
			return -EINVAL;
		if (ch == '\\') {
			if (++c->i >= c->n)
				return -EINVAL;
			ch = (unsigned char)c->s[c->i];
			if (ch == 'u') {
				if (c->n - c->i < 5)
					return -EINVAL;
				for (int k = 1; k <= 4; k++)
					if (!hex(c->s[c->i + k]))
						return -EINVAL;
				c->i += 4;
			} else if (!strchr("\"\\/bfnrt", ch) || ch == '\0') {
				return -EINVAL;
			}
		}
		c->i++;
	}
	return -EINVAL;
}

static bool digit(struct scan *c)
{
	return c->i < c->n && c->s[c->i] >= '0' && c->s[c->i] <= '9';
}

static int number(struct scan *c)
{
	if (c->i < c->n && c->s[c->i] == '-')
		c->i++;
	if (!digit(c))
		return -EINVAL;
	if (c->s[c->i] == '0')
		c->i++;
	else
		while (digit(c))
			c->i++;
	if (c->i < c->n && c->s[c->i] == '.') {
		c->i++;
		if (!digit(c))
			return -EINVAL;
		while (digit(c))
			c->i++;
	}
	if (c->i < c->n && (c->s[c->i] == 'e' || c->s[c->i] == 'E')) {
		c->i++;
		if (c->i < c->n && (c->s[c->i] == '+' || c->s[c->i] == '-'))
			c->i++;
		if (!digit(c))
			return -EINVAL;
		while (digit(c))
			c->i++;
	}
	return 0;
}

static int value(struct scan *c, int depth);

/* An object or array; for an object, visit(key, value span) for each member. */
typedef void member_fn(void *arg, struct rig_qmp_span key, struct rig_qmp_span val);

static int object(struct scan *c, int depth, member_fn *visit, void *arg)
{
	if (depth > RIG_QMP_MAX_DEPTH)
		return -EINVAL;
	c->i++;   /* '{' */
	ws(c);
	if (c->i < c->n && c->s[c->i] == '}') {
		c->i++;
		return 0;
	}
	for (;;) {
		struct rig_qmp_span key, val;
		size_t v0;

		ws(c);
		if (string(c, &key) < 0)
			return -EINVAL;
		ws(c);
		if (c->i >= c->n || c->s[c->i] != ':')
			return -EINVAL;
		c->i++;
		ws(c);
		v0 = c->i;
		if (value(c, depth + 1) < 0)
			return -EINVAL;
		val.p = c->s + v0;
		val.n = c->i - v0;
		if (visit)
			visit(arg, key, val);
		ws(c);
		if (c->i >= c->n)
			return -EINVAL;
		if (c->s[c->i] == '}') {
			c->i++;
			return 0;
		}
		if (c->s[c->i] != ',')
			return -EINVAL;
		c->i++;
	}
}

static int array(struct scan *c, int depth)
{
	if (depth > RIG_QMP_MAX_DEPTH)
		return -EINVAL;
	c->i++;   /* '[' */
	ws(c);
	if (c->i < c->n && c->s[c->i] == ']') {
		c->i++;
		return 0;
	}
	for (;;) {
		ws(c);
		if (value(c, depth + 1) < 0)
			return -EINVAL;
		ws(c);
		if (c->i >= c->n)
			return -EINVAL;
		if (c->s[c->i] == ']') {
			c->i++;
			return 0;
		}
		if (c->s[c->i] != ',')
			return -EINVAL;
		c->i++;
	}
}

static int value(struct scan *c, int depth)
{
	if (c->i >= c->n)
		return -EINVAL;
	switch (c->s[c->i]) {
	case '{':
		return object(c, depth, NULL, NULL);
	case '[':
		return array(c, depth);
	case '"':
		return string(c, NULL);
	case 't':
		return lit(c, "true") ? 0 : -EINVAL;
	case 'f':
		return lit(c, "false") ? 0 : -EINVAL;
	case 'n':
		return lit(c, "null") ? 0 : -EINVAL;
	default:
		return number(c);
	}
}

static bool key_is(struct rig_qmp_span k, const char *w)
{
	return k.n == strlen(w) && memcmp(k.p, w, k.n) == 0;
}

struct top {
	struct rig_qmp_span qmp, ret, err, event, id, data, timestamp;
};

static void top_member(void *arg, struct rig_qmp_span key, struct rig_qmp_span val)
{
	struct top *t = arg;

	if (key_is(key, "QMP"))
		t->qmp = val;
	else if (key_is(key, "return"))
		t->ret = val;
	else if (key_is(key, "error"))
		t->err = val;
	else if (key_is(key, "event"))
		t->event = val;
	else if (key_is(key, "id"))
		t->id = val;
	else if (key_is(key, "data"))
		t->data = val;
	else if (key_is(key, "timestamp"))
		t->timestamp = val;
}

/* A string value's contents (without quotes), or -EINVAL if not a string. */
static int str_contents(struct rig_qmp_span v, struct rig_qmp_span *out)
{
	struct scan c = { v.p, v.n, 0 };

	if (!v.p || string(&c, out) < 0 || c.i != v.n)
		return -EINVAL;
	return 0;
}

int rig_qmp_parse(const char *s, size_t n, struct rig_qmp_msg *out)
{
	struct scan c = { s, n, 0 };
	struct top t;
	struct rig_qmp_msg m;

	memset(&t, 0, sizeof(t));
	memset(&m, 0, sizeof(m));
	m.id = -1;
	ws(&c);
	if (c.i >= c.n || c.s[c.i] != '{')
		return -EINVAL;
	if (object(&c, 1, top_member, &t) < 0)
		return -EINVAL;
	ws(&c);
	if (c.i != c.n)
		return -EINVAL;
	if (t.id.p && rig_qmp_int(t.id, &m.id) < 0)
		m.id = -1;   /* not one of ours */
	if (t.qmp.p) {
		m.kind = RIG_QMP_GREETING;
		m.value = t.qmp;
	} else if (t.ret.p) {
		m.kind = RIG_QMP_RETURN;
		m.value = t.ret;
	} else if (t.err.p) {
		struct rig_qmp_span d;

		m.kind = RIG_QMP_ERROR;
		m.value = t.err;
		if (rig_qmp_get(t.err, "desc", &d) == 0)
			str_contents(d, &m.desc);
	} else if (t.event.p) {
		m.kind = RIG_QMP_EVENT;
		if (str_contents(t.event, &m.event) < 0)
			return -EINVAL;
		m.value = t.data;
		m.timestamp = t.timestamp;
	} else {
		return -EINVAL;
	}
	*out = m;
	return 0;
}

struct find {
	const char *key;
	struct rig_qmp_span val;
};

static void find_member(void *arg, struct rig_qmp_span key, struct rig_qmp_span val)
{
	struct find *f = arg;

	if (!f->val.p && key_is(key, f->key))
		f->val = val;
}

int rig_qmp_get(struct rig_qmp_span obj, const char *key, struct rig_qmp_span *out)
{
	struct scan c = { obj.p, obj.n, 0 };
	struct find f = { key, { NULL, 0 } };

	if (!obj.p)
		return -EINVAL;
	ws(&c);
	if (c.i >= c.n || c.s[c.i] != '{')
		return -EINVAL;
	if (object(&c, 1, find_member, &f) < 0)
		return -EINVAL;
	if (!f.val.p)
		return -ENOENT;
	*out = f.val;
	return 0;
}

int rig_qmp_index(struct rig_qmp_span arr, size_t index, struct rig_qmp_span *out)
{
	struct scan c = { arr.p, arr.n, 0 };
	size_t k = 0;

	if (!arr.p)
		return -EINVAL;
	ws(&c);
	if (c.i >= c.n || c.s[c.i] != '[')
		return -EINVAL;
	c.i++;
	ws(&c);
	if (c.i < c.n && c.s[c.i] == ']')
		return -ENOENT;
	for (;;) {
		size_t v0;

		ws(&c);
		v0 = c.i;
		if (value(&c, 2) < 0)
			return -EINVAL;
		if (k++ == index) {
			out->p = c.s + v0;
			out->n = c.i - v0;
			return 0;
		}
		ws(&c);
		if (c.i >= c.n)
			return -EINVAL;
		if (c.s[c.i] == ']')
			return -ENOENT;
		if (c.s[c.i] != ',')
			return -EINVAL;
		c.i++;
	}
}

int rig_qmp_int(struct rig_qmp_span v, int64_t *out)
{
	size_t i = 0;
	bool neg = false;
	uint64_t acc = 0, lim;

	if (!v.p || !v.n)
		return -EINVAL;
	if (v.p[0] == '-') {
		neg = true;
		i = 1;
	}
	if (i >= v.n)
		return -EINVAL;
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; i < v.n; i++) {
		unsigned d;

		if (v.p[i] < '0' || v.p[i] > '9')
			return -EINVAL;
		d = (unsigned)(v.p[i] - '0');
		if (acc > (lim - d) / 10)
			return -ERANGE;
		acc = acc * 10 + d;
	}
	*out = neg ? (int64_t)(0 - acc) : (int64_t)acc;
	return 0;
}
