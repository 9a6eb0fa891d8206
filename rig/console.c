/* The console core (see console.h). */
#include "console.h"
#include "ansi.h"
#include "kfilter.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define RAW_TAIL 65536u
#define CHUNK_MAP 256u
#define SENDQ_MAX (256u * 1024u)

struct rig_console_watch {
	enum rig_watch_kind kind;
	const struct rig_regex *re;
	uint64_t scan;            /* absolute offset where the next search starts */
	rig_console_watch_fn *fn;
	void *arg;
	bool dead;
	struct rig_console_watch *next;
};

struct send_req {
	size_t remaining;         /* bytes of this request still queued */
	rig_console_sent_fn *done;
	void *arg;
	struct send_req *next;
};

struct rig_console {
	struct rig_loop *loop;
	const struct rig_console_ops *ops;
	void *handle;
	struct rig_console_opts opts;
	struct rig_console_observer obs;
	struct rig_ansi ansi;
	struct rig_kfilter kf;
	bool link_up;

	/* stripped window */
	uint8_t *win;
	size_t winlen, wincap;
	uint64_t base;            /* absolute offset of win[0] */
	uint64_t cursor;          /* absolute; bytes before it are consumed */
	uint64_t dropped;

	/* when each recent chunk ended: resolves "bytes read" times */
	struct { uint64_t end; uint64_t t; } chunks[CHUNK_MAP];
	size_t chunk_head;

	struct rig_console_watch *watches;
	int in_dispatch;
	bool draining;            /* bytes from before a power-on: no watch sees them */

	/* raw tail ring */
	uint8_t raw[RAW_TAIL];
	uint64_t rawtotal;

	/* send queue */
	uint8_t *sq;
	size_t sqlen, sqoff;
	struct send_req *reqs, *reqs_tail;
	struct rig_timer *pace_timer;
	bool want_write;
	int wfd;
};

void rig_console_hit_clear(struct rig_console_hit *hit)
{
	free(hit->text);
	free(hit->before);
	for (int i = 0; i < hit->ncap; i++)
		free(hit->cap[i]);
	memset(hit, 0, sizeof(*hit));
}

static void sink_input(void *arg, const uint8_t *buf, size_t n, uint64_t t_ns)
{
	rig_console_feed(arg, buf, n, t_ns);
}

static void sink_link(void *arg, bool up, uint64_t t_ns, const char *why)
{
	struct rig_console *con = arg;

	con->link_up = up;
	if (con->obs.link)
		con->obs.link(con->obs.arg, up, t_ns, why);
}

int rig_console_open(struct rig_loop *loop, const struct rig_console_ops *ops,
		     const struct rig_drv_ctx *ctx, const struct rig_cfg *cfg, int peer_fd,
		     const struct rig_console_opts *opts, const struct rig_console_observer *obs,
		     struct rig_console **out)
{
	struct rig_console *con = rig_xcalloc(1, sizeof(*con));
	struct rig_console_sink sink = { sink_input, sink_link, con };
	int r;

	con->loop = loop;
	con->ops = ops;
	con->wfd = -1;
	if (opts)
		con->opts = *opts;
	if (!con->opts.pace_bytes)
		con->opts.pace_bytes = 1;
	if (!con->opts.window_max)
		con->opts.window_max = 1u << 20;
	if (obs)
		con->obs = *obs;
	rig_ansi_init(&con->ansi);
	rig_kfilter_init(&con->kf);
	con->link_up = true;
	con->wincap = 4096;   /* never NULL: matching an empty console is legal */
	con->win = rig_xmalloc(con->wincap);
	if (ops) {
		r = ops->open(ctx, cfg, peer_fd, &sink, &con->handle);
		if (r < 0) {
			free(con->win);
			free(con);
			return r;
		}
	}
	*out = con;
	return 0;
}

static void fail_sends(struct rig_console *con, int err);

void rig_console_close(struct rig_console *con)
{
	if (!con)
		return;
	if (con->want_write && con->wfd >= 0)
		rig_loop_del_fd(con->loop, con->wfd);
	rig_loop_cancel_timer(con->loop, con->pace_timer);
	con->pace_timer = NULL;
	/* Pending senders are told nothing: close is the owner's decision. */
	while (con->reqs) {
		struct send_req *r = con->reqs;

		con->reqs = r->next;
		free(r);
	}
	if (con->ops && con->handle)
		con->ops->close(con->handle);
	while (con->watches) {
		struct rig_console_watch *w = con->watches;

		con->watches = w->next;
		free(w);
	}
	free(con->win);
	free(con->sq);
	free(con);
}

/* ---- input and matching ---- */

static uint64_t time_of(const struct rig_console *con, uint64_t abs_end)
{
	/* The earliest chunk whose end is at or past abs_end. */
	uint64_t best = 0;

	for (size_t i = 0; i < CHUNK_MAP; i++) {
		size_t k = (con->chunk_head + CHUNK_MAP - 1 - i) % CHUNK_MAP;

		if (!con->chunks[k].t)
			break;
		if (con->chunks[k].end < abs_end)
			break;
		best = con->chunks[k].t;
	}
	return best;
}

static char *copy_abs(const struct rig_console *con, uint64_t a, uint64_t b, size_t *len)
{
	size_t n = (size_t)(b - a);

	if (len)
		*len = n;
	return rig_xstrndup((const char *)con->win + (a - con->base), n);
}

static void fill_hit(const struct rig_console *con, const struct rig_match *m, uint64_t from_abs,
		     bool with_before, struct rig_console_hit *hit)
{
	uint64_t s = con->base + m->start, e = con->base + m->end;

	memset(hit, 0, sizeof(*hit));
	hit->text = copy_abs(con, s, e, &hit->textlen);
	if (with_before)
		hit->before = copy_abs(con, from_abs, s, &hit->beforelen);
	hit->ncap = m->ncap;
	for (int i = 0; i < m->ncap; i++) {
		if (m->cap_start[i] == SIZE_MAX)
			hit->cap[i] = NULL;
		else
			hit->cap[i] = copy_abs(con, con->base + m->cap_start[i],
					       con->base + m->cap_end[i], NULL);
	}
	hit->abs_start = s;
	hit->abs_end = e;
	hit->t_read_ns = time_of(con, e);
	hit->t_match_ns = rig_now_ns();
}

/* Search for w from max(scan, floor); update scan. 1 = matched. */
static int search(struct rig_console *con, const struct rig_regex *re, uint64_t *scan,
		  uint64_t floor, struct rig_match *m)
{
	uint64_t from = *scan < floor ? floor : *scan;
	size_t resume = 0;
	int r;

	if (from < con->base)
		from = con->base;
	/* The subject starts at the floor (cursor), so ^ and lookbehinds do not
	 * see consumed text. */
	{
		size_t off = (size_t)(floor > con->base ? floor - con->base : 0);
		size_t subj_from = (size_t)(from - con->base) - off;

		r = rig_regex_search(re, con->win + off, con->winlen - off, subj_from, m, &resume);
		if (r == 1) {
			m->start += off;
			m->end += off;
			for (int i = 0; i < m->ncap; i++) {
				if (m->cap_start[i] != SIZE_MAX) {
					m->cap_start[i] += off;
					m->cap_end[i] += off;
				}
			}
		}
		*scan = con->base + off + resume;
	}
	return r;
}

static void trim_window(struct rig_console *con)
{
	size_t drop;

	if (con->winlen <= con->opts.window_max)
		return;
	drop = con->winlen - con->opts.window_max / 2;
	if (con->cursor < con->base + drop) {
		con->dropped += con->base + drop - con->cursor;
		con->cursor = con->base + drop;
	}
	memmove(con->win, con->win + drop, con->winlen - drop);
	con->winlen -= drop;
	con->base += drop;
}

static void reap_watches(struct rig_console *con)
{
	struct rig_console_watch **pp = &con->watches;

	while (*pp) {
		struct rig_console_watch *w = *pp;

		if (w->dead) {
			*pp = w->next;
			free(w);
		} else {
			pp = &w->next;
		}
	}
}

/* Triggers first: they are C-level and must see every byte before an expect
 * hands control back to Lua (which may then disarm them, or end the run). */
static void run_pass(struct rig_console *con, enum rig_watch_kind kind)
{
	for (struct rig_console_watch *w = con->watches; w; w = w->next) {
		struct rig_match m;
		struct rig_console_hit hit;
		uint64_t floor;
		int r;

		if (w->dead || w->kind != kind)
			continue;
		floor = w->kind == RIG_WATCH_EXPECT ? con->cursor : w->scan;
		r = search(con, w->re, &w->scan, floor, &m);
		if (r != 1)
			continue;
		fill_hit(con, &m, floor, w->kind == RIG_WATCH_EXPECT, &hit);
		if (w->kind == RIG_WATCH_EXPECT)
			con->cursor = hit.abs_end;
		w->dead = true;
		w->fn(w->arg, &hit);
		rig_console_hit_clear(&hit);
	}
}

static void run_watches(struct rig_console *con)
{
	con->in_dispatch++;
	run_pass(con, RIG_WATCH_TRIGGER);
	run_pass(con, RIG_WATCH_EXPECT);
	con->in_dispatch--;
	if (!con->in_dispatch)
		reap_watches(con);
}

void rig_console_feed(struct rig_console *con, const uint8_t *buf, size_t n, uint64_t t_ns)
{
	size_t add;

	if (!n)
		return;
	if (con->obs.rx)
		con->obs.rx(con->obs.arg, buf, n, t_ns);
	for (size_t i = 0; i < n; i++)
		con->raw[(con->rawtotal + i) % RAW_TAIL] = buf[i];
	con->rawtotal += n;

	if (con->winlen + n + sizeof(con->kf.held) > con->wincap) {
		con->wincap = (con->winlen + n + sizeof(con->kf.held)) * 2;
		con->win = rig_xrealloc(con->win, con->wincap);
	}
	add = rig_ansi_strip(&con->ansi, buf, n, con->win + con->winlen);
	if (con->opts.filter_kernel) {
		/* in place: the filter never writes more than it has read, plus
		 * what it held back from earlier reads */
		uint8_t tmp[8192];
		uint8_t *src = add <= sizeof(tmp) ? tmp : rig_xmalloc(add);

		memcpy(src, con->win + con->winlen, add);
		add = rig_kfilter_run(&con->kf, src, add, con->win + con->winlen);
		if (src != tmp)
			free(src);
	}
	con->winlen += add;
	con->chunks[con->chunk_head].end = con->base + con->winlen;
	con->chunks[con->chunk_head].t = t_ns;
	con->chunk_head = (con->chunk_head + 1) % CHUNK_MAP;
	if (add && !con->draining)
		run_watches(con);
	trim_window(con);
}

void rig_console_reset_cursor(struct rig_console *con)
{
	uint64_t end;

	/* What the kernel still holds from before the power-on is before it:
	 * stored as read, but no expect or trigger may match it. */
	if (con->ops && con->ops->drain) {
		con->draining = true;
		con->ops->drain(con->handle);
		con->draining = false;
	}
	end = con->base + con->winlen;

	con->cursor = end;
	for (struct rig_console_watch *w = con->watches; w; w = w->next)
		if (w->scan < end)
			w->scan = end;
	/* A sequence cut by the power-off must not eat the first boot bytes. */
	rig_ansi_init(&con->ansi);
	rig_kfilter_init(&con->kf);
}

uint64_t rig_console_cursor(const struct rig_console *con)
{
	return con->cursor;
}

uint64_t rig_console_end(const struct rig_console *con)
{
	return con->base + con->winlen;
}

uint64_t rig_console_dropped(const struct rig_console *con)
{
	return con->dropped;
}

bool rig_console_link_up(const struct rig_console *con)
{
	return con->link_up;
}

int rig_console_match_now(struct rig_console *con, const struct rig_regex *re,
			  struct rig_console_hit *hit)
{
	struct rig_match m;
	uint64_t scan = con->cursor;
	int r = search(con, re, &scan, con->cursor, &m);

	if (r != 1)
		return r;
	fill_hit(con, &m, con->cursor, true, hit);
	con->cursor = hit->abs_end;
	return 1;
}

struct rig_console_watch *rig_console_watch(struct rig_console *con, enum rig_watch_kind kind,
					    const struct rig_regex *re, rig_console_watch_fn *fn,
					    void *arg)
{
	struct rig_console_watch *w = rig_xcalloc(1, sizeof(*w));

	w->kind = kind;
	w->re = re;
	w->scan = con->cursor;
	w->fn = fn;
	w->arg = arg;
	w->next = con->watches;
	con->watches = w;
	return w;
}

void rig_console_unwatch(struct rig_console *con, struct rig_console_watch *w)
{
	if (!w)
		return;
	w->dead = true;
	if (!con->in_dispatch)
		reap_watches(con);
}

/* ---- output ---- */

static void pump(struct rig_console *con);

static void pace_timer_cb(struct rig_loop *loop, void *arg)
{
	struct rig_console *con = arg;

	RIG_UNUSED(loop);
	con->pace_timer = NULL;
	pump(con);
}

static void writable_cb(struct rig_loop *loop, int fd, unsigned events, void *arg)
{
	struct rig_console *con = arg;

	RIG_UNUSED(events);
	rig_loop_del_fd(loop, fd);
	con->want_write = false;
	pump(con);
}

static void complete_bytes(struct rig_console *con, size_t n)
{
	while (n && con->reqs) {
		struct send_req *r = con->reqs;
		size_t k = n < r->remaining ? n : r->remaining;

		r->remaining -= k;
		n -= k;
		if (r->remaining)
			break;
		con->reqs = r->next;
		if (!con->reqs)
			con->reqs_tail = NULL;
		if (r->done)
			r->done(r->arg, 0);
		free(r);
	}
}

static void fail_sends(struct rig_console *con, int err)
{
	con->sqlen = con->sqoff = 0;
	while (con->reqs) {
		struct send_req *r = con->reqs;

		con->reqs = r->next;
		if (!con->reqs)
			con->reqs_tail = NULL;
		if (r->done)
			r->done(r->arg, err);
		free(r);
	}
}

static void pump(struct rig_console *con)
{
	while (con->sqoff < con->sqlen) {
		size_t chunk = con->sqlen - con->sqoff;
		ssize_t w;

		if (con->opts.pace_ms && chunk > con->opts.pace_bytes)
			chunk = con->opts.pace_bytes;
		w = con->ops ? con->ops->write(con->handle, con->sq + con->sqoff, chunk)
			     : (ssize_t)chunk;
		if (w == -EAGAIN || w == 0) {
			int fd = con->ops && con->ops->write_fd ? con->ops->write_fd(con->handle) : -1;

			if (fd >= 0 && rig_loop_add_fd(con->loop, fd, RIG_EV_WRITE, writable_cb, con) == 0) {
				con->wfd = fd;
				con->want_write = true;
			} else {
				con->pace_timer = rig_loop_add_timer(con->loop, rig_now_ns() + 10 * RIG_NS_PER_MS,
								     pace_timer_cb, con);
			}
			return;
		}
		if (w < 0) {
			fail_sends(con, (int)w);
			return;
		}
		if (con->obs.tx)
			con->obs.tx(con->obs.arg, con->sq + con->sqoff, (size_t)w, rig_now_ns());
		con->sqoff += (size_t)w;
		complete_bytes(con, (size_t)w);
		if (con->opts.pace_ms && con->sqoff < con->sqlen) {
			con->pace_timer = rig_loop_add_timer(
				con->loop, rig_now_ns() + con->opts.pace_ms * RIG_NS_PER_MS, pace_timer_cb, con);
			return;
		}
	}
	con->sqlen = con->sqoff = 0;
}

int rig_console_send(struct rig_console *con, const void *buf, size_t n, rig_console_sent_fn *done,
		     void *arg)
{
	struct send_req *r;
	bool idle = con->sqoff == con->sqlen && !con->pace_timer && !con->want_write;

	if (con->sqlen - con->sqoff + n > SENDQ_MAX)
		return -ENOBUFS;
	if (con->sqoff) {
		memmove(con->sq, con->sq + con->sqoff, con->sqlen - con->sqoff);
		con->sqlen -= con->sqoff;
		con->sqoff = 0;
	}
	con->sq = rig_xrealloc(con->sq, con->sqlen + n);
	memcpy(con->sq + con->sqlen, buf, n);
	con->sqlen += n;
	r = rig_xcalloc(1, sizeof(*r));
	r->remaining = n;
	r->done = done;
	r->arg = arg;
	if (con->reqs_tail)
		con->reqs_tail->next = r;
	else
		con->reqs = r;
	con->reqs_tail = r;
	/* Never call done() from inside send(): start writing from the loop. */
	if (idle)
		con->pace_timer = rig_loop_add_timer(con->loop, 0, pace_timer_cb, con);
	return 0;
}

void rig_console_forget_sender(struct rig_console *con, void *arg)
{
	for (struct send_req *r = con->reqs; r; r = r->next)
		if (r->arg == arg)
			r->done = NULL;
}

size_t rig_console_tail(const struct rig_console *con, char *out, size_t cap)
{
	size_t n = con->rawtotal < RAW_TAIL ? (size_t)con->rawtotal : RAW_TAIL;

	if (n > cap)
		n = cap;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)con->raw[(con->rawtotal - n + i) % RAW_TAIL];
	return n;
}
