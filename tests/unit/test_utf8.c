/*
 * test_utf8.c — strict UTF-8 decoding, display width and cutting (SPEC 6:
 * widths are display widths; full-width characters take two cells).
 */
#include <locale.h>
#include <string.h>
#include <wchar.h>

#include "core.h"
#include "harness.h"

static const struct {
	const char *name, *s;
	size_t n;
	int len;		/* utf8_decode result */
	uint32_t cp;
} decode_cases[] = {
	{ "ascii", "A", 1, 1, 0x41 },
	{ "nul", "\0", 1, 1, 0 },
	{ "2-byte min", "\xc2\x80", 2, 2, 0x80 },
	{ "2-byte max", "\xdf\xbf", 2, 2, 0x7ff },
	{ "3-byte min", "\xe0\xa0\x80", 3, 3, 0x800 },
	{ "hiragana a", "あ", 3, 3, 0x3042 },
	{ "before surrogates", "\xed\x9f\xbf", 3, 3, 0xd7ff },
	{ "after surrogates", "\xee\x80\x80", 3, 3, 0xe000 },
	{ "BMP max", "\xef\xbf\xbf", 3, 3, 0xffff },
	{ "4-byte min", "\xf0\x90\x80\x80", 4, 4, 0x10000 },
	{ "kanji ext B 𠮷", "𠮷", 4, 4, 0x20bb7 },
	{ "max code point", "\xf4\x8f\xbf\xbf", 4, 4, 0x10ffff },
	/* malformed */
	{ "empty", "", 0, ERR_FORMAT, 0 },
	{ "lone continuation", "\x80", 1, ERR_FORMAT, 0 },
	{ "overlong / (C0)", "\xc0\xaf", 2, ERR_FORMAT, 0 },
	{ "overlong NUL (C0 80)", "\xc0\x80", 2, ERR_FORMAT, 0 },
	{ "overlong C1", "\xc1\xbf", 2, ERR_FORMAT, 0 },
	{ "overlong 3-byte", "\xe0\x80\xaf", 3, ERR_FORMAT, 0 },
	{ "overlong 3-byte max", "\xe0\x9f\xbf", 3, ERR_FORMAT, 0 },
	{ "overlong 4-byte", "\xf0\x80\x80\xaf", 4, ERR_FORMAT, 0 },
	{ "overlong 4-byte max", "\xf0\x8f\xbf\xbf", 4, ERR_FORMAT, 0 },
	{ "surrogate D800", "\xed\xa0\x80", 3, ERR_FORMAT, 0 },
	{ "surrogate DFFF", "\xed\xbf\xbf", 3, ERR_FORMAT, 0 },
	{ "above U+10FFFF", "\xf4\x90\x80\x80", 4, ERR_FORMAT, 0 },
	{ "F5 lead", "\xf5\x80\x80\x80", 4, ERR_FORMAT, 0 },
	{ "FE", "\xfe", 1, ERR_FORMAT, 0 },
	{ "FF", "\xff", 1, ERR_FORMAT, 0 },
	{ "truncated 2 of 3", "\xe3\x81", 2, ERR_FORMAT, 0 },
	{ "truncated 1 of 2", "\xc3", 1, ERR_FORMAT, 0 },
	{ "truncated 3 of 4", "\xf0\xa0\xae", 3, ERR_FORMAT, 0 },
	{ "bad continuation", "\xe3\x41\x82", 3, ERR_FORMAT, 0 },
	{ "continuation is lead", "\xe3\xe3\x81\x82", 4, ERR_FORMAT, 0 },
};

TEST(utf8_decode_table)
{
	for (size_t i = 0; i < sizeof(decode_cases) / sizeof(decode_cases[0]); i++) {
		uint32_t cp = 0xdeadbeef;
		int r = utf8_decode(decode_cases[i].s, decode_cases[i].n, &cp);
		if (r != decode_cases[i].len)
			t_fail_at(__FILE__, __LINE__, "%s: got %d, expected %d",
			    decode_cases[i].name, r, decode_cases[i].len);
		else if (r > 0 && cp != decode_cases[i].cp)
			t_fail_at(__FILE__, __LINE__, "%s: U+%04X, expected U+%04X",
			    decode_cases[i].name, cp, decode_cases[i].cp);
		/* utf8_valid agrees with utf8_decode on single sequences. */
		if (decode_cases[i].n > 0)
			CHECK_INT(utf8_valid(decode_cases[i].s, decode_cases[i].n),
			    decode_cases[i].len > 0);
	}
}

/* A sequence cut short by the length, not by the bytes: never reads on. */
TEST(utf8_decode_respects_length)
{
	uint32_t cp;

	CHECK_INT(utf8_decode("あ", 2, &cp), ERR_FORMAT);
	CHECK_INT(utf8_decode("あ", 1, &cp), ERR_FORMAT);
	CHECK_INT(utf8_decode("𠮷", 3, &cp), ERR_FORMAT);
	CHECK_INT(utf8_valid("あい", 5), 0);
	CHECK_INT(utf8_valid("あい", 6), 1);
	CHECK_INT(utf8_count("あいA", 7), 3);
	CHECK_INT(utf8_count("あ\xff", 4), ERR_FORMAT);
	CHECK_INT(utf8_count("", 0), 0);
}

/* Every code point round-trips through encode and decode; surrogates and
 * values above U+10FFFF do not encode. */
TEST(utf8_encode_decode_every_code_point)
{
	char b[4];
	uint32_t cp;
	int bad = 0;

	for (uint32_t c = 0; c <= 0x10ffff; c++) {
		int l = utf8_encode(c, b);
		if (c >= 0xd800 && c <= 0xdfff) {
			if (l != ERR_RANGE)
				bad++;
			continue;
		}
		if (l < 1 || utf8_decode(b, (size_t)l, &cp) != l || cp != c)
			bad++;
		/* The encoding is the shortest one. */
		if (l != (c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4))
			bad++;
	}
	CHECK_INT(bad, 0);
	CHECK_INT(utf8_encode(0x110000, b), ERR_RANGE);
	CHECK_INT(utf8_encode(0xffffffff, b), ERR_RANGE);
}

/* Every 2-byte and 3-byte sequence: decode accepts exactly what encode
 * produces (so no overlong or surrogate form slips through). */
TEST(utf8_decode_accepts_only_canonical_forms)
{
	uint8_t s[3];
	uint32_t cp;
	char b[4];
	int bad = 0;

	for (unsigned x = 0; x < 0x10000; x++) {
		s[0] = (uint8_t)(x >> 8);
		s[1] = (uint8_t)x;
		int l = utf8_decode((const char *)s, 2, &cp);
		if (s[0] < 0x80)
			continue;	/* ASCII first byte: decodes 1 */
		int ok = l == 2 && utf8_encode(cp, b) == 2 && memcmp(b, s, 2) == 0;
		int canonical = s[0] >= 0xc2 && s[0] <= 0xdf && (s[1] & 0xc0) == 0x80;
		if (ok != canonical || (l > 0 && l != 2))
			bad++;
	}
	for (unsigned x = 0xe00000; x < 0xf00000; x++) {
		s[0] = (uint8_t)(x >> 16);
		s[1] = (uint8_t)(x >> 8);
		s[2] = (uint8_t)x;
		int l = utf8_decode((const char *)s, 3, &cp);
		if (l > 0 && (utf8_encode(cp, b) != 3 || memcmp(b, s, 3) != 0))
			bad++;
	}
	CHECK_INT(bad, 0);
}

static const struct {
	uint32_t cp;
	int w;
} width_cases[] = {
	{ 'A', 1 }, { ' ', 1 }, { '~', 1 }, { 0x00e9, 1 },	/* é */
	{ 0, 0 }, { '\n', -1 }, { 0x1b, -1 }, { 0x7f, -1 }, { 0x85, -1 },
	{ 0x0301, 0 },			/* combining acute */
	{ 0x200b, 0 },			/* zero width space */
	{ 0x3099, 0 }, { 0x309a, 0 },	/* combining (han)dakuten */
	{ 0xfe0f, 0 },			/* variation selector */
	{ 0x1160, 0 },			/* Hangul jungseong filler (conjoins) */
	{ 0x3042, 2 },			/* あ */
	{ 0x30a2, 2 },			/* ア */
	{ 0x30fc, 2 },			/* ー */
	{ 0x4e00, 2 }, { 0x9fff, 2 },	/* 一 and the end of the block */
	{ 0x3000, 2 },			/* ideographic space */
	{ 0x3001, 2 }, { 0x3002, 2 },	/* 、。 */
	{ 0xff21, 2 },			/* Ａ */
	{ 0xff10, 2 },			/* ０ */
	{ 0xff61, 1 },			/* ｡ half-width */
	{ 0xff76, 1 },			/* ｶ */
	{ 0xff9e, 1 },			/* ﾞ (spacing, half-width) */
	{ 0xffe5, 2 },			/* ￥ */
	{ 0xac00, 2 },			/* 가 */
	{ 0x20bb7, 2 },			/* 𠮷 */
	{ 0x2460, 1 },			/* ① ambiguous: narrow, like glibc */
	{ 0x203b, 1 },			/* ※ ambiguous */
	{ 0x1f600, 2 },			/* 😀 */
};

TEST(cp_width_table)
{
	for (size_t i = 0; i < sizeof(width_cases) / sizeof(width_cases[0]); i++)
		if (cp_width(width_cases[i].cp) != width_cases[i].w)
			t_fail_at(__FILE__, __LINE__, "cp_width(U+%04X) = %d, expected %d",
			    width_cases[i].cp, cp_width(width_cases[i].cp), width_cases[i].w);
}

/* ncurses lays out text with the C library's wcwidth(); where the two
 * disagree the screen tears.  Compare over the blocks a Japanese counter
 * uses (Latin, punctuation, CJK symbols, kana, kanji, full/half-width forms,
 * Hangul), for every code point glibc considers printable. */
TEST(cp_width_agrees_with_glibc_for_japanese_text)
{
	static const struct { uint32_t lo, hi; } blocks[] = {
		{ 0x20, 0x7e }, { 0xa0, 0x24f }, { 0x300, 0x36f }, { 0x1100, 0x11ff },
		{ 0x2000, 0x206f },
		{ 0x2190, 0x21ff }, { 0x2460, 0x24ff }, { 0x2500, 0x25ff },
		{ 0x2e80, 0x2fff }, { 0x3000, 0x30ff }, { 0x3190, 0x33ff },
		{ 0x3400, 0x4dbf }, { 0x4e00, 0x9fff }, { 0xac00, 0xd7a3 },
		{ 0xf900, 0xfaff }, { 0xfe30, 0xfe4f }, { 0xff00, 0xffef },
		{ 0x1f000, 0x1faff }, { 0x20000, 0x2a6df },
	};
	int diffs = 0;

	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		t_skip("no C.UTF-8 locale");
	for (size_t b = 0; b < sizeof(blocks) / sizeof(blocks[0]); b++)
		for (uint32_t c = blocks[b].lo; c <= blocks[b].hi; c++) {
			int g = wcwidth((wchar_t)c);
			if (g < 0)
				continue;	/* unassigned in this glibc */
			if (cp_width(c) != g && diffs++ < 10)
				t_fail_at(__FILE__, __LINE__, "U+%04X: cp_width %d, glibc %d",
				    c, cp_width(c), g);
		}
	CHECK_INT(diffs, 0);
}

static const struct {
	const char *s;
	int w;
} string_widths[] = {
	{ "", 0 },
	{ "abc", 3 },
	{ "山田太郎", 8 },
	{ "ﾔﾏﾀﾞ ﾀﾛｳ", 8 },		/* half-width kana: 1 each, ﾞ too */
	{ "ヤマダ タロウ", 13 },
	{ "ID: Ａ１２", 10 },
	{ "が", 2 },			/* precomposed */
	{ "か\xe3\x82\x99", 2 },	/* か + combining dakuten */
	{ "e\xcc\x81", 1 },		/* e + combining acute */
	{ "a\tb", 3 },			/* a control counts 1 */
	{ "a\xffz", 3 },		/* an invalid byte counts 1 */
	{ "\xe3\x81", 2 },		/* a truncated sequence: 1 per byte */
	{ "令和7年4月1日", 13 },
};

TEST(utf8_width_of_mixed_strings)
{
	for (size_t i = 0; i < sizeof(string_widths) / sizeof(string_widths[0]); i++) {
		int w = utf8_width(string_widths[i].s, strlen(string_widths[i].s));
		if (w != string_widths[i].w)
			t_fail_at(__FILE__, __LINE__, "width(\"%s\") = %d, expected %d",
			    string_widths[i].s, w, string_widths[i].w);
	}
}

static const struct {
	const char *s;
	int maxw;
	size_t bytes;
	int w;
} cut_cases[] = {
	{ "山田太郎", 8, 12, 8 },
	{ "山田太郎", 7, 9, 6 },	/* 太 half-fits: not split */
	{ "山田太郎", 1, 0, 0 },
	{ "山田太郎", 0, 0, 0 },
	{ "山田太郎", -3, 0, 0 },
	{ "a山", 2, 1, 1 },
	{ "abc", 10, 3, 3 },
	{ "か\xe3\x82\x99き", 2, 6, 2 },	/* the mark stays with its base */
	{ "ｶﾞｷﾞ", 3, 9, 3 },
	{ "𠮷野家", 3, 4, 2 },
	{ "\xff\xfe", 1, 1, 1 },
};

TEST(utf8_cut_table)
{
	for (size_t i = 0; i < sizeof(cut_cases) / sizeof(cut_cases[0]); i++) {
		int w = -1;
		size_t b = utf8_cut(cut_cases[i].s, strlen(cut_cases[i].s), cut_cases[i].maxw, &w);
		if (b != cut_cases[i].bytes || w != cut_cases[i].w)
			t_fail_at(__FILE__, __LINE__, "cut(\"%s\", %d) = %zu bytes %d cols, expected %zu %d",
			    cut_cases[i].s, cut_cases[i].maxw, b, w, cut_cases[i].bytes, cut_cases[i].w);
	}
	CHECK_INT(utf8_cut("abc", 3, 2, NULL), 2);
}

/* For every width limit, the cut is valid UTF-8, within the limit, and
 * the widest such prefix. */
TEST(utf8_cut_never_splits_a_character)
{
	const char *s = "ﾔﾏﾀﾞ 山田 Ｔａｒｏ 𠮷 e\xcc\x81 ｶﾞ end";
	size_t n = strlen(s);
	int total = utf8_width(s, n);

	for (int maxw = 0; maxw <= total + 2; maxw++) {
		int w;
		size_t b = utf8_cut(s, n, maxw, &w);
		CHECK(utf8_valid(s, b));
		CHECK(w <= maxw);
		CHECK_INT(utf8_width(s, b), w);
		if (b < n) {
			uint32_t cp;
			int l = utf8_decode(s + b, n - b, &cp);
			REQUIRE(l > 0);
			/* the next character would not have fitted */
			CHECK(w + cp_width(cp) > maxw);
		}
	}
}
