/*
 * misc.c — randomness, UUIDs, constant-time comparison, wiping, hex, and
 * process hardening.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>

#include "core.h"

int
rand_bytes(void *p, size_t n)
{
	uint8_t *q = p;

	while (n > 0) {
		ssize_t r = getrandom(q, n, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return ERR_IO;
		}
		q += r;
		n -= (size_t)r;
	}
	return 0;
}

int
uuid_v4(char out[37])
{
	uint8_t u[16];

	if (rand_bytes(u, sizeof(u)) != 0)
		return ERR_IO;
	u[6] = (u[6] & 0x0f) | 0x40;
	u[8] = (u[8] & 0x3f) | 0x80;
	snprintf(out, 37,
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	    u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10],
	    u[11], u[12], u[13], u[14], u[15]);
	return 0;
}

int
ct_memcmp(const void *a, const void *b, size_t n)
{
	const volatile uint8_t *x = a, *y = b;
	uint8_t d = 0;

	for (size_t i = 0; i < n; i++)
		d |= x[i] ^ y[i];
	return d != 0;
}

void
mem_wipe(void *p, size_t n)
{
	if (p != NULL && n > 0)
		explicit_bzero(p, n);
}

void
hex_encode(const void *p, size_t n, char *out)
{
	static const char hx[] = "0123456789abcdef";
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hx[b[i] >> 4];
		out[2 * i + 1] = hx[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
hex_decode(const char *s, size_t slen, void *out, size_t cap)
{
	uint8_t *o = out;

	if (slen % 2 != 0 || slen / 2 > cap)
		return ERR_FORMAT;
	for (size_t i = 0; i < slen / 2; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return ERR_FORMAT;
		o[i] = (uint8_t)(hi << 4 | lo);
	}
	return (int)(slen / 2);
}

int
proc_harden(struct err *e)
{
	struct rlimit rl = { 0, 0 };

	if (setrlimit(RLIMIT_CORE, &rl) != 0)
		return err_set(e, ERR_IO, "setrlimit(RLIMIT_CORE): %s", strerror(errno));
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		return err_set(e, ERR_IO, "prctl(PR_SET_DUMPABLE): %s", strerror(errno));
	return 0;
}
