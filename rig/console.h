/* The console core of a device: owns the console driver's handle; keeps the
 * escape-stripped text the device printed in a bounded window with a match
 * cursor; runs expect waiters and armed triggers on every read, in C; queues
 * and paces what is sent.
 *
 * Offsets are absolute positions in the stripped stream since the console was
 * opened. A match consumes everything up to its end. Powering the device on
 * moves the cursor (and every watch) to the end, so nothing printed before the
 * power-on can satisfy a later expect. */
#ifndef RIG_CONSOLE_H
#define RIG_CONSOLE_H

#include "driver.h"
#include "regex.h"

struct rig_console;

struct rig_console_observer {
	void (*rx)(void *arg, const uint8_t *buf, size_t n, uint64_t t_ns);   /* raw bytes read */
	void (*tx)(void *arg, const uint8_t *buf, size_t n, uint64_t t_ns);   /* raw bytes written */
	void (*link)(void *arg, bool up, uint64_t t_ns, const char *why);
	void *arg;
};

struct rig_console_opts {
	unsigned pace_ms;        /* delay between paced chunks; 0 = no pacing */
	unsigned pace_bytes;     /* bytes per paced chunk (default 1) */
	size_t window_max;       /* stripped bytes kept for matching (default 1 MiB) */
	bool filter_kernel;      /* drop "[ 1.234567] ..." kernel lines from the text */
};

/* What a match found; strings are malloc'd and freed by rig_console_hit_clear(). */
struct rig_console_hit {
	char *text;              /* the matched text */
	size_t textlen;
	char *before;            /* unconsumed text before the match (expects only) */
	size_t beforelen;
	int ncap;
	char *cap[RIG_REGEX_MAXCAP];  /* NULL for unset groups */
	uint64_t abs_start, abs_end;
	uint64_t t_read_ns;      /* when the read that completed the match happened */
	uint64_t t_match_ns;     /* when the regex matched */
};
void rig_console_hit_clear(struct rig_console_hit *hit);

int rig_console_open(struct rig_loop *loop, const struct rig_console_ops *ops,
		     const struct rig_drv_ctx *ctx, const struct rig_cfg *cfg, int peer_fd,
		     const struct rig_console_opts *opts, const struct rig_console_observer *obs,
		     struct rig_console **out);
void rig_console_close(struct rig_console *con);

/* Feed bytes as if read from the driver (drivers call this through their
 * sink; tests and fuzzers call it directly). */
void rig_console_feed(struct rig_console *con, const uint8_t *buf, size_t n, uint64_t t_ns);

/* Move the cursor and every watch to the current end (power-on). */
void rig_console_reset_cursor(struct rig_console *con);
uint64_t rig_console_cursor(const struct rig_console *con);
uint64_t rig_console_end(const struct rig_console *con);
/* Stripped bytes dropped from the window before any expect saw them. */
uint64_t rig_console_dropped(const struct rig_console *con);
bool rig_console_link_up(const struct rig_console *con);

/* Search the unconsumed text now; on a match, fill hit and consume. Returns 1
 * matched, 0 not (yet), -errno. */
int rig_console_match_now(struct rig_console *con, const struct rig_regex *re,
			  struct rig_console_hit *hit);

/* A watch is called from the loop when re matches new text. An EXPECT watch
 * uses and advances the console cursor and is removed after it fires; a
 * TRIGGER watch has its own scan position, consumes nothing, and is removed
 * after it fires too (one-shot). The console does not own re. */
enum rig_watch_kind { RIG_WATCH_EXPECT, RIG_WATCH_TRIGGER };
struct rig_console_watch;
typedef void rig_console_watch_fn(void *arg, struct rig_console_hit *hit);
struct rig_console_watch *rig_console_watch(struct rig_console *con, enum rig_watch_kind kind,
					    const struct rig_regex *re, rig_console_watch_fn *fn,
					    void *arg);
/* Accepts NULL; must not be called after the watch fired. */
void rig_console_unwatch(struct rig_console *con, struct rig_console_watch *w);

/* Queue bytes to send (paced). done(arg, result) is called from the loop once
 * every byte was written (0) or the port failed (-errno). */
typedef void rig_console_sent_fn(void *arg, int result);
int rig_console_send(struct rig_console *con, const void *buf, size_t n, rig_console_sent_fn *done,
		     void *arg);
/* Cancel the pending done() callbacks of arg (bytes already queued still go). */
void rig_console_forget_sender(struct rig_console *con, void *arg);

/* The last raw bytes read (up to cap), copied out; returns the length. */
size_t rig_console_tail(const struct rig_console *con, char *out, size_t cap);

#endif
