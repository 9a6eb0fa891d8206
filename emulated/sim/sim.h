/* rig-sim: a simulated A/B device for rig's tests (see README.md).
 * It runs on a pty as the "device" of the process power driver; SIGKILL is
 * its power cut. Its flash is a state directory; its write cache lives in
 * its memory, so what it did not sync is lost at a cut. */
#ifndef SIM_H
#define SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- timing and console (io.c) ---- */
extern double sim_scale;               /* multiplies every delay */
void sim_sleep_ms(double ms);
void sim_out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void sim_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));  /* + newline, hostile-aware */
void sim_raw(const void *buf, size_t n);
void sim_kernel_line(void);
/* One line typed on the console (without its end); exits when the console goes. */
size_t sim_readline(char *buf, size_t cap);
/* Hostile console: seeded per boot. */
extern bool sim_hostile;
uint32_t sim_rand(void);
void sim_rand_seed(uint64_t seed);

/* ---- flash with a volatile write cache (flash.c) ---- */
struct sim_file;
/* block: flush granularity; the delay applies per block flushed */
struct sim_file *sim_file_open(const char *dir, const char *name, size_t block, double ms_per_block);
size_t sim_file_size(const struct sim_file *f);
const uint8_t *sim_file_data(const struct sim_file *f);   /* what the OS sees (cache) */
void sim_file_write(struct sim_file *f, size_t off, const void *buf, size_t n);
void sim_file_truncate(struct sim_file *f, size_t n);
void sim_file_sync(struct sim_file *f);                   /* flush dirty blocks, in order */
void sim_sync_all(void);
/* Directory entries: a rename is durable only after sim_dir_sync(). */
void sim_rename(const char *dir, const char *from, const char *to);
void sim_dir_sync(const char *dir);
bool sim_exists(const char *dir, const char *name);
void sim_unlink(const char *dir, const char *name);

/* ---- bootloader environment (env.c) ---- */
struct sim_env {
	char order[8];          /* "AB" or "BA" */
	int left[2];            /* boot attempts left, A and B */
	int good[2];
	int valid[2];
	uint32_t seq;
};
/* Returns the copy used (1 or 2), 0 if none valid (defaults loaded). */
int sim_env_load(struct sim_env *e, int *bad_copies);
void sim_env_save(const struct sim_env *e);     /* to the older copy, synced */
void sim_env_defaults(struct sim_env *e);

/* ---- images (image.c) ---- */
#define SIM_IMG_MAGIC "SIMIMG1"
#define SIM_HDR_SIZE 256
enum { SIM_F_UNHEALTHY = 1, SIM_F_HANG = 2, SIM_F_PANIC = 4 };
struct sim_image_hdr {
	char version[32];
	char hw[16];
	uint32_t flags;
	uint64_t payload_size;
	uint8_t payload_sha[32];
	uint8_t sig[32];        /* HMAC-SHA256 over the header fields and payload digest */
};
int sim_image_parse(const uint8_t *buf, size_t n, struct sim_image_hdr *h);  /* 0 ok */
bool sim_image_sig_ok(const struct sim_image_hdr *h);
bool sim_image_payload_ok(const uint8_t *buf, size_t n, const struct sim_image_hdr *h);
int sim_mkimage(int argc, char **argv);

/* ---- the device (boot.c, shell.c, updater.c) ---- */
struct sim {
	const char *state;      /* state directory */
	const char *variant;    /* "robust" or a flawed variant */
	const char *hw;
	double watchdog_s;
	int booted;             /* 0 = A, 1 = B */
	bool trial;
	struct sim_image_hdr img;
	int last_status;
	uint64_t seed;
	unsigned boots;
};
extern struct sim sim;
bool sim_variant(const char *name);
void sim_boot(void) __attribute__((noreturn));
void sim_shell(void) __attribute__((noreturn));
void sim_getty(void) __attribute__((noreturn));
int sim_updater(int argc, char **argv);
bool sim_health_ok(void);
void sim_reboot(void) __attribute__((noreturn));
struct sim_file *sim_slot(int s);
int sim_provision(int argc, char **argv);
int sim_inspect(int argc, char **argv);
int sim_variants(void);

/* sha256 from rig/sha256.c */
#include "rig/sha256.h"
void sim_hmac(const uint8_t *msg, size_t n, uint8_t out[32]);
uint32_t sim_crc32(const void *buf, size_t n);

/* the root password the getty accepts (boot --password) */
extern const char *sim_password;
/* the board's serial number (boot --serial): printed at boot, /sys/serial */
extern const char *sim_serial;

#endif
