/*
 * utf8.c — strict UTF-8 decoding and terminal display width.
 *
 * Widths follow Unicode East Asian Width (W and F are 2 columns) and treat
 * nonspacing/enclosing marks and zero-width characters as 0, the same
 * decisions glibc's wcwidth() makes for the ranges a Japanese counter sees,
 * but without depending on the process locale.
 */
#include <string.h>

#include "core.h"

int
utf8_decode(const char *s, size_t n, uint32_t *cp)
{
	const uint8_t *p = (const uint8_t *)s;
	uint32_t c;
	int len;

	if (n == 0)
		return ERR_FORMAT;
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2;
		c = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3;
		c = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4;
		c = p[0] & 0x07;
	} else
		return ERR_FORMAT;
	if ((size_t)len > n)
		return ERR_FORMAT;
	for (int i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return ERR_FORMAT;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return ERR_FORMAT;
	*cp = c;
	return len;
}

int
utf8_encode(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp >= 0xd800 && cp <= 0xdfff)
		return ERR_RANGE;
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	if (cp <= 0x10ffff) {
		out[0] = (char)(0xf0 | (cp >> 18));
		out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[3] = (char)(0x80 | (cp & 0x3f));
		return 4;
	}
	return ERR_RANGE;
}

int
utf8_valid(const char *s, size_t n)
{
	size_t i = 0;
	uint32_t cp;

	while (i < n) {
		int l = utf8_decode(s + i, n - i, &cp);
		if (l < 0)
			return 0;
		i += (size_t)l;
	}
	return 1;
}

int
utf8_count(const char *s, size_t n)
{
	size_t i = 0;
	int count = 0;
	uint32_t cp;

	while (i < n) {
		int l = utf8_decode(s + i, n - i, &cp);
		if (l < 0)
			return ERR_FORMAT;
		i += (size_t)l;
		count++;
	}
	return count;
}

struct range {
	uint32_t lo, hi;
};

/* Zero width: combining marks and format characters (selected blocks),
 * and Hangul medial and final jamo, which conjoin with the initial one. */
static const struct range zero_width[] = {	/* sorted: binary search */
	{ 0x0300, 0x036f }, { 0x0483, 0x0489 }, { 0x0591, 0x05bd },
	{ 0x0610, 0x061a }, { 0x064b, 0x065f }, { 0x0e31, 0x0e31 },
	{ 0x0e34, 0x0e3a }, { 0x1160, 0x11ff }, { 0x1ab0, 0x1aff },
	{ 0x1dc0, 0x1dff }, { 0x200b, 0x200f }, { 0x202a, 0x202e },
	{ 0x2060, 0x206f }, { 0x20d0, 0x20ff }, { 0x302a, 0x302d },
	{ 0x3099, 0x309a }, { 0xfe00, 0xfe0f }, { 0xfe20, 0xfe2f },
	{ 0xfeff, 0xfeff }, { 0xe0100, 0xe01ef },
};

/* East Asian Wide (W) and Fullwidth (F): the code points glibc 2.36's
 * wcwidth() gives 2 columns in a UTF-8 locale (ncurses lays text out with
 * wcwidth, so any difference would tear the screen).  Generated from glibc;
 * test_utf8.c compares the blocks Japanese text uses. */
static const struct range wide[] = {
	{ 0x1100, 0x115f }, { 0x231a, 0x231b }, { 0x2329, 0x232a },
	{ 0x23e9, 0x23ec }, { 0x23f0, 0x23f0 }, { 0x23f3, 0x23f3 },
	{ 0x25fd, 0x25fe }, { 0x2614, 0x2615 }, { 0x2648, 0x2653 },
	{ 0x267f, 0x267f }, { 0x2693, 0x2693 }, { 0x26a1, 0x26a1 },
	{ 0x26aa, 0x26ab }, { 0x26bd, 0x26be }, { 0x26c4, 0x26c5 },
	{ 0x26ce, 0x26ce }, { 0x26d4, 0x26d4 }, { 0x26ea, 0x26ea },
	{ 0x26f2, 0x26f3 }, { 0x26f5, 0x26f5 }, { 0x26fa, 0x26fa },
	{ 0x26fd, 0x26fd }, { 0x2705, 0x2705 }, { 0x270a, 0x270b },
	{ 0x2728, 0x2728 }, { 0x274c, 0x274c }, { 0x274e, 0x274e },
	{ 0x2753, 0x2755 }, { 0x2757, 0x2757 }, { 0x2795, 0x2797 },
	{ 0x27b0, 0x27b0 }, { 0x27bf, 0x27bf }, { 0x2b1b, 0x2b1c },
	{ 0x2b50, 0x2b50 }, { 0x2b55, 0x2b55 }, { 0x2e80, 0x2e99 },
	{ 0x2e9b, 0x2ef3 }, { 0x2f00, 0x2fd5 }, { 0x2ff0, 0x2ffb },
	{ 0x3000, 0x3029 }, { 0x302e, 0x303e }, { 0x3041, 0x3096 },
	{ 0x309b, 0x30ff }, { 0x3105, 0x312f }, { 0x3131, 0x318e },
	{ 0x3190, 0x31e3 }, { 0x31f0, 0x321e }, { 0x3220, 0xa48c },
	{ 0xa490, 0xa4c6 }, { 0xa960, 0xa97c }, { 0xac00, 0xd7a3 },
	{ 0xf900, 0xfa6d }, { 0xfa70, 0xfad9 }, { 0xfe10, 0xfe19 },
	{ 0xfe30, 0xfe52 }, { 0xfe54, 0xfe66 }, { 0xfe68, 0xfe6b },
	{ 0xff01, 0xff60 }, { 0xffe0, 0xffe6 }, { 0x16fe0, 0x16fe3 },
	{ 0x16ff0, 0x16ff1 }, { 0x17000, 0x187f7 }, { 0x18800, 0x18cd5 },
	{ 0x18d00, 0x18d08 }, { 0x1aff0, 0x1aff3 }, { 0x1aff5, 0x1affb },
	{ 0x1affd, 0x1affe }, { 0x1b000, 0x1b122 }, { 0x1b150, 0x1b152 },
	{ 0x1b164, 0x1b167 }, { 0x1b170, 0x1b2fb }, { 0x1f004, 0x1f004 },
	{ 0x1f0cf, 0x1f0cf }, { 0x1f18e, 0x1f18e }, { 0x1f191, 0x1f19a },
	{ 0x1f200, 0x1f202 }, { 0x1f210, 0x1f23b }, { 0x1f240, 0x1f248 },
	{ 0x1f250, 0x1f251 }, { 0x1f260, 0x1f265 }, { 0x1f300, 0x1f320 },
	{ 0x1f32d, 0x1f335 }, { 0x1f337, 0x1f37c }, { 0x1f37e, 0x1f393 },
	{ 0x1f3a0, 0x1f3ca }, { 0x1f3cf, 0x1f3d3 }, { 0x1f3e0, 0x1f3f0 },
	{ 0x1f3f4, 0x1f3f4 }, { 0x1f3f8, 0x1f43e }, { 0x1f440, 0x1f440 },
	{ 0x1f442, 0x1f4fc }, { 0x1f4ff, 0x1f53d }, { 0x1f54b, 0x1f54e },
	{ 0x1f550, 0x1f567 }, { 0x1f57a, 0x1f57a }, { 0x1f595, 0x1f596 },
	{ 0x1f5a4, 0x1f5a4 }, { 0x1f5fb, 0x1f64f }, { 0x1f680, 0x1f6c5 },
	{ 0x1f6cc, 0x1f6cc }, { 0x1f6d0, 0x1f6d2 }, { 0x1f6d5, 0x1f6d7 },
	{ 0x1f6dd, 0x1f6df }, { 0x1f6eb, 0x1f6ec }, { 0x1f6f4, 0x1f6fc },
	{ 0x1f7e0, 0x1f7eb }, { 0x1f7f0, 0x1f7f0 }, { 0x1f90c, 0x1f93a },
	{ 0x1f93c, 0x1f945 }, { 0x1f947, 0x1f9ff }, { 0x1fa70, 0x1fa74 },
	{ 0x1fa78, 0x1fa7c }, { 0x1fa80, 0x1fa86 }, { 0x1fa90, 0x1faac },
	{ 0x1fab0, 0x1faba }, { 0x1fac0, 0x1fac5 }, { 0x1fad0, 0x1fad9 },
	{ 0x1fae0, 0x1fae7 }, { 0x1faf0, 0x1faf6 }, { 0x20000, 0x2a6df },
	{ 0x2a700, 0x2b738 }, { 0x2b740, 0x2b81d }, { 0x2b820, 0x2cea1 },
	{ 0x2ceb0, 0x2ebe0 }, { 0x2f800, 0x2fa1d }, { 0x30000, 0x3134a },
};

static int
in_ranges(uint32_t cp, const struct range *r, size_t n)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (cp < r[mid].lo)
			hi = mid;
		else if (cp > r[mid].hi)
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

int
cp_width(uint32_t cp)
{
	if (cp == 0)
		return 0;
	if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
		return -1;
	if (in_ranges(cp, zero_width, sizeof(zero_width) / sizeof(zero_width[0])))
		return 0;
	if (in_ranges(cp, wide, sizeof(wide) / sizeof(wide[0])))
		return 2;
	return 1;
}

int
utf8_width(const char *s, size_t n)
{
	size_t i = 0;
	int w = 0;
	uint32_t cp;

	while (i < n) {
		int l = utf8_decode(s + i, n - i, &cp);
		if (l < 0) {
			w++;
			i++;
			continue;
		}
		int cw = cp_width(cp);
		w += cw < 0 ? 1 : cw;
		i += (size_t)l;
	}
	return w;
}

size_t
utf8_cut(const char *s, size_t n, int maxw, int *wp)
{
	size_t i = 0;
	int w = 0;
	uint32_t cp;

	while (i < n) {
		int l = utf8_decode(s + i, n - i, &cp), cw;
		if (l < 0) {
			l = 1;
			cw = 1;
		} else {
			cw = cp_width(cp);
			if (cw < 0)
				cw = 1;
		}
		if (w + cw > maxw)
			break;
		w += cw;
		i += (size_t)l;
	}
	if (wp != NULL)
		*wp = w;
	return i;
}
