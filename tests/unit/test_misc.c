/*
 * test_misc.c — errors, UUIDs, randomness, constant-time compare, wiping,
 * hex, process hardening (SPEC 4: no core dumps) and the operator log.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "core.h"
#include "harness.h"

TEST(err_set_and_prefix)
{
	struct err e;

	err_clear(&e);
	CHECK_INT(err_set(&e, ERR_RANGE, "value %d too big", 7), ERR_RANGE);
	CHECK_INT(e.code, ERR_RANGE);
	CHECK_STR(e.msg, "value 7 too big");
	CHECK_STR(e.ja, "");
	CHECK_STR(err_ja(&e), "値が範囲外です。");
	CHECK_INT(err_prefix(&e, "%s:%d: ", "a.conf", 3), ERR_RANGE);
	CHECK_STR(e.msg, "a.conf:3: value 7 too big");
	CHECK_INT(err_set_ja(&e, ERR_AUTH, "パスワードが違います。", "bad password for %s", "clerk1"), ERR_AUTH);
	CHECK_STR(err_ja(&e), "パスワードが違います。");
	/* err_set clears a previous Japanese text */
	err_set(&e, ERR_IO, "x");
	CHECK_STR(err_ja(&e), "ファイルの読み書きに失敗しました。");
	/* a NULL err is allowed everywhere */
	CHECK_INT(err_set(NULL, ERR_IO, "x"), ERR_IO);
	CHECK_INT(err_set_ja(NULL, ERR_IO, "x", "y"), ERR_IO);
	CHECK_INT(err_prefix(NULL, "x"), 0);
	err_clear(NULL);
	CHECK_STR(err_ja(NULL), "エラーが発生しました。");
}

TEST(err_messages_are_truncated_not_overrun)
{
	struct err e;
	char big[1000];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	err_set(&e, ERR_INVAL, "%s", big);
	CHECK_INT(strlen(e.msg), ERR_MSG_MAX - 1);
	err_prefix(&e, "%s", "pre: ");
	CHECK_INT(strlen(e.msg), ERR_MSG_MAX - 1);
	CHECK(strncmp(e.msg, "pre: xxx", 8) == 0);
	err_prefix(&e, "%s", big);
	CHECK_INT(strlen(e.msg), ERR_MSG_MAX - 1);
	err_set_ja(&e, ERR_INVAL, big, "m");
	CHECK_INT(strlen(e.ja), ERR_MSG_MAX - 1);
}

TEST(err_names_and_generic_japanese_for_every_code)
{
	CHECK_STR(err_name(0), "OK");
	CHECK_STR(err_name(ERR_SHORT), "ERR_SHORT");
	CHECK_STR(err_name(ERR_PROTO), "ERR_PROTO");
	CHECK_STR(err_name(-999), "ERR_UNKNOWN");
	for (int c = ERR_PROTO; c <= ERR_INVAL; c++) {
		struct err e = { c, "", "" };
		CHECK(strncmp(err_name(c), "ERR_", 4) == 0);
		CHECK(strcmp(err_name(c), "ERR_UNKNOWN") != 0);
		CHECK(strcmp(err_ja(&e), "エラーが発生しました。") != 0);
	}
}

TEST(uuid_v4_format_and_uniqueness)
{
	char u[64][37];

	for (int i = 0; i < 64; i++) {
		REQUIRE(uuid_v4(u[i]) == 0);
		CHECK_INT(strlen(u[i]), 36);
		for (int k = 0; k < 36; k++) {
			if (k == 8 || k == 13 || k == 18 || k == 23)
				CHECK(u[i][k] == '-');
			else
				CHECK(strchr("0123456789abcdef", u[i][k]) != NULL);
		}
		CHECK(u[i][14] == '4');				/* version 4 */
		CHECK(strchr("89ab", u[i][19]) != NULL);	/* RFC 4122 variant */
		for (int j = 0; j < i; j++)
			CHECK(strcmp(u[i], u[j]) != 0);
	}
}

TEST(rand_bytes_fills)
{
	uint8_t a[64] = { 0 }, b[64] = { 0 };

	CHECK_INT(rand_bytes(a, sizeof(a)), 0);
	CHECK_INT(rand_bytes(b, sizeof(b)), 0);
	CHECK(memcmp(a, b, sizeof(a)) != 0);
	CHECK_INT(rand_bytes(a, 0), 0);
	/* a large request (getrandom may return short reads) */
	size_t n = 1 << 20;
	uint8_t *big = calloc(1, n);
	REQUIRE(big != NULL);
	CHECK_INT(rand_bytes(big, n), 0);
	size_t zeros = 0;
	for (size_t i = 0; i < n; i++)
		zeros += big[i] == 0;
	CHECK(zeros < n / 128);		/* about n/256 expected */
	free(big);
}

TEST(ct_memcmp_and_wipe)
{
	uint8_t a[32], b[32];

	memset(a, 7, sizeof(a));
	memcpy(b, a, sizeof(b));
	CHECK_INT(ct_memcmp(a, b, sizeof(a)), 0);
	for (size_t i = 0; i < sizeof(a); i++) {
		b[i] ^= 0x80;
		CHECK(ct_memcmp(a, b, sizeof(a)) != 0);
		b[i] ^= 0x80;
	}
	CHECK_INT(ct_memcmp(a, b, 0), 0);
	mem_wipe(a, sizeof(a));
	for (size_t i = 0; i < sizeof(a); i++)
		CHECK_INT(a[i], 0);
	mem_wipe(NULL, 10);
}

TEST(hex_round_trip_and_errors)
{
	const uint8_t bin[] = { 0x00, 0x01, 0x7f, 0x80, 0xab, 0xff };
	char hex[2 * sizeof(bin) + 1];
	uint8_t out[8];

	hex_encode(bin, sizeof(bin), hex);
	CHECK_STR(hex, "00017f80abff");
	CHECK_INT(hex_decode(hex, strlen(hex), out, sizeof(out)), sizeof(bin));
	CHECK_MEM(out, bin, sizeof(bin));
	CHECK_INT(hex_decode("00017F80ABFF", 12, out, sizeof(out)), 6);
	CHECK_MEM(out, bin, sizeof(bin));
	CHECK_INT(hex_decode("abc", 3, out, sizeof(out)), ERR_FORMAT);	/* odd */
	CHECK_INT(hex_decode("zz", 2, out, sizeof(out)), ERR_FORMAT);
	CHECK_INT(hex_decode("0g", 2, out, sizeof(out)), ERR_FORMAT);
	CHECK_INT(hex_decode("000000000000000000", 18, out, sizeof(out)), ERR_FORMAT);	/* 9 > 8 */
	CHECK_INT(hex_decode("", 0, out, sizeof(out)), 0);
	hex_encode(bin, 0, hex);
	CHECK_STR(hex, "");
}

/* SPEC 4: no core dumps, not dumpable (so no ptrace by other users). */
TEST(proc_harden_disables_core_dumps)
{
	struct rlimit rl;
	struct err e;

	CHECK_OK(proc_harden(&e), &e);
	REQUIRE(getrlimit(RLIMIT_CORE, &rl) == 0);
	CHECK_INT(rl.rlim_cur, 0);
	CHECK_INT(rl.rlim_max, 0);
	CHECK_INT(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
}

TEST(log_lines_levels_and_file)
{
	const char *p = t_path("op.log");
	char *text;
	size_t n;

	REQUIRE(log_open("mdg-test", p, LOG_INFO) == 0);
	log_info("started %d", 1);
	log_debug("hidden detail");
	log_error("failed: %s", "disk");
	log_close();
	REQUIRE((text = t_read_file(p, &n)) != NULL);
	CHECK(strstr(text, "mdg-test[") != NULL);
	CHECK(strstr(text, "] info: started 1\n") != NULL);
	CHECK(strstr(text, "] error: failed: disk\n") != NULL);
	CHECK(strstr(text, "hidden") == NULL);
	/* one line each, timestamped YYYY-MM-DDTHH:MM:SS.mmm */
	int lines = 0;
	for (char *l = text; *l; l = strchr(l, '\n') + 1) {
		lines++;
		CHECK(l[4] == '-' && l[10] == 'T' && l[19] == '.');
		if (strchr(l, '\n') == NULL)
			break;
	}
	CHECK_INT(lines, 2);
	free(text);
	CHECK_INT(log_open("x", t_path("no/such/dir/log"), LOG_INFO), ERR_IO);
}

/* LOG-1/LOG-5: the operator log names clerks and persons; a new log file is
 * owner-only even under the usual umask 022. */
TEST(log_file_is_owner_only)
{
	const char *p = t_path("mode.log");
	struct stat sb;
	mode_t old = umask(022);

	REQUIRE(log_open("mdg-test", p, LOG_INFO) == 0);
	log_info("x");
	log_close();
	umask(old);
	REQUIRE(stat(p, &sb) == 0);
	CHECK_INT((int)(sb.st_mode & 0777), 0600);
}
