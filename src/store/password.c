/*
 * password.c — the password policy (AC-4, HIROSHIMA III.3-R2): long
 * enough, mixed, no runs or keyboard patterns, no account name, no
 * dictionary word even with l33t substitutions.  Messages say which rule
 * failed, never the password.
 */
#include <ctype.h>
#include <string.h>

#include "core.h"
#include "store.h"
#include "store-int.h"

#define MIN_LEN 10

/* Common words and the municipality's own vocabulary: a small list, as the
 * assessments ask for "dictionary words" to be refused; compared as
 * substrings of the lower-cased, de-l33ted password. */
static const char *const dict[] = {
	"password", "passwd", "admin", "administrator", "welcome", "letmein",
	"qwerty", "asdf", "zxcv", "iloveyou", "monkey", "dragon", "sunshine",
	"master", "shadow", "football", "baseball", "princess", "secret",
	"login", "user", "guest", "test", "root", "changeme", "default",
	"madoguchi", "mynumber", "kojin", "bango", "shiyakusho", "yakusho",
	"kuyakusho", "madoguch", "tokyo", "osaka", "kobe", "hiroshima",
	"kawasaki", "mito", "yokohama", "nagoya", "sapporo", "fukuoka",
	"sakura", "tanaka", "suzuki", "sato", "takahashi", "watanabe",
	"nihon", "nippon", "japan", "spring", "summer", "autumn", "winter",
	"january", "february", "march", "april", "june", "july", "august",
	"september", "october", "november", "december", "monday", "friday",
	"abc123", "trustno", "hello", "whatever", "freedom", "computer",
	"internet", "service", "counter", "system", "security",
	NULL
};

/* Keyboard rows for "qwer"-style runs. */
static const char *const rows[] = {
	"1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm",
	"abcdefghijklmnopqrstuvwxyz", NULL
};

static char
unleet(char c)
{
	switch (c) {
	case '0': return 'o';
	case '1': return 'l';
	case '!': return 'i';
	case '3': return 'e';
	case '4': return 'a';
	case '@': return 'a';
	case '5': return 's';
	case '$': return 's';
	case '7': return 't';
	case '8': return 'b';
	default: return (char)tolower((unsigned char)c);
	}
}

static int
has_run(const char *lower)
{
	size_t n = strlen(lower);

	for (size_t i = 0; i + 4 <= n; i++) {
		/* aaaa */
		if (lower[i] == lower[i + 1] && lower[i] == lower[i + 2] &&
		    lower[i] == lower[i + 3])
			return 1;
		/* 4 consecutive along a keyboard row or the alphabet, either way */
		for (int r = 0; rows[r] != NULL; r++) {
			const char *row = rows[r];
			size_t rl = strlen(row);

			for (size_t k = 0; k + 4 <= rl; k++) {
				int fwd = 1, back = 1;
				for (size_t j = 0; j < 4; j++) {
					fwd &= lower[i + j] == row[k + j];
					back &= lower[i + j] == row[k + 3 - j];
				}
				if (fwd || back)
					return 1;
			}
		}
	}
	return 0;
}

int
store_password_check(const char *pw, const char *user, struct err *e)
{
	char lower[STORE_PASSWORD_MAX], leet[STORE_PASSWORD_MAX];
	size_t n = pw ? strlen(pw) : 0;
	int lo = 0, up = 0, dg = 0, ot = 0, cps, r = 0;

	if (n == 0)
		return err_set_ja(e, ERR_INVAL, "パスワードを入力してください",
		    "empty password");
	if (n >= STORE_PASSWORD_MAX)
		return err_set_ja(e, ERR_INVAL, "パスワードが長すぎます",
		    "password too long");
	if (!utf8_valid(pw, n))
		return err_set(e, ERR_INVAL, "password is not valid UTF-8");
	cps = utf8_count(pw, n);
	if (cps < MIN_LEN)
		return err_set_ja(e, ERR_INVAL, "パスワードは10文字以上にしてください",
		    "password shorter than %d characters", MIN_LEN);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)pw[i];
		if (c >= 'a' && c <= 'z')
			lo = 1;
		else if (c >= 'A' && c <= 'Z')
			up = 1;
		else if (c >= '0' && c <= '9')
			dg = 1;
		else
			ot = 1;
		lower[i] = (char)tolower(c);
		leet[i] = unleet((char)c);
	}
	lower[n] = leet[n] = '\0';
	if (lo + up + dg + ot < 3) {
		r = err_set_ja(e, ERR_INVAL,
		    "英小文字・英大文字・数字・記号のうち3種類以上を使ってください",
		    "password needs 3 of: lower case, upper case, digits, symbols");
		goto out;
	}
	if (has_run(lower)) {
		r = err_set_ja(e, ERR_INVAL,
		    "同じ文字や連続した文字（aaaa, 1234, qwer など）は使えません",
		    "password contains a run or keyboard sequence");
		goto out;
	}
	if (user != NULL && strlen(user) >= 3) {
		char u[STORE_NAME_MAX];
		size_t k;

		for (k = 0; user[k] && k < sizeof(u) - 1; k++)
			u[k] = (char)tolower((unsigned char)user[k]);
		u[k] = '\0';
		if (strstr(lower, u) != NULL || strstr(leet, u) != NULL) {
			r = err_set_ja(e, ERR_INVAL,
			    "パスワードに利用者IDを含めないでください",
			    "password contains the account name");
			goto out;
		}
	}
	for (int i = 0; dict[i] != NULL; i++)
		if (strstr(lower, dict[i]) != NULL || strstr(leet, dict[i]) != NULL) {
			r = err_set_ja(e, ERR_INVAL,
			    "辞書にある単語を含むパスワードは使えません",
			    "password contains a dictionary word");
			goto out;
		}
out:
	mem_wipe(lower, sizeof(lower));
	mem_wipe(leet, sizeof(leet));
	return r;
}
