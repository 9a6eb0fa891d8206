/* Update images: a 256-byte header (version, hardware, flags, payload digest,
 * HMAC signature) and a payload. mkimage builds them for tests and demos. */
#include "sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t key[] = "rig-sim signing key (test only)";

void sim_hmac(const uint8_t *msg, size_t n, uint8_t out[32])
{
	uint8_t k[64] = { 0 }, ipad[64], opad[64], inner[32];
	struct rig_sha256 c;

	memcpy(k, key, sizeof(key) - 1);
	for (int i = 0; i < 64; i++) {
		ipad[i] = k[i] ^ 0x36;
		opad[i] = k[i] ^ 0x5c;
	}
	rig_sha256_init(&c);
	rig_sha256_update(&c, ipad, 64);
	rig_sha256_update(&c, msg, n);
	rig_sha256_final(&c, inner);
	rig_sha256_init(&c);
	rig_sha256_update(&c, opad, 64);
	rig_sha256_update(&c, inner, 32);
	rig_sha256_final(&c, out);
}

/* Layout: magic[8] version[32] hw[16] flags u32 size u64 sha[32] sig[32] pad */
static void put_hdr(uint8_t *b, const struct sim_image_hdr *h)
{
	memset(b, 0, SIM_HDR_SIZE);
	memcpy(b, SIM_IMG_MAGIC, 8);
	memcpy(b + 8, h->version, 32);
	memcpy(b + 40, h->hw, 16);
	for (int i = 0; i < 4; i++)
		b[56 + i] = (uint8_t)(h->flags >> (24 - 8 * i));
	for (int i = 0; i < 8; i++)
		b[60 + i] = (uint8_t)(h->payload_size >> (56 - 8 * i));
	memcpy(b + 68, h->payload_sha, 32);
	memcpy(b + 100, h->sig, 32);
}

static void signed_part(const struct sim_image_hdr *h, uint8_t out[32])
{
	uint8_t b[SIM_HDR_SIZE];
	struct sim_image_hdr t = *h;

	memset(t.sig, 0, sizeof(t.sig));
	put_hdr(b, &t);
	sim_hmac(b, 100, out);
}

int sim_image_parse(const uint8_t *b, size_t n, struct sim_image_hdr *h)
{
	if (n < SIM_HDR_SIZE || memcmp(b, SIM_IMG_MAGIC, 8))
		return -1;
	memset(h, 0, sizeof(*h));
	memcpy(h->version, b + 8, 31);
	memcpy(h->hw, b + 40, 15);
	for (int i = 0; i < 4; i++)
		h->flags = h->flags << 8 | b[56 + i];
	for (int i = 0; i < 8; i++)
		h->payload_size = h->payload_size << 8 | b[60 + i];
	memcpy(h->payload_sha, b + 68, 32);
	memcpy(h->sig, b + 100, 32);
	if (h->payload_size > (1u << 30))
		return -1;
	return 0;
}

bool sim_image_sig_ok(const struct sim_image_hdr *h)
{
	uint8_t want[32];

	signed_part(h, want);
	return memcmp(want, h->sig, 32) == 0;
}

bool sim_image_payload_ok(const uint8_t *b, size_t n, const struct sim_image_hdr *h)
{
	struct rig_sha256 c;
	uint8_t d[32];

	if (n < SIM_HDR_SIZE + h->payload_size)
		return false;
	rig_sha256_init(&c);
	rig_sha256_update(&c, b + SIM_HDR_SIZE, h->payload_size);
	rig_sha256_final(&c, d);
	return memcmp(d, h->payload_sha, 32) == 0;
}

int sim_mkimage(int argc, char **argv)
{
	struct sim_image_hdr h;
	const char *out = NULL, *version = NULL, *hw = "revA";
	size_t size = 256 * 1024, truncate_to = 0;
	bool bad_sig = false;
	uint8_t *buf;
	struct rig_sha256 c;
	char hex[65];
	FILE *f;
	uint64_t x;

	memset(&h, 0, sizeof(h));
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--version") && i + 1 < argc) version = argv[++i];
		else if (!strcmp(argv[i], "--hw") && i + 1 < argc) hw = argv[++i];
		else if (!strcmp(argv[i], "--size") && i + 1 < argc) size = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--truncate") && i + 1 < argc) truncate_to = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "-o") && i + 1 < argc) out = argv[++i];
		else if (!strcmp(argv[i], "--unhealthy")) h.flags |= SIM_F_UNHEALTHY;
		else if (!strcmp(argv[i], "--hang")) h.flags |= SIM_F_HANG;
		else if (!strcmp(argv[i], "--panic")) h.flags |= SIM_F_PANIC;
		else if (!strcmp(argv[i], "--bad-signature")) bad_sig = true;
		else {
			fprintf(stderr, "rig-sim mkimage: unknown argument '%s'\n", argv[i]);
			return 2;
		}
	}
	if (!out || !version || strlen(version) > 31 || strlen(hw) > 15) {
		fprintf(stderr, "usage: rig-sim mkimage --version V [--hw REV] [--size N] [--unhealthy|--hang|--panic]"
				" [--bad-signature] [--truncate N] -o FILE\n");
		return 2;
	}
	snprintf(h.version, sizeof(h.version), "%s", version);
	snprintf(h.hw, sizeof(h.hw), "%s", hw);
	h.payload_size = size;
	buf = malloc(SIM_HDR_SIZE + size);
	if (!buf)
		return 1;
	x = 0x1234567ull;
	for (size_t i = 0; i < version[0] + strlen(version); i++)
		x = x * 31 + (uint8_t)version[i % strlen(version)];
	for (size_t i = 0; i < size; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf[SIM_HDR_SIZE + i] = (uint8_t)x;
	}
	rig_sha256_init(&c);
	rig_sha256_update(&c, buf + SIM_HDR_SIZE, size);
	rig_sha256_final(&c, h.payload_sha);
	signed_part(&h, h.sig);
	if (bad_sig)
		h.sig[0] ^= 0x55;
	put_hdr(buf, &h);
	f = fopen(out, "wb");
	if (!f) {
		perror(out);
		free(buf);
		return 1;
	}
	size = SIM_HDR_SIZE + size;
	if (truncate_to && truncate_to < size)
		size = truncate_to;
	fwrite(buf, 1, size, f);
	fclose(f);
	rig_sha256_hex(buf, size, hex);
	printf("%s\n", hex);
	free(buf);
	return 0;
}
