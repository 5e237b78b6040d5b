/*
 * addr.c — are two written addresses the same place? (issue 11, SC-4)
 *
 * The card writes block numbers in full-width digits and "－"
 * (東京都清瀬市観布子南１２－７－２０２); the resident record may say 12-7-202,
 * or 1丁目3番8号 where another source says 1-3-8.  addr_normalize folds
 * those spellings to one form so that only a real difference is marked:
 *   - full-width ASCII to ASCII, spaces (ASCII and U+3000) dropped;
 *   - every dash-like character (－ − ‐ ‑ ‒ – — ― ｰ, and ー after a digit)
 *     to '-';
 *   - a run of kanji numerals (〇一二三四五六七八九十百千) directly before
 *     丁目, 番, 番地, 号 or a dash to its value in digits (一丁目 → 1丁目);
 *   - after a digit: 丁目, 番地, 番 and の (before a digit) to '-', 号 dropped
 *     (1丁目3番8号 → 1-3-8); a trailing '-' dropped.
 * Nothing else changes: 三鷹市 stays 三鷹市.  Input must be UTF-8.
 */
#include <stdio.h>
#include <string.h>

#include "core.h"

static int
kanji_digit(uint32_t c)
{
	switch (c) {
	case 0x3007: return 0;	/* 〇 */
	case 0x4E00: return 1;	/* 一 */
	case 0x4E8C: return 2;	/* 二 */
	case 0x4E09: return 3;	/* 三 */
	case 0x56DB: return 4;	/* 四 */
	case 0x4E94: return 5;	/* 五 */
	case 0x516D: return 6;	/* 六 */
	case 0x4E03: return 7;	/* 七 */
	case 0x516B: return 8;	/* 八 */
	case 0x4E5D: return 9;	/* 九 */
	case 0x5341: return 10;	/* 十 */
	case 0x767E: return 100;	/* 百 */
	case 0x5343: return 1000;	/* 千 */
	default: return -1;
	}
}

static int
is_dash(uint32_t c)
{
	return c == '-' || c == 0xFF0D || c == 0x2212 || (c >= 0x2010 && c <= 0x2015) ||
	    c == 0xFF70;
}

/* Decode s[0..n) into code points (at most cap); returns the count or -1. */
static int
decode_all(const char *s, size_t n, uint32_t *cp, size_t cap)
{
	size_t i = 0, k = 0;

	while (i < n) {
		int l = utf8_decode(s + i, n - i, &cp[k]);
		if (l <= 0 || k + 1 >= cap)
			return -1;
		i += (size_t)l;
		k++;
	}
	return (int)k;
}

/* The value of a run of kanji numerals (一, 十二, 二十三, 百五, 二〇二). */
static long
kanji_value(const uint32_t *c, int n)
{
	long total = 0, cur = 0, digits = 0;
	int positional = 1;

	for (int i = 0; i < n; i++)
		if (kanji_digit(c[i]) >= 10)
			positional = 0;
	if (positional) {		/* 二〇二 = 202 */
		for (int i = 0; i < n; i++)
			digits = digits * 10 + kanji_digit(c[i]);
		return digits;
	}
	for (int i = 0; i < n; i++) {
		int d = kanji_digit(c[i]);
		if (d >= 10) {
			total += (cur == 0 ? 1 : cur) * d;
			cur = 0;
		} else
			cur = cur * 10 + d;
	}
	return total + cur;
}

static int
marker_at(const uint32_t *c, int n, int i)
{
	/* 丁目 番地 番 号 or a dash */
	if (i >= n)
		return 0;
	return (c[i] == 0x4E01 && i + 1 < n && c[i + 1] == 0x76EE) || c[i] == 0x756A ||
	    c[i] == 0x53F7 || is_dash(c[i]);
}

int
addr_normalize(const char *in, char *out, size_t cap)
{
	uint32_t c[1024], f[1024];
	int n, m = 0;
	size_t o = 0;

	if (cap == 0)
		return ERR_RANGE;
	out[0] = '\0';
	if ((n = decode_all(in, strlen(in), c, sizeof(c) / sizeof(c[0]))) < 0)
		return ERR_FORMAT;
	/* Pass 1: widths, spaces, dashes, kanji numerals before a marker. */
	for (int i = 0; i < n; i++) {
		uint32_t x = c[i];

		if (x == ' ' || x == '\t' || x == 0x3000)
			continue;
		if (kanji_digit(x) >= 0) {
			int j = i;
			while (j < n && kanji_digit(c[j]) >= 0)
				j++;
			if (marker_at(c, n, j)) {
				char num[24];
				long v = kanji_value(c + i, j - i);
				int l = snprintf(num, sizeof(num), "%ld", v);
				for (int k = 0; k < l && m < 1023; k++)
					f[m++] = (uint32_t)num[k];
				i = j - 1;
				continue;
			}
		}
		if (x >= 0xFF01 && x <= 0xFF5E)
			x -= 0xFEE0;
		if (is_dash(x) || (x == 0x30FC && m > 0 && f[m - 1] >= '0' && f[m - 1] <= '9'))
			x = '-';
		if (m < 1023)
			f[m++] = x;
	}
	/* Pass 2: 丁目 番地 番 の → '-', 号 dropped, after a digit. */
	for (int i = 0; i < m; i++) {
		uint32_t x = f[i];
		int after_digit = o > 0 && out[o - 1] >= '0' && out[o - 1] <= '9';
		char enc[4];
		int l;

		if (after_digit) {
			if (x == 0x4E01 && i + 1 < m && f[i + 1] == 0x76EE) {	/* 丁目 */
				x = '-';
				i++;
			} else if (x == 0x756A) {				/* 番, 番地 */
				if (i + 1 < m && f[i + 1] == 0x5730)
					i++;
				x = '-';
			} else if (x == 0x53F7)					/* 号 */
				continue;
			else if (x == 0x306E && i + 1 < m && f[i + 1] >= '0' && f[i + 1] <= '9')
				x = '-';					/* の */
		}
		if (x == 0x306E && o > 0 && out[o - 1] == '-' && i + 1 < m &&
		    f[i + 1] >= '0' && f[i + 1] <= '9')
			continue;	/* 5番地の2: the の after a dash */
		if (x == '-' && o > 0 && out[o - 1] == '-')
			continue;
		if ((l = utf8_encode(x, enc)) <= 0 || o + (size_t)l + 1 > cap)
			return ERR_RANGE;
		memcpy(out + o, enc, (size_t)l);
		o += (size_t)l;
	}
	while (o > 0 && out[o - 1] == '-')
		o--;
	out[o] = '\0';
	return (int)o;
}

int
addr_same(const char *a, const char *b)
{
	char x[2048], y[2048];

	if (addr_normalize(a, x, sizeof(x)) < 0 || addr_normalize(b, y, sizeof(y)) < 0)
		return strcmp(a, b) == 0;
	return strcmp(x, y) == 0;
}
