/* Counting the writes in nbdkit's log (nbdkit-log-filter(1), logfile=): the
 * qemu driver's per-partition `written` count with disk = "volatile-cache".
 * A request line looks like
 *   2026-12-02 00:04:54.904417 connection=1 Write id=1 offset=0x1000 count=0x2000 fua=1 ...
 * and its completion like `connection=1 ...Write id=1 return=0`. Write, Zero
 * and Trim requests count (each changes what the disk holds), when they are
 * issued, not when they complete. The bytes come from a file another process
 * writes, so the parser is fuzzed (tests/fuzz/fuzz_nbdlog.c): lines are
 * bounded (a longer one is dropped and counted), numbers are checked for
 * overflow, and nothing is assumed NUL-terminated. */
#ifndef RIG_POWER_NBDLOG_H
#define RIG_POWER_NBDLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum rig_nbdlog_op { RIG_NBDLOG_WRITE = 1, RIG_NBDLOG_ZERO, RIG_NBDLOG_TRIM };

struct rig_nbdlog_req {
	enum rig_nbdlog_op op;
	uint64_t offset, count;
};

/* One line, without its newline: 1 and *req set for a Write, Zero or Trim
 * request; 0 for any other line (completions, Read, Flush, Connect ...);
 * -EINVAL for a Write/Zero/Trim request without a valid offset and count. */
int rig_nbdlog_line(const char *line, size_t n, struct rig_nbdlog_req *req);

#define RIG_NBDLOG_LINE_MAX 1024   /* a request line is about 100 bytes */
#define RIG_NBDLOG_MAX_RANGES 16

/* An incremental counter: feed it the log's bytes as they come, in pieces
 * of any size; it counts the bytes of every request (total) and those that
 * overlap each range (ranges[i].bytes: a partition's offset and size). */
struct rig_nbdlog {
	char line[RIG_NBDLOG_LINE_MAX];
	size_t len;
	bool overlong;                 /* dropping the rest of a too long line */
	uint64_t requests;             /* Write/Zero/Trim lines counted */
	uint64_t garbage;              /* lines dropped: too long or malformed requests */
	uint64_t total;                /* bytes of every request, wherever they went */
	size_t nranges;
	struct rig_nbdlog_range {
		uint64_t off, size;
		uint64_t bytes;
	} ranges[RIG_NBDLOG_MAX_RANGES];
};

void rig_nbdlog_init(struct rig_nbdlog *l);
/* Count the writes to [off, off + size) from now on: its index, or -ENOSPC. */
int rig_nbdlog_add_range(struct rig_nbdlog *l, uint64_t off, uint64_t size);
void rig_nbdlog_feed(struct rig_nbdlog *l, const char *buf, size_t n);
/* A new log file: drop the partial line of the last one (the writer was
 * killed in the middle of it); the counts stay. */
void rig_nbdlog_new_file(struct rig_nbdlog *l);

#endif
