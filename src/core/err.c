/*
 * err.c — the error convention: a negative code plus an English message for
 * logs and, where the clerk sees it, a Japanese one.
 */
#include <stdio.h>
#include <string.h>

#include "core.h"

int
err_set(struct err *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return code;
	e->code = code;
	e->ja[0] = '\0';
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return code;
}

int
err_set_ja(struct err *e, int code, const char *ja, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return code;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	snprintf(e->ja, sizeof(e->ja), "%s", ja != NULL ? ja : "");
	return code;
}

int
err_prefix(struct err *e, const char *fmt, ...)
{
	char pre[ERR_MSG_MAX], old[ERR_MSG_MAX];
	va_list ap;

	if (e == NULL)
		return 0;
	va_start(ap, fmt);
	vsnprintf(pre, sizeof(pre), fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof(old));
	/* Truncation is fine here: the prefix matters more than the tail. */
	size_t pl = strnlen(pre, sizeof(e->msg) - 1);
	memcpy(e->msg, pre, pl);
	size_t ol = strnlen(old, sizeof(e->msg) - 1 - pl);
	memcpy(e->msg + pl, old, ol);
	e->msg[pl + ol] = '\0';
	return e->code;
}

void
err_clear(struct err *e)
{
	if (e != NULL)
		memset(e, 0, sizeof(*e));
}

static const struct {
	int code;
	const char *name;
	const char *ja;
} err_table[] = {
	{ ERR_INVAL, "ERR_INVAL", "入力内容が正しくありません。" },
	{ ERR_NOMEM, "ERR_NOMEM", "メモリが不足しています。" },
	{ ERR_IO, "ERR_IO", "ファイルの読み書きに失敗しました。" },
	{ ERR_SHORT, "ERR_SHORT", "データが途中で切れています。" },
	{ ERR_FORMAT, "ERR_FORMAT", "データの形式が正しくありません。" },
	{ ERR_RANGE, "ERR_RANGE", "値が範囲外です。" },
	{ ERR_NOTFOUND, "ERR_NOTFOUND", "該当するデータがありません。" },
	{ ERR_EXISTS, "ERR_EXISTS", "既に登録されています。" },
	{ ERR_AUTH, "ERR_AUTH", "認証に失敗しました。" },
	{ ERR_PERM, "ERR_PERM", "この操作の権限がありません。" },
	{ ERR_CRYPTO, "ERR_CRYPTO", "暗号データの検証に失敗しました。" },
	{ ERR_CORRUPT, "ERR_CORRUPT", "データが破損しているか改ざんされています。" },
	{ ERR_CARD, "ERR_CARD", "カードまたはカードリーダーのエラーです。" },
	{ ERR_NET, "ERR_NET", "通信エラーです。" },
	{ ERR_TIMEOUT, "ERR_TIMEOUT", "時間内に応答がありませんでした。" },
	{ ERR_STATE, "ERR_STATE", "現在の状態ではこの操作はできません。" },
	{ ERR_LOCKED, "ERR_LOCKED", "ロックされています。" },
	{ ERR_CANCEL, "ERR_CANCEL", "取り消しました。" },
	{ ERR_BUSY, "ERR_BUSY", "処理中です。しばらくお待ちください。" },
	{ ERR_PROTO, "ERR_PROTO", "通信内容が正しくありません。" },
};

const char *
err_ja(const struct err *e)
{
	if (e != NULL && e->ja[0] != '\0')
		return e->ja;
	for (size_t i = 0; i < sizeof(err_table) / sizeof(err_table[0]); i++)
		if (e != NULL && err_table[i].code == e->code)
			return err_table[i].ja;
	return "エラーが発生しました。";
}

const char *
err_name(int code)
{
	if (code == 0)
		return "OK";
	for (size_t i = 0; i < sizeof(err_table) / sizeof(err_table[0]); i++)
		if (err_table[i].code == code)
			return err_table[i].name;
	return "ERR_UNKNOWN";
}
