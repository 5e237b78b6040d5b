/*
 * test_kana.c — the kana search key (REQUIREMENTS SC-6: search by 氏名カナ
 * however it was typed or imported).
 */
#include <string.h>

#include "core.h"
#include "harness.h"

static const struct {
	const char *in, *out;
} cases[] = {
	/* half-width katakana, with ﾞ and ﾟ composed */
	{ "ｶﾞ", "ガ" }, { "ﾊﾟ", "パ" }, { "ｳﾞ", "ヴ" }, { "ﾊﾞﾋﾞﾌﾞﾍﾞﾎﾞ", "バビブベボ" },
	{ "ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ", "パピプペポ" }, { "ｶﾞｷﾞｸﾞｹﾞｺﾞ", "ガギグゲゴ" },
	{ "ｻﾞｼﾞｽﾞｾﾞｿﾞ", "ザジズゼゾ" }, { "ﾀﾞﾁﾞﾂﾞﾃﾞﾄﾞ", "ダヂヅデド" },
	{ "ﾜﾞｦﾞ", "ヷヺ" },
	{ "ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ タロウ" },
	{ "ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜｦﾝ",
	  "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン" },
	{ "ｧｨｩｪｫｬｭｮｯｰ", "ァィゥェォャュョッー" },
	{ "｡｢｣､･", "。「」、・" },
	{ "ｷｬｯﾁｰ", "キャッチー" },
	/* marks that do not compose stay, as spacing marks */
	{ "ｱﾞ", "ア゛" }, { "ﾏﾟ", "マ゜" }, { "ﾞ", "゛" }, { "ﾟｶ", "゜カ" },
	{ "ﾊﾞﾞ", "バ゛" },
	/* hiragana to katakana */
	{ "すずき たろう", "スズキ タロウ" },
	{ "ぁあぃいぅうゔゕゖ", "ァアィイゥウヴヵヶ" },
	{ "ゝゞ", "ヽヾ" },
	{ "ぱぴぷぺぽ", "パピプペポ" },
	/* combining marks (decomposed input, e.g. from macOS) compose */
	{ "か\xe3\x82\x99", "ガ" }, { "ハ\xe3\x82\x9a", "パ" }, { "う\xe3\x82\x99", "ヴ" },
	{ "ｶ\xe3\x82\x99", "ガ" }, { "カﾞ", "ガ" },
	/* already normalised: unchanged */
	{ "ガギグ", "ガギグ" }, { "ヴァイオリン", "ヴァイオリン" },
	/* full-width ASCII to ASCII */
	{ "ＡＢＣ１２３", "ABC123" }, { "ｙａｍａｄａ", "yamada" },
	{ "！＂＃＄％＆＇（）＊＋，－．／：；＜＝＞？＠［＼］＾＿｀｛｜｝～",
	  "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~" },
	/* spaces: ideographic, runs, tabs, leading, trailing */
	{ "　山田　　太郎　", "山田 太郎" },
	{ "  a \t b\n", "a b" },
	{ "ﾔﾏﾀﾞ\xe3\x80\x80ﾀﾛｳ", "ヤマダ タロウ" },
	{ "a\xc2\xa0" "b", "a b" },
	{ "   ", "" }, { "", "" },
	/* kanji, Latin and others pass through */
	{ "山田 Ｔａｒｏ ｶﾞ", "山田 Taro ガ" },
	{ "é", "é" }, { "𠮷", "𠮷" },
	/* search-key equivalence: every spelling the same key */
	{ "ヤマダ", "ヤマダ" }, { "やまだ", "ヤマダ" }, { "ﾔﾏﾀﾞ", "ヤマダ" },
};

TEST(kana_normalize_table)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = strlen(cases[i].in);
		char out[512];
		int r = kana_normalize(cases[i].in, n, out, n + 1);
		if (r < 0 || strcmp(out, cases[i].out) != 0 || (size_t)r != strlen(out))
			t_fail_at(__FILE__, __LINE__, "\"%s\" -> %d \"%s\", expected \"%s\"",
			    cases[i].in, r, r >= 0 ? out : "", cases[i].out);
	}
}

TEST(kana_normalize_is_idempotent_on_the_table)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char a[512], b[512];
		int ra = kana_normalize(cases[i].in, strlen(cases[i].in), a, sizeof(a));
		int rb = kana_normalize(a, (size_t)ra, b, sizeof(b));
		CHECK_INT(rb, ra);
		CHECK_STR(b, a);
	}
}

/* Every BMP code point, alone and followed by each voiced mark: the key
 * of the key is the key, and the key is never longer than the input. */
TEST(kana_normalize_idempotent_for_every_bmp_pair)
{
	static const uint32_t follow[] = { 0, 0xff9e, 0xff9f, 0x3099, 0x309a, 0x3000 };
	int bad = 0;

	for (uint32_t c = 1; c < 0x10000; c++) {
		if (c >= 0xd800 && c <= 0xdfff)
			continue;
		for (size_t f = 0; f < sizeof(follow) / sizeof(follow[0]); f++) {
			char in[8], a[16], b[16];
			int n = utf8_encode(c, in);
			if (follow[f] != 0)
				n += utf8_encode(follow[f], in + n);
			int ra = kana_normalize(in, (size_t)n, a, (size_t)n + 1);
			int rb = ra >= 0 ? kana_normalize(a, (size_t)ra, b, sizeof(b)) : -1;
			if (ra < 0 || ra > n || rb != ra || memcmp(a, b, (size_t)ra) != 0) {
				if (bad++ < 5)
					t_fail_at(__FILE__, __LINE__, "U+%04X + U+%04X: %d %d",
					    c, follow[f], ra, rb);
			}
		}
	}
	CHECK_INT(bad, 0);
}

TEST(kana_normalize_rejects_invalid_utf8)
{
	static const char *bad[] = { "\xff", "ｶ\xe3\x81", "\xc0\xaf", "\xed\xa0\x80", "a\x80" };
	char out[32];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(out, 'x', sizeof(out));
		CHECK_INT(kana_normalize(bad[i], strlen(bad[i]), out, sizeof(out)), ERR_FORMAT);
		CHECK_STR(out, "");
	}
}

/* The output needs at most n+1 bytes; less room is refused, not truncated. */
TEST(kana_normalize_output_bounds)
{
	char out[16];

	memset(out, 'x', sizeof(out));
	CHECK_INT(kana_normalize("abc", 3, out, 3), ERR_RANGE);
	CHECK_STR(out, "");
	CHECK_INT(kana_normalize("abc", 3, out, 4), 3);
	CHECK_STR(out, "abc");
	CHECK_INT(kana_normalize("ガ", 3, out, 3), ERR_RANGE);
	CHECK_INT(kana_normalize("a", 1, out, 0), ERR_RANGE);
	CHECK_INT(kana_normalize("", 0, out, 1), 0);
	CHECK_STR(out, "");
	/* input bytes past n are not read */
	CHECK_INT(kana_normalize("ｶﾞ", 3, out, sizeof(out)), 3);
	CHECK_STR(out, "カ");
}
