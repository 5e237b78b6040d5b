/*
 * mynumber.c — the 個人番号 check digit (REQUIREMENTS ID-4) and masking.
 *
 * 番号法施行令 第8条 / 総務省令第85号 第5条: with Pn the n-th digit from the
 * right of the first 11 digits and Qn = n + 1 (n <= 6) or n - 5 (7 <= n <= 11),
 * the check digit is 11 - (sum of Pn * Qn mod 11), or 0 when the remainder
 * is 0 or 1.
 *
 * Because remainders 0 and 1 both give 0, a keying error that moves the
 * remainder between 0 and 1 is not detected by the formula itself; every
 * other single-digit substitution is (tests/unit/test_mynumber.c proves
 * both statements exhaustively).
 *
 * Nothing here ever puts the number, or any part of it except the last
 * four digits in mynumber_mask, into a message.
 */
#include <string.h>

#include "core.h"

static int
all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* The remainder of the weighted sum of the first 11 digits. */
static int
weighted_remainder(const char *first11)
{
	int sum = 0;

	for (int n = 1; n <= 11; n++) {
		int p = first11[11 - n] - '0';
		int q = n <= 6 ? n + 1 : n - 5;
		sum += p * q;
	}
	return sum % 11;
}

int
mynumber_check_digit(const char *first11)
{
	int r;

	if (first11 == NULL || strnlen(first11, 12) != 11 || !all_digits(first11, 11))
		return ERR_FORMAT;
	r = weighted_remainder(first11);
	return r <= 1 ? 0 : 11 - r;
}

int
mynumber_validate(const char *s, size_t n, struct err *e)
{
	char first11[12];
	int cd;

	if (s == NULL || n != MYNUMBER_LEN)
		return err_set_ja(e, ERR_FORMAT, "個人番号は12桁の数字で入力してください。",
		    "a 個人番号 has 12 digits, got %zu characters", s == NULL ? 0 : n);
	if (!all_digits(s, n))
		return err_set_ja(e, ERR_FORMAT, "個人番号は12桁の数字で入力してください。",
		    "a 個人番号 has only the digits 0-9");
	memcpy(first11, s, 11);
	first11[11] = '\0';
	cd = mynumber_check_digit(first11);
	mem_wipe(first11, sizeof(first11));
	if (cd != s[11] - '0')
		return err_set_ja(e, ERR_FORMAT,
		    "個人番号のチェックデジットが一致しません。入力誤りがないか確認してください。",
		    "個人番号 check digit does not match (keying error?)");
	return 0;
}

void
mynumber_mask(const char *s, size_t n, char out[MYNUMBER_MASKED_LEN])
{
	memcpy(out, "**** **** ****", MYNUMBER_MASKED_LEN);
	if (s != NULL && n == MYNUMBER_LEN && all_digits(s, n))
		memcpy(out + 10, s + 8, 4);
}
