/*
 * test_namefold.c — names as searched (src/core/namefold.c, issue 19):
 * blanks removed, common 異体字 folded to one form, everything else kept.
 */
#include <string.h>

#include "core.h"
#include "harness.h"

TEST(name_fold_removes_blanks_and_folds_itaiji)
{
	static const struct { const char *in, *out; } k[] = {
		{ "遠藤 和子", "遠藤和子" },
		{ "遠藤　和子", "遠藤和子" },		/* U+3000 */
		{ "齋藤", "斎藤" }, { "齊藤", "斎藤" }, { "斉藤", "斎藤" }, { "斎藤", "斎藤" },
		{ "渡邊", "渡辺" }, { "渡邉", "渡辺" },
		{ "髙橋", "高橋" }, { "山﨑", "山崎" },
		{ "Yamada Taro", "YamadaTaro" },
		{ "", "" },
	};
	char out[64];

	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		CHECK_INT(name_fold(k[i].in, out, sizeof(out)), (long long)strlen(k[i].out));
		CHECK_STR(out, k[i].out);
	}
	/* too small: refused, never cut inside a character */
	CHECK_INT(name_fold("遠藤和子", out, 7), ERR_RANGE);
	/* every pair folds to a form that is not itself folded again */
	for (int i = 0; name_fold_pairs[i][0] != NULL; i++) {
		CHECK(name_fold(name_fold_pairs[i][1], out, sizeof(out)) > 0);
		CHECK_STR(out, name_fold_pairs[i][1]);
	}
}
