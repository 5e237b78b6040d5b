/*
 * keymap.c — the one keymap of the counter shell.  The UI shows it on F1 and
 * in the function-key bar, and dispatches through it, so a key cannot mean
 * two things on two screens.
 */
#include <stdio.h>

#include "shell.h"

const struct keymap_entry shell_keymap[] = {
	{ 1, ACT_HELP, "ヘルプ", "キーの一覧を表示します（どの画面でも）" },
	{ 2, ACT_CARD, "カード", "マイナンバーカードを読み取り、本人確認をします" },
	{ 3, ACT_SEARCH, "検索", "住民を検索します（カナ・氏名・生年月日・宛名番号）" },
	{ 4, ACT_NEW, "新規申請", "申請書の入力を始めます" },
	{ 5, ACT_SYNC, "同期", "中央システムと今すぐ同期します" },
	{ 6, ACT_RETURN, "返戻", "申請を返戻します（理由と再提出期限を記録）" },
	{ 7, ACT_CORRECT, "訂正", "申請の項目を訂正します（理由を記録、再確認が必要）" },
	{ 8, ACT_NEXT, "次の方", "来庁を終え、本人確認・代理人・カードの結果を消去します" },
	{ 9, ACT_SAVE, "確定", "入力内容を確認して確定します（審査は確認済みに）" },
	{ 10, ACT_MENU, "メニュー", "メニュー（ログアウト・終了など）を開きます" },
	{ 11, ACT_STATUS, "状態変更", "申請の状態（決定・却下・交付など）を変更します" },
	{ 12, ACT_LOCK, "ロック", "画面をロックします（解除にはパスワードが必要）" },
	{ 0, ACT_BACK, "戻る", "前の画面に戻ります（入力中の内容は確認のうえ破棄）" },
	{ -1, ACT_NONE, NULL, NULL }
};

enum shell_action
keymap_action(int fkey)
{
	for (const struct keymap_entry *k = shell_keymap; k->act != ACT_NONE; k++)
		if (k->fkey == fkey)
			return k->act;
	return ACT_NONE;
}

const struct keymap_entry *
keymap_entry(enum shell_action a)
{
	for (const struct keymap_entry *k = shell_keymap; k->act != ACT_NONE; k++)
		if (k->act == a)
			return k;
	return NULL;
}

const char *
keymap_key_name(const struct keymap_entry *k, char buf[8])
{
	if (k->fkey == 0)
		snprintf(buf, 8, "Esc");
	else
		snprintf(buf, 8, "F%d", k->fkey);
	return buf;
}
