/*
 * test_totp.c — the TOTP second factor (AC-5): RFC 6238's own SHA-1 test
 * vectors, codes checked against oathtool (an independent implementation
 * from Debian's oath-toolkit), the ±1 step window, replay refusal, base32
 * and the otpauth URI, the QR code's shape; and the test clock (mdg_now).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "totp.h"

/* RFC 6238 appendix B: the SHA-1 seed is "12345678901234567890". */
static const uint8_t rfc_seed[TOTP_SECRET_LEN] = "12345678901234567890";

TEST(rfc6238_vectors)
{
	static const struct { int64_t t; const char *code; } v[] = {
		{ 59, "287082" }, { 1111111109, "081804" },
		{ 1111111111, "050471" }, { 1234567890, "005924" },
		{ 2000000000, "279037" }, { 20000000000LL, "353130" },
	};
	char code[TOTP_DIGITS + 1];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		CHECK(totp_code(rfc_seed, v[i].t, code, NULL) == 0);
		CHECK_STR(code, v[i].code);	/* 8-digit vectors, last 6 digits */
	}
}

/* oathtool --totp -b SECRET --now "@T": the independent implementation. */
static int
oathtool_code(const char *b32, int64_t t, char out[TOTP_DIGITS + 1])
{
	char cmd[256], line[64];
	FILE *p;
	int ok = 0;

	snprintf(cmd, sizeof(cmd), "oathtool --totp -b '%s' --now '@%lld' 2>/dev/null",
	    b32, (long long)t);
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	if (fgets(line, sizeof(line), p) != NULL && strlen(line) >= TOTP_DIGITS) {
		memcpy(out, line, TOTP_DIGITS);
		out[TOTP_DIGITS] = '\0';
		ok = 1;
	}
	pclose(p);
	return ok ? 0 : -1;
}

TEST(against_oathtool)
{
	uint8_t s[TOTP_SECRET_LEN], back[TOTP_SECRET_LEN];
	char b32[TOTP_B32_MAX], ours[TOTP_DIGITS + 1], theirs[TOTP_DIGITS + 1];
	int64_t now = 1796292000, last = 0;	/* 2026-12-03T10:00:00Z */
	struct err e;

	if (system("command -v oathtool >/dev/null 2>&1") != 0) {
		t_skip("oathtool not installed (scripts/deps.sh installs it)");
	}
	CHECK(totp_secret_new(s, NULL) == 0);
	CHECK(totp_base32(s, b32, NULL) == 0);
	CHECK(strlen(b32) == 32);
	CHECK(totp_base32_parse(b32, back, NULL) == 0);
	CHECK(memcmp(s, back, sizeof(s)) == 0);

	/* The same code for the same moment from both implementations. */
	CHECK(oathtool_code(b32, now, theirs) == 0);
	CHECK(totp_code(s, now, ours, NULL) == 0);
	CHECK_STR(ours, theirs);

	/* Right code accepted once; the same code again is a replay. */
	CHECK(totp_verify(s, theirs, now, &last, &e) == 0);
	CHECK(last == now / TOTP_STEP);
	CHECK(totp_verify(s, theirs, now + 5, &last, &e) == ERR_AUTH);
	CHECK(strstr(e.msg, "already used") != NULL);

	/* Clock skew: the phone one step behind and one step ahead pass. */
	last = 0;
	CHECK(oathtool_code(b32, now - TOTP_STEP, theirs) == 0);
	CHECK(totp_verify(s, theirs, now, &last, NULL) == 0);
	CHECK(last == now / TOTP_STEP - 1);
	CHECK(oathtool_code(b32, now + TOTP_STEP, theirs) == 0);
	CHECK(totp_verify(s, theirs, now, &last, NULL) == 0);
	CHECK(last == now / TOTP_STEP + 1);
	/* After the +1 step was used, the current step's code is older: refused. */
	CHECK(oathtool_code(b32, now, theirs) == 0);
	CHECK(totp_verify(s, theirs, now, &last, NULL) == ERR_AUTH);

	/* Two steps away is outside the window. */
	last = 0;
	CHECK(oathtool_code(b32, now - 2 * TOTP_STEP, theirs) == 0);
	if (strcmp(theirs, ours) != 0)	/* a 1e-6 chance of a collision */
		CHECK(totp_verify(s, theirs, now, &last, NULL) == ERR_AUTH);

	/* Wrong and malformed codes. */
	CHECK(totp_verify(s, "12345", now, &last, NULL) == ERR_AUTH);
	CHECK(totp_verify(s, "12a456", now, &last, NULL) == ERR_AUTH);
	CHECK(totp_verify(s, "1234567", now, &last, NULL) == ERR_AUTH);
}

TEST(base32_refusals)
{
	uint8_t s[TOTP_SECRET_LEN];

	CHECK(totp_base32_parse("GEZDGNBV", s, NULL) == ERR_FORMAT);	/* short */
	CHECK(totp_base32_parse("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGE", s, NULL) ==
	    ERR_FORMAT);						/* long */
	CHECK(totp_base32_parse("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJ1", s, NULL) ==
	    ERR_FORMAT);						/* '1' */
	/* Lower case and spaces as people type them. */
	CHECK(totp_base32_parse("gezd gnbv gy3t qojq gezd gnbv gy3t qojq", s,
	    NULL) == 0);
	CHECK(memcmp(s, rfc_seed, TOTP_SECRET_LEN) == 0);
}

TEST(uri_and_qr)
{
	char uri[512], *qr = NULL;
	int cols = 0, rows = 0;

	CHECK(totp_uri(rfc_seed, "窓口市", "tanaka.h", uri, sizeof(uri), NULL) == 0);
	CHECK_STR(uri, "otpauth://totp/%E7%AA%93%E5%8F%A3%E5%B8%82:tanaka.h?"
	    "secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=%E7%AA%93%E5%8F%A3%E5%B8%82"
	    "&algorithm=SHA1&digits=6&period=30");
	CHECK(totp_uri(rfc_seed, "a:b", "x", uri, sizeof(uri), NULL) == ERR_INVAL);
	CHECK(totp_uri(rfc_seed, "窓口市", "tanaka.h", uri, 40, NULL) == ERR_RANGE);

	CHECK(totp_qr_text("otpauth://totp/x:y?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
	    &qr, &cols, &rows, NULL) == 0);
	CHECK(qr != NULL);
	if (qr != NULL) {
		/* Square: rows are half the modules, each line cols cells wide;
		 * the quiet zone makes the first line all light (█). */
		CHECK(cols >= 21 + 4 && rows == (cols + 1) / 2);
		CHECK(strncmp(qr, "\u2588\u2588\u2588\u2588", 12) == 0);
		size_t lines = 0;
		for (const char *p = qr; *p != '\0'; p++)
			lines += *p == '\n';
		CHECK(lines == (size_t)rows);
		free(qr);
	}
}

TEST(test_clock)
{
	char path[] = "/tmp/mdg-clock-XXXXXX";
	int fd;

	setenv("MDG_TEST_NOW", "1796292000", 1);
	CHECK(mdg_now() == 1796292000);
	setenv("MDG_TEST_NOW", "2026-12-03T10:00:00Z", 1);
	CHECK(mdg_now() == 1796292000);
	CHECK(mdg_clock_is_test());
	fd = mkstemp(path);
	CHECK(fd >= 0);
	CHECK(write(fd, "2026-12-04T10:00:00Z\n", 21) == 21);
	close(fd);
	char v[64];
	snprintf(v, sizeof(v), "@%s", path);
	setenv("MDG_TEST_NOW", v, 1);
	CHECK(mdg_now() == 1796292000 + 86400);
	unlink(path);
	unsetenv("MDG_TEST_NOW");
	CHECK(!mdg_clock_is_test());
	CHECK(mdg_now() > 1796292000 - 86400 * 365 * 10);
}

