/*
 * kana.c — the search key for names and kana (REQUIREMENTS SC-6).
 *
 * A clerk types ｽｽﾞｷ, すずき or スズキ and means the same person, and the
 * core systems hand over names in any of those forms.  kana_normalize maps
 * them all to one form: full-width katakana, ASCII for full-width ASCII, one
 * space between words.  Every output character is a fixed point of the
 * mapping, which is what makes the function idempotent: katakana stays
 * katakana, a voiced mark that did not compose stays where it is, and
 * spaces are already collapsed.
 *
 * No output character is longer in UTF-8 than the input it came from
 * (3-byte kana to 3-byte kana, 6 bytes ｶﾞ to 3 bytes ガ, 3-byte full-width
 * ASCII to 1 byte), so n + 1 bytes of output always suffice.
 */
#include <limits.h>
#include <string.h>

#include "core.h"

/* Half-width katakana U+FF61..U+FF9F to full-width, in order. */
static const uint16_t halfwidth_kana[] = {
	0x3002, 0x300c, 0x300d, 0x3001, 0x30fb,			/* ｡｢｣､･ */
	0x30f2,							/* ｦ */
	0x30a1, 0x30a3, 0x30a5, 0x30a7, 0x30a9,			/* ｧｨｩｪｫ */
	0x30e3, 0x30e5, 0x30e7, 0x30c3,				/* ｬｭｮｯ */
	0x30fc,							/* ｰ */
	0x30a2, 0x30a4, 0x30a6, 0x30a8, 0x30aa,			/* ｱｲｳｴｵ */
	0x30ab, 0x30ad, 0x30af, 0x30b1, 0x30b3,			/* ｶｷｸｹｺ */
	0x30b5, 0x30b7, 0x30b9, 0x30bb, 0x30bd,			/* ｻｼｽｾｿ */
	0x30bf, 0x30c1, 0x30c4, 0x30c6, 0x30c8,			/* ﾀﾁﾂﾃﾄ */
	0x30ca, 0x30cb, 0x30cc, 0x30cd, 0x30ce,			/* ﾅﾆﾇﾈﾉ */
	0x30cf, 0x30d2, 0x30d5, 0x30d8, 0x30db,			/* ﾊﾋﾌﾍﾎ */
	0x30de, 0x30df, 0x30e0, 0x30e1, 0x30e2,			/* ﾏﾐﾑﾒﾓ */
	0x30e4, 0x30e6, 0x30e8,					/* ﾔﾕﾖ */
	0x30e9, 0x30ea, 0x30eb, 0x30ec, 0x30ed,			/* ﾗﾘﾙﾚﾛ */
	0x30ef, 0x30f3,						/* ﾜﾝ */
	0x309b, 0x309c,						/* ﾞﾟ alone */
};

/* Voiced sound mark (dakuten), half-width, combining or spacing. */
static int
is_dakuten(uint32_t cp)
{
	return cp == 0xff9e || cp == 0x3099;
}

static int
is_handakuten(uint32_t cp)
{
	return cp == 0xff9f || cp == 0x309a;
}

/* The katakana with a dakuten, or 0 when it has none. */
static uint32_t
compose_dakuten(uint32_t k)
{
	/* カ..ト: every other code point is the voiced form (カガキギ...),
	 * except ッ (30C3), which breaks the pattern after チ. */
	if ((k >= 0x30ab && k <= 0x30c1 && (k - 0x30ab) % 2 == 0) ||
	    (k >= 0x30c4 && k <= 0x30c8 && (k - 0x30c4) % 2 == 0))
		return k + 1;
	/* ハ..ホ: ハバパ ヒビピ ... */
	if (k >= 0x30cf && k <= 0x30db && (k - 0x30cf) % 3 == 0)
		return k + 1;
	switch (k) {
	case 0x30a6: return 0x30f4;	/* ウ → ヴ */
	case 0x30ef: return 0x30f7;	/* ワ → ヷ */
	case 0x30f0: return 0x30f8;	/* ヰ → ヸ */
	case 0x30f1: return 0x30f9;	/* ヱ → ヹ */
	case 0x30f2: return 0x30fa;	/* ヲ → ヺ */
	case 0x30fd: return 0x30fe;	/* ヽ → ヾ */
	}
	return 0;
}

static uint32_t
compose_handakuten(uint32_t k)
{
	if (k >= 0x30cf && k <= 0x30db && (k - 0x30cf) % 3 == 0)
		return k + 2;
	return 0;
}

/* One code point to its search-key form, before composition. */
static uint32_t
map_cp(uint32_t cp)
{
	if (cp >= 0xff61 && cp <= 0xff9f)
		return halfwidth_kana[cp - 0xff61];
	/* ぁ..ゖ → ァ..ヶ, and ゝゞ → ヽヾ */
	if ((cp >= 0x3041 && cp <= 0x3096) || cp == 0x309d || cp == 0x309e)
		return cp + 0x60;
	if (cp >= 0xff01 && cp <= 0xff5e)
		return cp - 0xff01 + 0x21;
	if (cp == 0x3000 || cp == 0xa0 || cp == '\t' || cp == '\n' || cp == '\r' ||
	    cp == '\v' || cp == '\f')
		return ' ';
	return cp;
}

int
kana_normalize(const char *in, size_t n, char *out, size_t outcap)
{
	size_t i = 0, o = 0;
	int pending_space = 0;
	uint32_t cp, next;

	if (outcap == 0)
		return ERR_RANGE;
	out[0] = '\0';
	if (n > INT_MAX - 1)
		return ERR_RANGE;
	if (!utf8_valid(in, n))
		return ERR_FORMAT;
	while (i < n) {
		char enc[4];
		int l = utf8_decode(in + i, n - i, &cp), el;

		i += (size_t)l;
		cp = map_cp(cp);
		if (cp == ' ') {
			pending_space = o > 0;	/* leading spaces are dropped */
			continue;
		}
		/* A following voiced mark composes when the pair exists. */
		if (i < n && (l = utf8_decode(in + i, n - i, &next)) > 0) {
			uint32_t c = 0;
			if (is_dakuten(next))
				c = compose_dakuten(cp);
			else if (is_handakuten(next))
				c = compose_handakuten(cp);
			if (c != 0) {
				cp = c;
				i += (size_t)l;
			}
		}
		if (pending_space) {
			if (o + 1 >= outcap)
				goto toolong;
			out[o++] = ' ';
			pending_space = 0;
		}
		/* cp came from valid UTF-8 or the tables: it always encodes. */
		el = utf8_encode(cp, enc);
		if (el < 0 || o + (size_t)el >= outcap)
			goto toolong;
		memcpy(out + o, enc, (size_t)el);
		o += (size_t)el;
	}
	out[o] = '\0';
	return (int)o;
toolong:
	/* Never leave a half-written key behind. */
	memset(out, 0, o < outcap ? o + 1 : outcap);
	return ERR_RANGE;
}
