/* The bootloader environment: two copies, each with a sequence number and a
 * CRC32; the bootloader trusts the valid copy with the highest sequence, and
 * a save goes to the other copy, so a torn write leaves the last good one.
 * The single-env variant keeps one copy and rewrites it in place. */
#include "sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ENV_SIZE 256
#define ENV_BLOCK 64
#define ENV_MS_PER_BLOCK 10.0

uint32_t sim_crc32(const void *buf, size_t n)
{
	const uint8_t *p = buf;
	uint32_t c = 0xffffffffu;

	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
	}
	return ~c;
}

void sim_env_defaults(struct sim_env *e)
{
	memset(e, 0, sizeof(*e));
	strcpy(e->order, "AB");
	e->left[0] = e->left[1] = 3;
	e->good[0] = 1;
	e->valid[0] = 1;
}

static void encode(const struct sim_env *e, uint8_t out[ENV_SIZE])
{
	char text[ENV_SIZE];
	uint32_t crc;
	int n;

	memset(out, 0, ENV_SIZE);
	memset(text, 0, sizeof(text));
	n = snprintf(text, sizeof(text),
		     "order=%s\nA_left=%d\nB_left=%d\nA_good=%d\nB_good=%d\nA_valid=%d\nB_valid=%d\n",
		     e->order, e->left[0], e->left[1], e->good[0], e->good[1], e->valid[0], e->valid[1]);
	memcpy(out, "SENV", 4);
	out[4] = (uint8_t)(e->seq >> 24);
	out[5] = (uint8_t)(e->seq >> 16);
	out[6] = (uint8_t)(e->seq >> 8);
	out[7] = (uint8_t)e->seq;
	memcpy(out + 12, text, (size_t)n);
	/* The CRC sits at the end, like U-Boot's redundant env: a write torn
	 * between the first and the last block never checks out. */
	crc = sim_crc32(out, ENV_SIZE - 4);
	out[ENV_SIZE - 4] = (uint8_t)(crc >> 24);
	out[ENV_SIZE - 3] = (uint8_t)(crc >> 16);
	out[ENV_SIZE - 2] = (uint8_t)(crc >> 8);
	out[ENV_SIZE - 1] = (uint8_t)crc;
}

static int decode(const uint8_t *in, size_t n, struct sim_env *e)
{
	uint32_t crc, want;
	char text[ENV_SIZE];

	if (n != ENV_SIZE || memcmp(in, "SENV", 4))
		return -1;
	want = (uint32_t)in[ENV_SIZE - 4] << 24 | (uint32_t)in[ENV_SIZE - 3] << 16 |
	       (uint32_t)in[ENV_SIZE - 2] << 8 | in[ENV_SIZE - 1];
	crc = sim_crc32(in, ENV_SIZE - 4);
	if (crc != want)
		return -1;
	memset(e, 0, sizeof(*e));
	e->seq = (uint32_t)in[4] << 24 | (uint32_t)in[5] << 16 | (uint32_t)in[6] << 8 | in[7];
	memcpy(text, in + 12, ENV_SIZE - 16);
	text[ENV_SIZE - 16] = '\0';
	if (sscanf(text, "order=%2s\nA_left=%d\nB_left=%d\nA_good=%d\nB_good=%d\nA_valid=%d\nB_valid=%d",
		   e->order, &e->left[0], &e->left[1], &e->good[0], &e->good[1], &e->valid[0],
		   &e->valid[1]) != 7)
		return -1;
	return 0;
}

static struct sim_file *copy(int i)
{
	return sim_file_open(sim.state, i == 1 ? "env1" : "env2", ENV_BLOCK, ENV_MS_PER_BLOCK);
}

int sim_env_load(struct sim_env *e, int *bad)
{
	struct sim_env c[2];
	int ok[2] = { 0, 0 };
	int copies = sim_variant("single-env") ? 1 : 2;

	*bad = 0;
	for (int i = 0; i < copies; i++) {
		struct sim_file *f = copy(i + 1);

		ok[i] = decode(sim_file_data(f), sim_file_size(f), &c[i]) == 0;
		if (!ok[i])
			(*bad)++;
	}
	if (ok[0] && (!ok[1] || c[0].seq >= c[1].seq)) {
		*e = c[0];
		return 1;
	}
	if (ok[1]) {
		*e = c[1];
		return 2;
	}
	sim_env_defaults(e);
	return 0;
}

void sim_env_save(const struct sim_env *in)
{
	struct sim_env e = *in, cur;
	uint8_t buf[ENV_SIZE];
	int bad, which;
	struct sim_file *f;

	if (sim_variant("single-env")) {
		e.seq++;
		f = copy(1);
	} else {
		/* the copy not in force (or an invalid one) takes the write */
		which = sim_env_load(&cur, &bad);
		e.seq = (which ? cur.seq : 0) + 1;
		f = copy(which == 1 ? 2 : 1);
	}
	encode(&e, buf);
	sim_file_write(f, 0, buf, sizeof(buf));
	sim_file_truncate(f, sizeof(buf));
	sim_file_sync(f);
}
