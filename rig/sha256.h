/* SHA-256 (FIPS 180-4). */
#ifndef RIG_SHA256_H
#define RIG_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct rig_sha256 {
	uint32_t h[8];
	uint64_t len;
	uint8_t buf[64];
	size_t nbuf;
};

void rig_sha256_init(struct rig_sha256 *c);
void rig_sha256_update(struct rig_sha256 *c, const void *data, size_t n);
void rig_sha256_final(struct rig_sha256 *c, uint8_t out[32]);
/* hex: 65 bytes */
void rig_sha256_hex(const void *data, size_t n, char hex[65]);

#endif
