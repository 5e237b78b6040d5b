/*
 * test_mynumber.c — the 個人番号 check digit (REQUIREMENTS ID-4: keyed
 * numbers must pass the check digit, 番号法施行令 第8条) and masking.
 */
#include <stdio.h>
#include <string.h>

#include "core.h"
#include "harness.h"

/* Valid numbers, computed independently of src/core (by hand for the
 * first, the rest with a separate script), with the remainder of the
 * weighted sum: 0 and 1 both give check digit 0. */
static const struct {
	const char *num;
	int rem01;		/* remainder 0 or 1, else -1 */
} valid[] = {
	{ "123456789018", -1 },	/* sum 212, remainder 3, 11 - 3 = 8 */
	{ "000000000000", 0 },
	{ "403885421439", -1 }, { "044324451959", -1 }, { "683237418409", -1 },
	{ "234401074881", -1 },
	{ "494836694670", 0 }, { "607616392540", 0 }, { "183645320090", 0 },
	{ "028175941470", 0 },
	{ "341672110680", 1 }, { "050725549170", 1 }, { "363100029290", 1 },
	{ "245395911620", 1 },
};
#define NVALID (sizeof(valid) / sizeof(valid[0]))

TEST(mynumber_valid_numbers_pass)
{
	for (size_t i = 0; i < NVALID; i++) {
		struct err e;
		char first[12];
		err_clear(&e);
		CHECK_OK(mynumber_validate(valid[i].num, 12, &e), &e);
		memcpy(first, valid[i].num, 11);
		first[11] = '\0';
		CHECK_INT(mynumber_check_digit(first), valid[i].num[11] - '0');
	}
}

/* The weighted remainder as the statute states it: Pn is the n-th digit
 * from the right of the first 11, Qn = n+1 for n <= 6, n-5 for 7..11. */
static int
statute_remainder(const char *s)
{
	static const int q[12] = { 0, 2, 3, 4, 5, 6, 7, 2, 3, 4, 5, 6 };
	int sum = 0;

	for (int n = 1; n <= 11; n++)
		sum += (s[11 - n] - '0') * q[n];
	return sum % 11;
}

/*
 * Every single-digit substitution in every valid number, in every one of
 * the 12 positions, to every other digit (14 x 12 x 9 = 1512 keyings).
 * The formula maps remainders 0 and 1 both to check digit 0, so a change
 * that moves the remainder from one to the other is the one kind it cannot
 * see; the test proves that those, and only those, pass — and that the
 * check digit position itself is always protected.
 */
TEST(mynumber_single_digit_substitutions_detected_but_the_0_1_blind_spot)
{
	int tried = 0, detected = 0, blind = 0, wrong = 0;

	for (size_t i = 0; i < NVALID; i++)
		for (int pos = 0; pos < 12; pos++)
			for (char dgt = '0'; dgt <= '9'; dgt++) {
				char s[13];
				memcpy(s, valid[i].num, 13);
				if (s[pos] == dgt)
					continue;
				s[pos] = dgt;
				tried++;
				int r = mynumber_validate(s, 12, NULL);
				int expect_blind = pos < 11 &&
				    statute_remainder(valid[i].num) <= 1 &&
				    statute_remainder(s) <= 1;
				if (r == 0 && expect_blind)
					blind++;
				else if (r == ERR_FORMAT && !expect_blind)
					detected++;
				else
					wrong++;
			}
	CHECK_INT(tried, NVALID * 12 * 9);
	CHECK_INT(wrong, 0);
	CHECK_INT(detected + blind, tried);
	/* The numbers with remainder >= 2 (check digit 1..9): all detected. */
	CHECK(blind > 0);	/* the 0/1 blind spot really exists */
	CHECK(blind < tried / 10);
	printf("    %d substitutions: %d detected, %d in the 0/1 blind spot\n",
	    tried, detected, blind);
}

TEST(mynumber_substitutions_in_numbers_with_nonzero_check_digit_all_detected)
{
	for (size_t i = 0; i < NVALID; i++) {
		if (valid[i].rem01 >= 0)
			continue;
		for (int pos = 0; pos < 12; pos++)
			for (char dgt = '0'; dgt <= '9'; dgt++) {
				char s[13];
				memcpy(s, valid[i].num, 13);
				if (s[pos] == dgt)
					continue;
				s[pos] = dgt;
				if (mynumber_validate(s, 12, NULL) != ERR_FORMAT)
					t_fail_at(__FILE__, __LINE__, "%s: position %d to %c not detected",
					    valid[i].num, pos, dgt);
			}
	}
}

/* Swapping two adjacent different digits (the other common keying error)
 * is caught whenever the remainder does not stay within {0, 1}. */
TEST(mynumber_adjacent_transpositions)
{
	int caught = 0, missed_ok = 0, wrong = 0;

	for (size_t i = 0; i < NVALID; i++)
		for (int pos = 0; pos < 11; pos++) {
			char s[13];
			memcpy(s, valid[i].num, 13);
			if (s[pos] == s[pos + 1])
				continue;
			char t = s[pos];
			s[pos] = s[pos + 1];
			s[pos + 1] = t;
			int r = mynumber_validate(s, 12, NULL);
			int rem = statute_remainder(s);
			int same_cd = (rem <= 1 ? 0 : 11 - rem) == s[11] - '0';
			if (r == 0 && same_cd)
				missed_ok++;
			else if (r == ERR_FORMAT && !same_cd)
				caught++;
			else
				wrong++;
		}
	CHECK_INT(wrong, 0);
	CHECK(caught > missed_ok * 5);
}

static const struct {
	const char *s;
	size_t n;
	const char *why;
} malformed[] = {
	{ "12345678901", 11, "12 digits" },
	{ "1234567890188", 13, "12 digits" },
	{ "", 0, "12 digits" },
	{ "1234 5678 9018", 14, "12 digits" },
	{ "12345678901a", 12, "digits 0-9" },
	{ "１２３４５６７８９０１８", 36, "12 digits" },	/* full-width */
	{ " 12345678901", 12, "digits 0-9" },
	{ "12345678901\n", 12, "digits 0-9" },
	{ "-12345678901", 12, "digits 0-9" },
	{ "123456789019", 12, "check digit" },
	{ "123456789010", 12, "check digit" },
	{ "000000000001", 12, "check digit" },
};

TEST(mynumber_validate_refuses_with_reason_but_never_the_number)
{
	for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		struct err e;
		err_clear(&e);
		CHECK_INT(mynumber_validate(malformed[i].s, malformed[i].n, &e), ERR_FORMAT);
		if (strstr(e.msg, malformed[i].why) == NULL)
			t_fail_at(__FILE__, __LINE__, "\"%s\": \"%s\"", malformed[i].s, e.msg);
		CHECK(e.ja[0] != '\0');
		/* no run of 4+ digits of the input in either message */
		for (size_t k = 0; k + 4 <= malformed[i].n; k++) {
			CHECK(memmem(e.msg, strlen(e.msg), malformed[i].s + k, 4) == NULL ||
			    strspn(malformed[i].s + k, "0123456789") < 4);
			CHECK(memmem(e.ja, strlen(e.ja), malformed[i].s + k, 4) == NULL ||
			    strspn(malformed[i].s + k, "0123456789") < 4);
		}
	}
	/* NUL inside the 12 bytes is not a digit; n is what counts, not strlen */
	CHECK_INT(mynumber_validate("12345\0" "789018", 12, NULL), ERR_FORMAT);
	CHECK_INT(mynumber_validate("123456789018", 12, NULL), 0);
	CHECK_INT(mynumber_validate("1234567890189999", 12, NULL), 0);
	CHECK_INT(mynumber_validate(NULL, 12, NULL), ERR_FORMAT);
}

TEST(mynumber_check_digit_refuses_non_digits)
{
	CHECK_INT(mynumber_check_digit("1234567890"), ERR_FORMAT);
	CHECK_INT(mynumber_check_digit("123456789012"), ERR_FORMAT);
	CHECK_INT(mynumber_check_digit("1234567890a"), ERR_FORMAT);
	CHECK_INT(mynumber_check_digit(""), ERR_FORMAT);
	CHECK_INT(mynumber_check_digit(NULL), ERR_FORMAT);
	CHECK_INT(mynumber_check_digit("00000000000"), 0);
	CHECK_INT(mynumber_check_digit("12345678901"), 8);
}

TEST(mynumber_mask_shows_only_the_last_four)
{
	char out[MYNUMBER_MASKED_LEN];

	mynumber_mask("123456789018", 12, out);
	CHECK_STR(out, "**** **** 9018");
	CHECK_INT(strlen(out), MYNUMBER_MASKED_LEN - 1);
	mynumber_mask("12345678901", 11, out);
	CHECK_STR(out, "**** **** ****");
	mynumber_mask("12345678901x", 12, out);
	CHECK_STR(out, "**** **** ****");
	mynumber_mask(NULL, 0, out);
	CHECK_STR(out, "**** **** ****");
	/* an invalid check digit still masks: the input need not be valid */
	mynumber_mask("123456789019", 12, out);
	CHECK_STR(out, "**** **** 9019");
}
