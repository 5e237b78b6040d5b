/*
 * fuzz_tlv.c — the bounded reader and BER-TLV (card answers are outside
 * bytes: SPEC 3, every parser goes through struct rbuf).
 *
 * Walks the input as a TLV tree, recursing into constructed elements up to
 * a depth bound, and checks on every element that the reader stayed inside
 * the input, that the sizes add up, that tlv_find agrees with the walk and
 * that re-encoding with wbuf_put_tlv reads back the same.  Then reads the
 * same bytes as integers, length-prefixed blocks and lines.
 */
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define MAX_DEPTH 8

static void
check(int cond)
{
	if (!cond)
		abort();
}

static void
walk(const uint8_t *p, size_t n, int depth)
{
	struct rbuf b;
	struct tlv t;

	if (depth > MAX_DEPTH)
		return;
	rbuf_init(&b, p, n);
	while (rbuf_left(&b) > 0) {
		size_t before = b.off;
		int r = rbuf_get_tlv(&b, &t);
		if (r != 0) {
			check(r == ERR_SHORT || r == ERR_FORMAT || r == ERR_RANGE);
			check(b.off == before);		/* nothing consumed */
			return;
		}
		check(b.off - before == t.total);
		check(t.total > t.len && t.total <= t.len + 3 + 4);
		check(t.val >= p && t.val + t.len <= p + n);
		check(t.val + t.len == p + b.off);
		check(t.constructed == ((p[before] & 0x20) != 0));

		/* tlv_find from this element on finds it (or an earlier twin) */
		struct tlv f;
		check(tlv_find(p + before, n - before, t.tag, &f) == 0);
		check(f.tag == t.tag && f.val == t.val && f.len == t.len);

		/* write it again in the shortest form: same tag, same value */
		struct wbuf w;
		struct rbuf rb;
		struct tlv u;
		wbuf_init(&w, 0);
		check(wbuf_put_tlv(&w, t.tag, t.val, t.len) == 0);
		check(w.len <= t.total);
		rbuf_init(&rb, w.p, w.len);
		check(rbuf_get_tlv(&rb, &u) == 0 && rbuf_left(&rb) == 0);
		check(u.tag == t.tag && u.len == t.len && u.constructed == t.constructed);
		check(t.len == 0 || memcmp(u.val, t.val, t.len) == 0);
		wbuf_free(&w);

		if (t.constructed)
			walk(t.val, t.len, depth + 1);
	}
}

static void
integers_and_blocks(const uint8_t *p, size_t n)
{
	struct rbuf b;
	uint8_t u8, prefix;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;
	const uint8_t *v;
	size_t len, left;

	rbuf_init(&b, p, n);
	while (rbuf_left(&b) > 0) {
		left = rbuf_left(&b);
		if (rbuf_get_u8(&b, &prefix) != 0)
			abort();
		switch (prefix % 6) {
		case 0:
			if (rbuf_get_u16(&b, &u16) != 0)
				check(rbuf_left(&b) < 2);
			break;
		case 1:
			if (rbuf_get_u32(&b, &u32) != 0)
				check(rbuf_left(&b) < 4);
			break;
		case 2:
			if (rbuf_get_u64(&b, &u64) != 0)
				check(rbuf_left(&b) < 8);
			break;
		default: {
			unsigned pl = prefix % 6 == 3 ? 1 : prefix % 6 == 4 ? 2 : 4;
			size_t before = b.off;
			int r = rbuf_get_lp(&b, pl, 300, &v, &len);
			if (r == 0)
				check(len <= 300 && v + len == p + b.off);
			else
				check(b.off == before);
			if (r != 0)
				return;
		}
		}
		check(rbuf_left(&b) < left);
	}
	(void)u8;
}

static void
lines(const uint8_t *p, size_t n)
{
	struct rbuf b;
	const char *line;
	size_t len, total = 0;

	rbuf_init(&b, p, n);
	while (rbuf_get_line(&b, &line, &len) == 0) {
		check(memchr(line, '\n', len) == NULL);
		check((const uint8_t *)line + len <= p + n);
		total++;
	}
	check(rbuf_left(&b) == 0);
	check(total <= n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	walk(data, size, 0);
	integers_and_blocks(data, size);
	lines(data, size);
	return 0;
}
