/*
 * rbuf.c — the bounded reader every parser of outside bytes goes through,
 * BER-TLV on top of it, and the matching bounded writer.
 *
 * Invariant: b->off <= b->len at all times; every read checks the bytes
 * left before touching them, and a failed read consumes nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

void
rbuf_init(struct rbuf *b, const void *p, size_t len)
{
	/* Never keep a NULL base: NULL + 0 is undefined behaviour in C, and
	 * an empty input may well arrive as (NULL, 0) (libFuzzer does so). */
	static const uint8_t empty[1];

	b->p = p != NULL ? p : empty;
	b->len = p != NULL ? len : 0;
	b->off = 0;
}

size_t
rbuf_left(const struct rbuf *b)
{
	return b->len - b->off;
}

const uint8_t *
rbuf_cur(const struct rbuf *b)
{
	return b->p + b->off;
}

int
rbuf_get_view(struct rbuf *b, size_t n, const uint8_t **p)
{
	if (n > rbuf_left(b))
		return ERR_SHORT;
	if (p != NULL)
		*p = b->p + b->off;
	b->off += n;
	return 0;
}

int
rbuf_get(struct rbuf *b, void *out, size_t n)
{
	const uint8_t *p;
	int r;

	if ((r = rbuf_get_view(b, n, &p)) != 0)
		return r;
	if (n > 0)
		memcpy(out, p, n);
	return 0;
}

int
rbuf_skip(struct rbuf *b, size_t n)
{
	return rbuf_get_view(b, n, NULL);
}

int
rbuf_get_sub(struct rbuf *b, size_t n, struct rbuf *sub)
{
	const uint8_t *p;
	int r;

	if ((r = rbuf_get_view(b, n, &p)) != 0)
		return r;
	rbuf_init(sub, p, n);
	return 0;
}

static uint64_t
be_value(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

int
rbuf_get_u8(struct rbuf *b, uint8_t *v)
{
	const uint8_t *p;

	if (rbuf_get_view(b, 1, &p) != 0)
		return ERR_SHORT;
	*v = p[0];
	return 0;
}

int
rbuf_get_u16(struct rbuf *b, uint16_t *v)
{
	const uint8_t *p;

	if (rbuf_get_view(b, 2, &p) != 0)
		return ERR_SHORT;
	*v = (uint16_t)be_value(p, 2);
	return 0;
}

int
rbuf_get_u32(struct rbuf *b, uint32_t *v)
{
	const uint8_t *p;

	if (rbuf_get_view(b, 4, &p) != 0)
		return ERR_SHORT;
	*v = (uint32_t)be_value(p, 4);
	return 0;
}

int
rbuf_get_u64(struct rbuf *b, uint64_t *v)
{
	const uint8_t *p;

	if (rbuf_get_view(b, 8, &p) != 0)
		return ERR_SHORT;
	*v = be_value(p, 8);
	return 0;
}

int
rbuf_get_lp(struct rbuf *b, unsigned prefix, size_t max, const uint8_t **p,
    size_t *n)
{
	size_t save = b->off;
	uint64_t len;

	if (prefix != 1 && prefix != 2 && prefix != 4)
		return ERR_INVAL;
	if (rbuf_left(b) < prefix)
		return ERR_SHORT;
	len = be_value(b->p + b->off, prefix);
	if (len > max)
		return ERR_RANGE;
	b->off += prefix;
	if (len > rbuf_left(b)) {
		b->off = save;
		return ERR_SHORT;
	}
	*p = b->p + b->off;
	*n = (size_t)len;
	b->off += (size_t)len;
	return 0;
}

int
rbuf_get_line(struct rbuf *b, const char **line, size_t *n)
{
	const uint8_t *start = b->p + b->off, *nl;
	size_t left = rbuf_left(b), len;

	if (left == 0)
		return ERR_SHORT;
	nl = memchr(start, '\n', left);
	len = nl != NULL ? (size_t)(nl - start) : left;
	b->off += nl != NULL ? len + 1 : len;
	if (len > 0 && start[len - 1] == '\r')
		len--;
	*line = (const char *)start;
	*n = len;
	return 0;
}

int
rbuf_get_tlv(struct rbuf *b, struct tlv *t)
{
	struct rbuf c = *b;
	uint8_t x, nlen;
	uint32_t tag;
	size_t len = 0;
	const uint8_t *val;

	if (rbuf_get_u8(&c, &x) != 0)
		return ERR_SHORT;
	tag = x;
	t->constructed = (x & 0x20) != 0;
	if ((x & 0x1f) == 0x1f) {
		/* Subsequent tag bytes: bit 8 set means another follows. */
		int more = 1;
		for (int i = 0; more; i++) {
			if (i == 2)
				return ERR_FORMAT;	/* more than 3 tag bytes */
			if (rbuf_get_u8(&c, &x) != 0)
				return ERR_SHORT;
			tag = (tag << 8) | x;
			more = (x & 0x80) != 0;
		}
	}
	if (rbuf_get_u8(&c, &x) != 0)
		return ERR_SHORT;
	if (x < 0x80)
		len = x;
	else if (x == 0x80)
		return ERR_FORMAT;		/* indefinite length */
	else {
		nlen = x & 0x7f;
		if (nlen > 3)
			return ERR_RANGE;
		for (uint8_t i = 0; i < nlen; i++) {
			if (rbuf_get_u8(&c, &x) != 0)
				return ERR_SHORT;
			len = (len << 8) | x;
		}
	}
	if (rbuf_get_view(&c, len, &val) != 0)
		return ERR_SHORT;
	t->tag = tag;
	t->val = val;
	t->len = len;
	t->total = c.off - b->off;
	b->off = c.off;
	return 0;
}

int
tlv_find(const uint8_t *p, size_t n, uint32_t tag, struct tlv *out)
{
	struct rbuf b;
	struct tlv t;
	int r;

	rbuf_init(&b, p, n);
	while (rbuf_left(&b) > 0) {
		if ((r = rbuf_get_tlv(&b, &t)) != 0)
			return r;
		if (t.tag == tag) {
			*out = t;
			return 0;
		}
	}
	return ERR_NOTFOUND;
}

/* ---------------------------------------------------------------- writer */

void
wbuf_init(struct wbuf *w, size_t max)
{
	memset(w, 0, sizeof(*w));
	w->max = max != 0 ? max : (size_t)64 << 20;
}

void
wbuf_init_fixed(struct wbuf *w, void *mem, size_t cap)
{
	memset(w, 0, sizeof(*w));
	w->p = mem;
	w->cap = cap;
	w->max = cap;
	w->fixed = 1;
}

/* Make room for n more bytes (plus one for wbuf_str's NUL). */
static int
wbuf_reserve(struct wbuf *w, size_t n)
{
	size_t need, nc;
	uint8_t *np;

	if (w->err)
		return w->err;
	if (n > w->max || w->len > w->max - n)
		return (w->err = ERR_RANGE);
	need = w->len + n + 1;
	if (need <= w->cap)
		return 0;
	if (w->fixed) {
		if (w->len + n <= w->cap)
			return 0;
		return (w->err = ERR_RANGE);
	}
	nc = w->cap ? w->cap : 256;
	while (nc < need)
		nc = nc <= SIZE_MAX / 2 ? nc * 2 : need;	/* huge max: no wrap */
	if (nc > w->max + 1)
		nc = w->max + 1 > need ? w->max + 1 : need;
	if ((np = malloc(nc)) == NULL)
		return (w->err = ERR_NOMEM);
	if (w->len > 0)
		memcpy(np, w->p, w->len);
	if (w->p != NULL) {
		mem_wipe(w->p, w->cap);
		free(w->p);
	}
	w->p = np;
	w->cap = nc;
	return 0;
}

int
wbuf_put(struct wbuf *w, const void *p, size_t n)
{
	int r;

	if ((r = wbuf_reserve(w, n)) != 0)
		return r;
	if (n > 0)
		memcpy(w->p + w->len, p, n);
	w->len += n;
	return 0;
}

int
wbuf_put_u8(struct wbuf *w, uint8_t v)
{
	return wbuf_put(w, &v, 1);
}

int
wbuf_put_u16(struct wbuf *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	return wbuf_put(w, b, 2);
}

int
wbuf_put_u32(struct wbuf *w, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
	    (uint8_t)(v >> 8), (uint8_t)v };

	return wbuf_put(w, b, 4);
}

int
wbuf_put_u64(struct wbuf *w, uint64_t v)
{
	int r;

	if ((r = wbuf_put_u32(w, (uint32_t)(v >> 32))) != 0)
		return r;
	return wbuf_put_u32(w, (uint32_t)v);
}

int
wbuf_put_lp(struct wbuf *w, unsigned prefix, const void *p, size_t n)
{
	int r;

	switch (prefix) {
	case 1:
		if (n > 0xff)
			return (w->err = ERR_RANGE);
		r = wbuf_put_u8(w, (uint8_t)n);
		break;
	case 2:
		if (n > 0xffff)
			return (w->err = ERR_RANGE);
		r = wbuf_put_u16(w, (uint16_t)n);
		break;
	case 4:
		if (n > 0xffffffffu)
			return (w->err = ERR_RANGE);
		r = wbuf_put_u32(w, (uint32_t)n);
		break;
	default:
		return ERR_INVAL;
	}
	return r != 0 ? r : wbuf_put(w, p, n);
}

int
wbuf_put_tlv(struct wbuf *w, uint32_t tag, const void *val, size_t n)
{
	uint8_t h[8];
	size_t hl = 0;

	if (tag > 0xffff)
		h[hl++] = (uint8_t)(tag >> 16);
	if (tag > 0xff)
		h[hl++] = (uint8_t)(tag >> 8);
	h[hl++] = (uint8_t)tag;
	if (n < 0x80)
		h[hl++] = (uint8_t)n;
	else if (n <= 0xff) {
		h[hl++] = 0x81;
		h[hl++] = (uint8_t)n;
	} else if (n <= 0xffff) {
		h[hl++] = 0x82;
		h[hl++] = (uint8_t)(n >> 8);
		h[hl++] = (uint8_t)n;
	} else if (n <= 0xffffff) {
		h[hl++] = 0x83;
		h[hl++] = (uint8_t)(n >> 16);
		h[hl++] = (uint8_t)(n >> 8);
		h[hl++] = (uint8_t)n;
	} else
		return (w->err = ERR_RANGE);
	if (wbuf_put(w, h, hl) != 0)
		return w->err;
	return wbuf_put(w, val, n);
}

int
wbuf_printf(struct wbuf *w, const char *fmt, ...)
{
	va_list ap;
	int n, r;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return (w->err = ERR_FORMAT);
	if ((r = wbuf_reserve(w, (size_t)n + 1)) != 0)
		return r;
	va_start(ap, fmt);
	vsnprintf((char *)w->p + w->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	w->len += (size_t)n;
	return 0;
}

const char *
wbuf_str(struct wbuf *w)
{
	static char empty[1];

	if (w->p == NULL || w->len >= w->cap)
		return w->len == 0 ? empty : NULL;
	w->p[w->len] = '\0';
	return (const char *)w->p;
}

void
wbuf_free(struct wbuf *w)
{
	if (w->p != NULL)
		mem_wipe(w->p, w->cap);
	if (!w->fixed)
		free(w->p);
	memset(w, 0, sizeof(*w));
}
