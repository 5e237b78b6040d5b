/*
 * secret.c — PIN and 照合番号B buffers in sodium_malloc memory, their
 * validation, and the names of applications, secrets and states in Japanese.
 *
 * Nothing here copies a secret anywhere but into the caller's buffer, and no
 * message ever contains one.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
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

/* YY may be a 和暦 era year (LAYOUT.md): valid in some era's year YY. */
static int
b_era_valid(int yy, int mm, int dd)
{
	static const int base[] = { 1868, 1912, 1926, 1989, 2019 };

	for (size_t i = 0; i < sizeof(base) / sizeof(base[0]); i++)
		if (yy >= 1 && date_valid(base[i] + yy - 1, mm, dd))
			return 1;
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
		    "生年月日は券面の年（和暦の年、西暦表記のカードは西暦の下2桁）・月・日の6桁（例: 550217）で入力してください。",
		    "照合番号B: birth date part must be 6 digits YYMMDD");
	yy = (birth6[0] - '0') * 10 + (birth6[1] - '0');
	mm = (birth6[2] - '0') * 10 + (birth6[3] - '0');
	dd = (birth6[4] - '0') * 10 + (birth6[5] - '0');
	/* The century is not part of 照合番号B; a date valid in either of the
	 * two candidate centuries is accepted (29 February needs a leap year
	 * in one of them). */
	if (!date_valid(1900 + yy, mm, dd) && !date_valid(2000 + yy, mm, dd) &&
	    !b_era_valid(yy, mm, dd))
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

/* First code point of s is an ASCII or full-width digit: a 西暦 entry. */
static int
starts_with_digit(const char *s)
{
	while (*s == ' ')
		s++;
	if (*s >= '0' && *s <= '9')
		return 1;
	/* U+FF10..U+FF19: EF BC 90..99 */
	return (uint8_t)s[0] == 0xEF && (uint8_t)s[1] == 0xBC &&
	    (uint8_t)s[2] >= 0x90 && (uint8_t)s[2] <= 0x99;
}

int
card_b_from_printed(const char *birth, const char *expiry, const char *code,
    char *out, struct err *e)
{
	char b6[8], y4[8], w[32];
	struct date d;
	struct err ignore;
	int yy, r;
	size_t bl;

	if (out == NULL || birth == NULL || expiry == NULL || code == NULL)
		return err_set(e, ERR_INVAL, "照合番号B: missing part");
	bl = strnlen(birth, 64);
	if (bl == 6 && all_digits(birth, 6)) {
		/* Six digits as printed (era year already, or 西暦 two digits). */
		memcpy(b6, birth, 7);
	} else {
		if (date_parse(birth, &d, &ignore) != 0)
			return err_set_ja(e, ERR_INVAL,
			    "生年月日はカードに印字されたとおりに入力してください"
			    "（例: S55.2.17、昭和55年2月17日、西暦表記のカードは 1980-02-17）。",
			    "照合番号B: birth date not understood");
		if (starts_with_digit(birth))
			yy = d.y % 100;		/* 西暦-printed card */
		else {
			/* 和暦: the era year, from "S55.2.17". */
			if (date_format_wareki_short(&d, w, sizeof(w)) < 0)
				return err_set_ja(e, ERR_INVAL, "生年月日を和暦にできません。",
				    "照合番号B: birth date has no 和暦");
			yy = atoi(w + 1);
		}
		snprintf(b6, sizeof(b6), "%02d%02d%02d", yy % 100, d.m, d.d);
		mem_wipe(&d, sizeof(d));
		mem_wipe(w, sizeof(w));
	}
	if (strnlen(expiry, 64) == 4 && all_digits(expiry, 4))
		memcpy(y4, expiry, 5);
	else if (date_parse(expiry, &d, &ignore) == 0 && d.y >= 1000 && d.y <= 9999) {
		snprintf(y4, sizeof(y4), "%04d", d.y);
		mem_wipe(&d, sizeof(d));
	} else
		return err_set_ja(e, ERR_INVAL,
		    "有効期限は年（例: 2035）か日付（例: 2035-02-17）で入力してください。",
		    "照合番号B: expiry not understood");
	r = card_b_build(b6, y4, code, out, e);
	mem_wipe(b6, sizeof(b6));
	mem_wipe(y4, sizeof(y4));
	return r;
}

int
card_b_from_line(const char *line, char *out, struct err *e)
{
	char *buf, *part[3];
	size_t n, k = 0, o = 0;
	int r, in = 0;

	if (line == NULL)
		return err_set(e, ERR_INVAL, "照合番号B: no input");
	n = strnlen(line, 256);
	if (n >= 256)
		return err_set_ja(e, ERR_INVAL, "照合番号Bの入力が長すぎます。", "照合番号B: line too long");
	if (sodium_init() < 0 || (buf = sodium_malloc(n + 4)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	/* Split on ASCII spaces, tabs and U+3000 (E3 80 80). */
	for (size_t i = 0; i < n; ) {
		int sp = line[i] == ' ' || line[i] == '\t';
		size_t adv = 1;
		if (!sp && i + 2 < n && (uint8_t)line[i] == 0xE3 &&
		    (uint8_t)line[i + 1] == 0x80 && (uint8_t)line[i + 2] == 0x80) {
			sp = 1;
			adv = 3;
		}
		if (sp) {
			if (in) {
				buf[o++] = '\0';
				in = 0;
			}
		} else {
			if (!in) {
				if (k == 3) {
					k = 4;
					break;
				}
				part[k++] = buf + o;
				in = 1;
			}
			buf[o++] = line[i];
		}
		i += adv;
	}
	buf[o] = '\0';
	if (k != 3)
		r = err_set_ja(e, ERR_INVAL,
		    "照合番号Bは「生年月日 有効期限 セキュリティコード」をカードに印字された"
		    "とおりに、空白で区切って入力してください（例: S55.2.17 2035 2285）。",
		    "照合番号B must be BIRTH EXPIRY CODE");
	else
		r = card_b_from_printed(part[0], part[1], part[2], out, e);
	sodium_free(buf);	/* wipes */
	return r;
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
	case CARD_UNLOCK_A: return "照合番号A";
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
	case CARD_PIN_KENMEN_A: return "照合番号A（券面事項確認AP）";
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
