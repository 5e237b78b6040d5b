/*
 * secret.c — PIN and 照合番号B buffers in sodium_malloc memory, their
 * validation, and the names of applications, secrets and states in Japanese.
 *
 * Nothing here copies a secret anywhere but into the caller's buffer, and no
 * message ever contains one.
 */
#include <sodium.h>
#include <string.h>

#include "card.h"

char *
card_secret_new(void)
{
	char *s;

	if (sodium_init() < 0)
		return NULL;
	if ((s = sodium_malloc(CARD_SECRET_MAX)) == NULL)
		return NULL;
	sodium_memzero(s, CARD_SECRET_MAX);
	return s;
}

void
card_secret_free(char *s)
{
	if (s != NULL)
		sodium_free(s);		/* wipes before unmapping */
}

static int
all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int
card_pin_check(const char *pin, struct err *e)
{
	if (pin == NULL || strnlen(pin, CARD_SECRET_MAX) != CARD_PIN_LEN ||
	    !all_digits(pin, CARD_PIN_LEN))
		return err_set_ja(e, ERR_INVAL, "暗証番号は数字4桁で入力してください。",
		    "the PIN must be 4 digits");
	return 0;
}

int
card_b_build(const char *birth6, const char *expiry4, const char *code4,
    char *out, struct err *e)
{
	int yy, mm, dd, year;

	if (out == NULL)
		return err_set(e, ERR_INVAL, "no output buffer");
	if (birth6 == NULL || strnlen(birth6, 8) != 6 || !all_digits(birth6, 6))
		return err_set_ja(e, ERR_INVAL,
		    "生年月日は西暦の下2桁・月・日の6桁（例: 850412）で入力してください。",
		    "照合番号B: birth date part must be 6 digits YYMMDD");
	yy = (birth6[0] - '0') * 10 + (birth6[1] - '0');
	mm = (birth6[2] - '0') * 10 + (birth6[3] - '0');
	dd = (birth6[4] - '0') * 10 + (birth6[5] - '0');
	/* The century is not part of 照合番号B; a date valid in either of the
	 * two candidate centuries is accepted (29 February needs a leap year
	 * in one of them). */
	if (!date_valid(1900 + yy, mm, dd) && !date_valid(2000 + yy, mm, dd))
		return err_set_ja(e, ERR_INVAL,
		    "生年月日（6桁）が正しい日付ではありません。",
		    "照合番号B: birth date part is not a valid date");
	if (expiry4 == NULL || strnlen(expiry4, 8) != 4 || !all_digits(expiry4, 4))
		return err_set_ja(e, ERR_INVAL,
		    "有効期限の年は西暦4桁（例: 2034）で入力してください。",
		    "照合番号B: expiry year part must be 4 digits YYYY");
	year = (expiry4[0] - '0') * 1000 + (expiry4[1] - '0') * 100 +
	    (expiry4[2] - '0') * 10 + (expiry4[3] - '0');
	if (year < 2014 || year > 2099)
		return err_set_ja(e, ERR_INVAL,
		    "有効期限の年が正しくありません（2014年〜2099年）。",
		    "照合番号B: expiry year out of range");
	if (code4 == NULL || strnlen(code4, 8) != 4 || !all_digits(code4, 4))
		return err_set_ja(e, ERR_INVAL,
		    "セキュリティコードは数字4桁で入力してください。",
		    "照合番号B: security code part must be 4 digits");
	memcpy(out, birth6, 6);
	memcpy(out + 6, expiry4, 4);
	memcpy(out + 10, code4, 4);
	out[CARD_B_LEN] = '\0';
	return 0;
}

const char *
card_ap_name(enum card_ap ap)
{
	switch (ap) {
	case CARD_AP_KENHOJO: return "kenhojo";
	case CARD_AP_KENMEN: return "kenmen";
	case CARD_AP_JPKI: return "jpki";
	default: return "none";
	}
}

const char *
card_ap_name_ja(enum card_ap ap)
{
	switch (ap) {
	case CARD_AP_KENHOJO: return "券面事項入力補助AP";
	case CARD_AP_KENMEN: return "券面事項確認AP";
	case CARD_AP_JPKI: return "公的個人認証AP";
	default: return "なし";
	}
}

const char *
card_unlock_name_ja(enum card_unlock u)
{
	switch (u) {
	case CARD_UNLOCK_PIN: return "暗証番号";
	case CARD_UNLOCK_B: return "照合番号B";
	default: return "なし";
	}
}

const char *
card_pin_name_ja(enum card_pin p)
{
	switch (p) {
	case CARD_PIN_KENHOJO: return "券面事項入力補助用暗証番号";
	case CARD_PIN_KENHOJO_B: return "照合番号B（入力補助AP）";
	case CARD_PIN_KENMEN_B: return "照合番号B（券面事項確認AP）";
	case CARD_PIN_JPKI_AUTH: return "利用者証明用電子証明書の暗証番号";
	case CARD_PIN_JPKI_SIGN: return "署名用電子証明書の暗証番号";
	default: return "不明";
	}
}

const char *
card_state_name_ja(enum card_state s)
{
	switch (s) {
	case CARD_STATE_NO_SERVICE: return "カードサービス停止";
	case CARD_STATE_NO_READER: return "リーダーなし";
	case CARD_STATE_EMPTY: return "カードなし";
	case CARD_STATE_PRESENT: return "カードあり";
	case CARD_STATE_MUTE: return "カード応答なし";
	default: return "確認中";
	}
}
