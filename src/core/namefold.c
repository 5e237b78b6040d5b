/*
 * namefold.c — names as a clerk searches them: "遠藤和子" finds "遠藤 和子",
 * and a name written with a common 異体字 (variant character) is found by
 * the everyday form and the other way round (issue 19).  Both the name in
 * the record and the name typed are folded the same way before comparing;
 * the records themselves keep the characters as registered.
 *
 * The pairs are variant/standard pairs that the 文字情報基盤 "MJ縮退マップ"
 * of the Information-technology Promotion Agency (IPA, 文字情報基盤整備事業;
 * now maintained by the 文字情報技術促進協議会) maps onto one another for
 * name search ("法務省戸籍法関連通達・通知" and "辞書等による関連字"
 * tables) — the forms that most often differ between a 住民票 and what a
 * resident writes or says: 齋/齊/斉 and 斎, 邊/邉 and 辺, 髙 and 高, 﨑 and
 * 崎, and a few more of the same kind.  It is deliberately short: every
 * pair widens every name search.
 */
#include <string.h>

#include "core.h"

/* variant → the form both sides are folded to */
const char *const name_fold_pairs[][2] = {
	{ "齋", "斎" }, { "齊", "斎" }, { "斉", "斎" },
	{ "邊", "辺" }, { "邉", "辺" },
	{ "髙", "高" },
	{ "﨑", "崎" }, { "嵜", "崎" },
	{ "嶋", "島" }, { "嶌", "島" },
	{ "澤", "沢" }, { "濱", "浜" }, { "濵", "浜" },
	{ "廣", "広" }, { "國", "国" }, { "櫻", "桜" },
	{ "眞", "真" }, { "德", "徳" }, { "惠", "恵" },
	{ "龍", "竜" }, { "瀨", "瀬" }, { "槇", "槙" },
	{ NULL, NULL }
};

int
name_fold(const char *in, char *out, size_t cap)
{
	size_t n = strlen(in), o = 0, i = 0;

	if (cap == 0)
		return ERR_RANGE;
	while (i < n) {
		const char *rep = NULL;
		size_t len = 1;
		if (in[i] == ' ' || in[i] == '\t') {
			i++;
			continue;
		}
		if (n - i >= 3 && memcmp(in + i, "\xE3\x80\x80", 3) == 0) {	/* U+3000 */
			i += 3;
			continue;
		}
		for (int k = 0; name_fold_pairs[k][0] != NULL; k++) {
			size_t l = strlen(name_fold_pairs[k][0]);
			if (n - i >= l && memcmp(in + i, name_fold_pairs[k][0], l) == 0) {
				rep = name_fold_pairs[k][1];
				len = l;
				break;
			}
		}
		if (rep == NULL) {
			unsigned char c = (unsigned char)in[i];
			len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
			if (len > n - i)
				len = n - i;
			rep = in + i;
		}
		{
			size_t rl = rep == in + i ? len : strlen(rep);
			if (o + rl >= cap) {
				out[o] = '\0';
				return ERR_RANGE;
			}
			memcpy(out + o, rep, rl);
			o += rl;
		}
		i += len;
	}
	out[o] = '\0';
	return (int)o;
}
