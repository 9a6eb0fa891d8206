/* rig — common definitions shared by every object.
 *
 * Conventions (see docs/ and ../shared/STYLE.md):
 *  - fallible functions return 0 (or a count) on success and -errno on failure;
 *  - time is uint64_t nanoseconds of CLOCK_MONOTONIC; wall-clock only in reports;
 *  - destructors accept NULL; output parameters come last and are set on success.
 */
#ifndef RIG_H
#define RIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdarg.h>

#define RIG_NS_PER_MS 1000000ull
#define RIG_NS_PER_S 1000000000ull

#define RIG_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define RIG_UNUSED(x) ((void)(x))

#if defined(__GNUC__)
#define RIG_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define RIG_PRINTF(a, b)
#endif

/* Nanoseconds of CLOCK_MONOTONIC. */
uint64_t rig_now_ns(void);
/* Nanoseconds of CLOCK_REALTIME (reports only). */
uint64_t rig_wall_ns(void);

/* Allocation that never returns NULL: aborts on exhaustion (tiny sizes only). */
void *rig_xmalloc(size_t n);
void *rig_xcalloc(size_t n, size_t size);
void *rig_xrealloc(void *p, size_t n);
char *rig_xstrdup(const char *s);
char *rig_xstrndup(const char *s, size_t n);
char *rig_xasprintf(const char *fmt, ...) RIG_PRINTF(1, 2);

/* A bounded error message buffer carried by objects (rig_dev_error & co). */
#define RIG_ERRMSG_MAX 512
struct rig_errmsg {
	char text[RIG_ERRMSG_MAX];
};
void rig_errmsg_set(struct rig_errmsg *e, const char *fmt, ...) RIG_PRINTF(2, 3);
void rig_errmsg_vset(struct rig_errmsg *e, const char *fmt, va_list ap);

/* Set FD_CLOEXEC and O_NONBLOCK. */
int rig_fd_set_nonblock(int fd);
int rig_fd_set_cloexec(int fd);
/* The digits in base 10 or 16 at p (before end): their value in *out and a
 * pointer past them, or NULL when p holds no digit or the value needs more
 * than 64 bits. No sign, no prefix, no spaces. */
const char *rig_scan_u64(const char *p, const char *end, unsigned base, uint64_t *out);

/* Exit statuses of the rig binary. */
enum {
	RIG_EXIT_OK = 0,      /* every run passed */
	RIG_EXIT_FAIL = 1,    /* a run failed or bricked */
	RIG_EXIT_USAGE = 2,   /* bad usage or bad input file */
	RIG_EXIT_INFRA = 3,   /* infrastructure error */
};

#endif
