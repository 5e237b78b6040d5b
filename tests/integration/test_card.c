/*
 * test_card.c — the card module through the real PC/SC stack: a private
 * pcscd (socket-activated on a socket in the test's directory, its own
 * reader.conf naming the vpcd driver on a free port) and mynacard-sim
 * plugged into vpcd.  Nothing here touches the system's pcscd.
 *
 * Requirements: ID-1 (identity read recorded with method), ID-3/ID-5 (the
 * 個人番号 and 基本4情報 come from the chip, digests checked), ID-4 (check
 * digit), LOG-5 (no PIN, no full 個人番号 anywhere we write).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "card.h"
#include "harness.h"
#include "pcsc_rig.h"
#include "sim.h"
#include "store.h"

struct rig {
	pid_t pcscd, sim;
	int port;
	char dir[512];
	char sock[600];
	char simlog[600];
};

static const char *
profile(const char *name)
{
	static char b[4][1024];
	static int i;
	char *p = b[i++ % 4];

	snprintf(p, 1024, "%s/data/cards/%s.card", t_srcdir(), name);
	return p;
}

static int
card_out(void *arg)
{
	return !rig_card_in(arg);
}

/* On failure: what the simulator and pcscd said. */
static void
rig_dump(struct rig *r)
{
	char *a = t_read_file(r->simlog, NULL), *b = t_read_file(t_path("pcscd.log"), NULL);

	printf("--- sim.log\n%s--- pcscd.log\n%s---\n", a ? a : "", b ? b : "");
	free(a);
	free(b);
}

#define REQUIRE_RIG(r, c) do { if (!(c)) { rig_dump(r); \
	t_fail_at(__FILE__, __LINE__, "REQUIRE(%s)", #c); t_stop(); } } while (0)

/* Start pcscd and (when profiles is not NULL) the simulator with these
 * arguments; wait until the card is in. */
static void
rig_up(struct rig *r, const char *const *simargs)
{
	char port[16];
	const char *sim = t_bin("mynacard-sim");
	char *pa[16];
	int n = 0;

	memset(r, 0, sizeof(r[0]));
	REQUIRE((r->port = rig_pair_port()) > 0);
	snprintf(port, sizeof(port), "%d", r->port);
	snprintf(r->dir, sizeof(r->dir), "%s/pcscd", t_tmpdir());
	snprintf(r->sock, sizeof(r->sock), "%s/pcscd.comm", r->dir);
	snprintf(r->simlog, sizeof(r->simlog), "%s/sim.log", t_tmpdir());
	setenv("PCSCLITE_CSOCK_NAME", r->sock, 1);
	{
		char *const argv[] = { (char *)sim, "--die-with-parent", "--pcscd", r->dir,
		    "--port", port, NULL };
		r->pcscd = t_start(argv, NULL, t_path("pcscd.log"));
	}
	REQUIRE(r->pcscd > 0);
	if (!t_wait_for(rig_reader_up, NULL, 10000)) {
		char *log = t_read_file(t_path("pcscd.log"), NULL);
		t_fail_at(__FILE__, __LINE__, "pcscd did not come up: %s", log ? log : "");
		free(log);
		t_stop();
	}
	if (simargs == NULL)
		return;
	pa[n++] = (char *)sim;
	pa[n++] = "--die-with-parent";
	pa[n++] = "--verbose";
	pa[n++] = "--port";
	pa[n++] = port;
	for (const char *const *a = simargs; *a != NULL && n < 15; a++)
		pa[n++] = (char *)*a;
	pa[n] = NULL;
	r->sim = t_start(pa, NULL, r->simlog);
	REQUIRE(r->sim > 0);
	REQUIRE_RIG(r, t_wait_for(rig_card_in, NULL, 10000));
}

static void
rig_down(struct rig *r)
{
	if (r->sim > 0)
		t_stop_proc(r->sim, SIGTERM, 3000);
	if (r->pcscd > 0)
		t_stop_proc(r->pcscd, SIGTERM, 3000);
	r->sim = r->pcscd = 0;
}

/* The simulator's test issuer CA, as a terminal with it installed holds
 * it (issue 11: [card] trust_anchors). */
static const struct card_anchors *
test_anchors(void)
{
	static struct card_anchors a;
	static int loaded;
	char line[2200], dir[700];
	struct err e;

	if (!loaded) {
		snprintf(dir, sizeof(dir), "%s/data/cards/keys", t_srcdir());
		REQUIRE_OK(sim_trust_anchor(dir, line, sizeof(line), &e), &e);
		REQUIRE_OK(card_anchors_parse(line, strlen(line), "test", &a, &e), &e);
		loaded = 1;
	}
	return &a;
}

/* Write the anchor file and a madoguchi.conf naming it; returns the
 * config path. */
static const char *
anchor_conf(void)
{
	static char conf[700];
	char anchors[700], line[2200], text[1000];
	struct err e;

	snprintf(anchors, sizeof(anchors), "%s/anchors.txt", t_tmpdir());
	snprintf(line, sizeof(line), "%s/data/cards/keys", t_srcdir());
	{
		char l2[2200];
		REQUIRE_OK(sim_trust_anchor(line, l2, sizeof(l2), &e), &e);
		snprintf(line, sizeof(line), "# test CA\n%s\n", l2);
	}
	REQUIRE(t_write_file(anchors, line, strlen(line)) == 0);
	snprintf(conf, sizeof(conf), "%s/anchors.conf", t_tmpdir());
	snprintf(text, sizeof(text), "[card]\ntrust_anchors = %s\n", anchors);
	REQUIRE(t_write_file(conf, text, strlen(text)) == 0);
	return conf;
}

/* Open the card, read 入力補助AP with a PIN or 照合番号B. */
static int
read_kenhojo(const char *secret, int method, int confirm, struct card_read_req *req,
    struct card_result **res, struct err *e)
{
	struct card *c;
	char *s = card_secret_new();
	int r;

	REQUIRE(s != NULL);
	strcpy(s, secret);
	memset(req, 0, sizeof(*req));
	req->method = method;
	req->secret = s;
	req->confirm_last_try = confirm;
	req->anchors = test_anchors();
	if ((r = card_open(NULL, &c, e)) == 0) {
		r = card_read_kenhojo(c, req, res, e);
		card_close(c);
	}
	card_secret_free(s);
	return r;
}

static int
tries(enum card_pin which)
{
	struct card *c;
	struct err e;
	int t;

	if (card_open(NULL, &c, &e) != 0)
		return -100;
	t = card_pin_tries(c, which, &e);
	card_close(c);
	return t;
}

TEST(card_read_with_pin)		/* ID-1, ID-4, ID-5 */
{
	const char *args[] = { profile("test-yamada-taro"), NULL };
	struct card_read_req req;
	struct card_result *res = NULL;
	struct rig r;
	struct err e;

	rig_up(&r, args);
	REQUIRE_OK(read_kenhojo("1234", CARD_UNLOCK_PIN, 0, &req, &res, &e), &e);
	{
		struct card *c;
		REQUIRE_OK(card_open(NULL, &c, &e), &e);
		CHECK_INT(card_protocol(c), 1);
		card_close(c);
	}
	CHECK_INT(res->ap, CARD_AP_KENHOJO);
	CHECK_INT(res->unlock, CARD_UNLOCK_PIN);
	CHECK_STR(res->name, "山田 太郎");
	CHECK_STR(res->address, "窓口市北区本町一丁目2番3号");
	CHECK_INT(res->birth.y, 1985);
	CHECK_INT(res->birth.m, 4);
	CHECK_INT(res->birth.d, 12);
	CHECK_INT(res->sex, 1);
	CHECK_STR(res->mynumber, "314159265352");
	CHECK(res->mynumber_check_ok);
	CHECK_INT(res->digest_mynumber, CARD_DIGEST_OK);
	CHECK_INT(res->digest_basic4, CARD_DIGEST_OK);
	CHECK(res->signature_len > 0);
	CHECK_INT(res->tries_left, 3);
	CHECK_INT(req.tries_before, 3);
	/* Issue 11: a genuine card — data verified, chip genuine. */
	CHECK_INT(res->auth, CARD_AUTH_VERIFIED);
	CHECK_INT(res->auth_fail, CARD_FAIL_NONE);
	CHECK_INT(res->chip, CARD_CHIP_GENUINE);
	CHECK(res->issuer_key_id[0] == '3' && res->issuer_key_id[1] == '6');	/* '6': test */
	card_result_free(res);
	rig_down(&r);
}

/* 照合番号B typed as printed in 和暦 opens EF 0002 (not EF 0001) without
 * spending a try; the 確認AP gives the face images (issue 11, ID-1, ID-5). */
TEST(card_read_with_b_number_and_kenmen_images)
{
	const char *args[] = { profile("test-suzuki-hanako"), NULL };
	struct card_read_req req;
	struct card_result *res = NULL;
	struct card *c;
	struct rig r;
	struct err e;
	char *s;

	rig_up(&r, args);
	s = card_secret_new();
	/* 1992-07-30 is 平成4年: the era year, not 92. */
	REQUIRE_OK(card_b_from_printed("H4.7.30", "2032", "2468", s, &e), &e);
	CHECK_STR(s, "04073020322468");
	REQUIRE_OK(read_kenhojo(s, CARD_UNLOCK_B, 0, &req, &res, &e), &e);
	CHECK_INT(res->unlock, CARD_UNLOCK_B);
	CHECK_STR(res->name, "鈴木 花子");
	CHECK_INT(res->sex, 2);
	CHECK(res->mynumber == NULL);			/* B never opens EF 0001 */
	CHECK_INT(res->digest_mynumber, CARD_DIGEST_UNCHECKED);
	CHECK_INT(res->digest_basic4, CARD_DIGEST_OK);
	CHECK_INT(res->auth, CARD_AUTH_VERIFIED);
	CHECK_INT(res->chip, CARD_CHIP_GENUINE);
	CHECK_INT(res->tries_left, 10);
	card_result_free(res);
	res = NULL;
	CHECK_INT(tries(CARD_PIN_KENHOJO_B), 10);	/* no try spent */

	/* 券面事項確認AP: images for the identity screen, signed (DF28). */
	REQUIRE_OK(card_open(NULL, &c, &e), &e);
	memset(&req, 0, sizeof(req));
	req.method = CARD_UNLOCK_B;
	req.secret = s;
	req.anchors = test_anchors();
	REQUIRE_OK(card_read_kenmen(c, &req, &res, &e), &e);
	CHECK_INT(res->ap, CARD_AP_KENMEN);
	CHECK_INT(res->birth.y, 1992);
	CHECK_INT(res->expiry.y, 2032);
	CHECK_STR(res->face.expiry, "2032-07-30");
	CHECK(res->face.photo_len > 12);
	REQUIRE(res->face.photo_jp2 != NULL);
	CHECK(res->face.photo_jp2[4] == 0x6A && res->face.photo_jp2[5] == 0x50);	/* JP2 */
	CHECK(res->face.name_len > 8 && res->face.addr_len > 8);
	CHECK(memcmp(res->face.name_png, "\x89PNG", 4) == 0);
	CHECK(res->mynumber == NULL);
	CHECK_INT(res->auth, CARD_AUTH_VERIFIED);
	CHECK_INT(res->chip, CARD_CHIP_GENUINE);
	card_result_free(res);
	/* 確認AP refuses the 4-digit PIN path. */
	req.method = CARD_UNLOCK_PIN;
	CHECK_INT(card_read_kenmen(c, &req, &res, &e), ERR_INVAL);
	card_close(c);
	/* The Gregorian year where the card wants the era year is wrong and
	 * costs a try: what the screen must keep clerks from typing. */
	REQUIRE_OK(card_b_build("920730", "2032", "2468", s, &e), &e);
	CHECK_INT(read_kenhojo(s, CARD_UNLOCK_B, 0, &req, &res, &e), ERR_AUTH);
	CHECK_INT(tries(CARD_PIN_KENHOJO_B), 9);
	card_secret_free(s);
	rig_down(&r);
}

/* A card printed in 西暦 (a foreign resident's) takes a 西暦 entry. */
TEST(card_seireki_printed_card_opens_with_seireki_entry)
{
	static const char prof[] =
	    "name = SMITH JOHN\n"
	    "address = 窓口市北区本町一丁目2番3号\n"
	    "birth = 19900512\n"
	    "sex = 1\n"
	    "mynumber = 314159265352\n"
	    "pin = 1234\n"
	    "expiry = 20300512\n"
	    "security_code = 4321\n"
	    "birth_seireki = 1\n";
	struct card_read_req req;
	struct card_result *res = NULL;
	const char *args[2];
	char path[700], *s;
	struct rig r;
	struct err e;

	snprintf(path, sizeof(path), "%s/seireki.card", t_tmpdir());
	REQUIRE(t_write_file(path, prof, strlen(prof)) == 0);
	args[0] = path;
	args[1] = NULL;
	rig_up(&r, args);
	s = card_secret_new();
	REQUIRE_OK(card_b_from_line("1990-05-12 2030 4321", s, &e), &e);
	CHECK_STR(s, "90051220304321");
	REQUIRE_OK(read_kenhojo(s, CARD_UNLOCK_B, 0, &req, &res, &e), &e);
	CHECK_STR(res->name, "SMITH JOHN");
	CHECK_INT(res->auth, CARD_AUTH_VERIFIED);
	card_result_free(res);
	CHECK_INT(tries(CARD_PIN_KENHOJO_B), 10);
	card_secret_free(s);
	rig_down(&r);
}

/* Authenticity verdicts through pcscd + vpcd + the simulator (issue 11). */
static void
verdict(const char *const *simargs, enum card_auth want, enum card_auth_fail why,
    enum card_chip chip)
{
	struct card_read_req req;
	struct card_result *res = NULL;
	struct rig r;
	struct err e;

	rig_up(&r, simargs);
	REQUIRE_OK(read_kenhojo("1234", CARD_UNLOCK_PIN, 0, &req, &res, &e), &e);
	CHECK_INT(res->auth, want);
	CHECK_INT(res->auth_fail, why);
	CHECK_INT(res->chip, chip);
	card_result_free(res);
	rig_down(&r);
}

TEST(card_forged_data_fails_signature)
{
	const char *args[] = { "--forged", profile("test-yamada-taro"), NULL };

	verdict(args, CARD_AUTH_FAILED, CARD_FAIL_SIGNATURE, CARD_CHIP_NOT_CHECKED);
}

TEST(card_bad_digest_fails_digest)
{
	const char *args[] = { profile("fault-bad-digest"), NULL };

	verdict(args, CARD_AUTH_FAILED, CARD_FAIL_DIGEST, CARD_CHIP_NOT_CHECKED);
}

TEST(card_clone_fails_the_chip_challenge)
{
	const char *args[] = { "--clone", profile("test-yamada-taro"), NULL };

	/* The copied files verify; only the chip can tell. */
	verdict(args, CARD_AUTH_VERIFIED, CARD_FAIL_NONE, CARD_CHIP_FAILED);
}

TEST(card_unknown_issuer_is_unverifiable_not_forged)
{
	const char *args[] = { "--unknown-issuer", profile("test-yamada-taro"), NULL };
	struct card_read_req req;
	struct card_result *res = NULL;
	struct rig r;
	struct err e;

	verdict(args, CARD_AUTH_UNVERIFIABLE, CARD_FAIL_NONE, CARD_CHIP_NOT_CHECKED);
	/* No anchor installed at all: a genuine card is unverifiable too, with
	 * the issuer's key ID to ask J-LIS for. */
	{
		const char *g[] = { profile("test-yamada-taro"), NULL };
		struct card *c;
		char *s = card_secret_new();

		rig_up(&r, g);
		strcpy(s, "1234");
		memset(&req, 0, sizeof(req));
		req.method = CARD_UNLOCK_PIN;
		req.secret = s;
		REQUIRE_OK(card_open(NULL, &c, &e), &e);
		REQUIRE_OK(card_read_kenhojo(c, &req, &res, &e), &e);
		CHECK_INT(res->auth, CARD_AUTH_UNVERIFIABLE);
		CHECK_INT(res->chip, CARD_CHIP_NOT_CHECKED);
		CHECK_STR(res->issuer_key_id, "36303030303333000130303100000001");
		card_result_free(res);
		card_close(c);
		card_secret_free(s);
		rig_down(&r);
	}
}

TEST(card_wrong_pin_decrements_and_reports_tries)
{
	const char *args[] = { profile("test-yamada-taro"), NULL };
	struct card_read_req req;
	struct card_result *res = NULL;
	struct rig r;
	struct err e;

	rig_up(&r, args);
	CHECK_INT(read_kenhojo("9999", CARD_UNLOCK_PIN, 0, &req, &res, &e), ERR_AUTH);
	CHECK(res == NULL);
	CHECK_INT(req.tries_before, 3);
	CHECK_INT(req.tries_after, 2);
	CHECK(strstr(err_ja(&e), "残りは2回") != NULL);
	CHECK(strstr(e.msg, "9999") == NULL);			/* LOG-5 */
	CHECK_INT(tries(CARD_PIN_KENHOJO), 2);
	/* A success resets the counter. */
	REQUIRE_OK(read_kenhojo("1234", CARD_UNLOCK_PIN, 0, &req, &res, &e), &e);
	CHECK_INT(req.tries_before, 2);
	card_result_free(res);
	CHECK_INT(tries(CARD_PIN_KENHOJO), 3);
	/* A malformed PIN never reaches the card. */
	CHECK_INT(read_kenhojo("12", CARD_UNLOCK_PIN, 0, &req, &res, &e), ERR_INVAL);
	CHECK_INT(tries(CARD_PIN_KENHOJO), 3);
	rig_down(&r);
}

TEST(card_last_try_needs_confirmation)
{
	const char *args[] = { profile("fault-last-try"), NULL };
	struct card_read_req req;
	struct card_result *res = NULL;
	struct rig r;
	struct err e;

	rig_up(&r, args);
	CHECK_INT(tries(CARD_PIN_KENHOJO), 1);
	/* Even the right PIN is not sent without the clerk's confirmation. */
	CHECK_INT(read_kenhojo("1234", CARD_UNLOCK_PIN, 0, &req, &res, &e), ERR_STATE);
	CHECK(res == NULL);
	CHECK_INT(req.tries_before, 1);
	CHECK(strstr(err_ja(&e), "1回") != NULL);
	CHECK_INT(tries(CARD_PIN_KENHOJO), 1);			/* untouched */
	REQUIRE_OK(read_kenhojo("1234", CARD_UNLOCK_PIN, 1, &req, &res, &e), &e);
	card_result_free(res);
	CHECK_INT(tries(CARD_PIN_KENHOJO), 3);
	rig_down(&r);
}

TEST(card_blocked_is_explained)
{
	const char *args[] = { profile("fault-blocked"), NULL };
	struct card_read_req req;
	struct card_result *res = NULL;
	struct rig r;
	struct err e;

	rig_up(&r, args);
	CHECK_INT(tries(CARD_PIN_KENHOJO), 0);
	CHECK_INT(read_kenhojo("1234", CARD_UNLOCK_PIN, 1, &req, &res, &e), ERR_LOCKED);
	CHECK(res == NULL);
	CHECK_INT(req.tries_before, 0);
	CHECK(strstr(err_ja(&e), "ロック") != NULL);
	CHECK(strstr(err_ja(&e), "市区町村窓口") != NULL);
	/* 照合番号B has its own counter and still works: the 基本4情報, not the
	 * 個人番号 (1980-01-01 is 昭和55年). */
	REQUIRE_OK(read_kenhojo("55010120301234", CARD_UNLOCK_B, 0, &req, &res, &e), &e);
	CHECK_STR(res->name, "試験 太郎");
	CHECK(res->mynumber == NULL);
	card_result_free(res);
	rig_down(&r);
}

TEST(card_removed_mid_read_gives_no_result)
{
	const char *args[] = { profile("fault-removed"), NULL };
	struct card_read_req req;
	struct card_result *res = NULL;
	struct rig r;
	struct err e;
	int rc;

	rig_up(&r, args);
	rc = read_kenhojo("1234", CARD_UNLOCK_PIN, 0, &req, &res, &e);
	CHECK(rc == ERR_CARD || rc == ERR_SHORT || rc == ERR_TIMEOUT);
	CHECK(res == NULL);
	CHECK(err_ja(&e)[0] != '\0');
	CHECK(t_wait_for(card_out, NULL, 5000));
	rig_down(&r);
}

static void
expect_read_error(const char *prof, int want1, int want2)
{
	const char *args[] = { profile(prof), NULL };
	struct card_read_req req;
	struct card_result *res = NULL;
	struct rig r;
	struct err e;
	int rc;

	rig_up(&r, args);
	rc = read_kenhojo("1234", CARD_UNLOCK_PIN, 0, &req, &res, &e);
	if (rc != want1 && rc != want2)
		t_fail_at(__FILE__, __LINE__, "%s: rc %d (%s)", prof, rc, e.msg);
	CHECK(res == NULL);
	card_result_free(res);
	CHECK(err_ja(&e)[0] != '\0');
	rig_down(&r);
}

TEST(card_truncated_answers_are_errors)
{
	expect_read_error("fault-truncated", ERR_SHORT, ERR_FORMAT);
}

TEST(card_answers_without_status_word_are_errors)
{
	expect_read_error("fault-garbled", ERR_SHORT, ERR_SHORT);
}

TEST(card_malformed_tlv_is_an_error)
{
	expect_read_error("fault-malformed", ERR_SHORT, ERR_FORMAT);
}

TEST(card_bad_digest_is_reported)
{
	const char *args[] = { profile("fault-bad-digest"), NULL };
	struct card_read_req req;
	struct card_result *res = NULL;
	struct rig r;
	struct err e;

	rig_up(&r, args);
	/* A warning for the clerk, not a refusal. */
	REQUIRE_OK(read_kenhojo("1234", CARD_UNLOCK_PIN, 0, &req, &res, &e), &e);
	CHECK_INT(res->digest_mynumber, CARD_DIGEST_OK);
	CHECK_INT(res->digest_basic4, CARD_DIGEST_MISMATCH);
	CHECK_INT(res->auth, CARD_AUTH_FAILED);
	card_result_free(res);
	rig_down(&r);
}

static unsigned long
read_count_apdus(const char *pin)
{
	struct card_read_req req;
	struct card_result *res = NULL;
	struct card_stats st;
	struct card *c;
	char *s = card_secret_new();
	struct err e;

	strcpy(s, pin);
	memset(&req, 0, sizeof(req));
	req.method = CARD_UNLOCK_PIN;
	req.secret = s;
	req.anchors = test_anchors();
	REQUIRE_OK(card_open(NULL, &c, &e), &e);
	REQUIRE_OK(card_read_kenhojo(c, &req, &res, &e), &e);
	card_stats_get(c, &st);
	CHECK_INT(res->chip, CARD_CHIP_GENUINE);
	CHECK_STR(res->name, "試験 太郎");
	card_result_free(res);
	card_close(c);
	card_secret_free(s);
	return st.apdus;
}

TEST(card_slow_card_and_short_apdus)
{
	const char *slow[] = { profile("fault-slow"), NULL };
	const char *shrt[] = { "--no-extended", "--slow", "0", profile("fault-slow"), NULL };
	unsigned long ext_n, short_n;
	struct rig r;

	rig_up(&r, slow);
	ext_n = read_count_apdus("1234");
	rig_down(&r);
	rig_up(&r, shrt);
	short_n = read_count_apdus("1234");
	rig_down(&r);
	/* Extended length reads each EF in one APDU: the minimum for a fully
	 * authenticated read, 15 (4 to unlock, 5 EFs × SELECT + READ, the
	 * challenge). */
	CHECK_INT(ext_n, 15);
	CHECK(short_n > ext_n);
}

TEST(card_two_cards_in_sequence)
{
	const char *args[] = { profile("test-yamada-taro"), profile("test-suzuki-hanako"), NULL };
	struct card_read_req req;
	struct card_result *a = NULL, *b = NULL;
	struct rig r;
	struct err e;

	rig_up(&r, args);
	REQUIRE_OK(read_kenhojo("1234", CARD_UNLOCK_PIN, 0, &req, &a, &e), &e);
	kill(r.sim, SIGHUP);				/* swap the card */
	REQUIRE_RIG(&r, t_wait_for(card_out, NULL, 5000));
	REQUIRE_RIG(&r, t_wait_for(rig_card_in, NULL, 5000));
	REQUIRE_OK(read_kenhojo("4321", CARD_UNLOCK_PIN, 0, &req, &b, &e), &e);
	CHECK_STR(a->name, "山田 太郎");
	CHECK_STR(b->name, "鈴木 花子");
	CHECK(strcmp(a->mynumber, b->mynumber) != 0);
	card_result_free(a);
	card_result_free(b);
	rig_down(&r);
}

TEST(card_jpki_certificate_and_counters)
{
	const char *args[] = { profile("test-takahashi-ken"), NULL };
	struct card_jpki *j = NULL;
	struct card *c;
	struct rig r;
	struct err e;

	rig_up(&r, args);
	REQUIRE_OK(card_open(NULL, &c, &e), &e);
	REQUIRE_OK(card_read_jpki(c, &j, &e), &e);
	CHECK(j->auth_cert_len > 100);
	CHECK_INT(j->auth_cert[0], 0x30);
	CHECK_INT(j->auth_tries, 3);
	CHECK_INT(j->sign_tries, 5);
	CHECK_INT(card_pin_tries(c, CARD_PIN_KENHOJO_B, &e), 10);
	card_jpki_free(j);
	card_close(c);
	rig_down(&r);
}

static int
state_is(void *arg)
{
	struct card_watch *w = arg;
	struct card_event ev;

	card_watch_get(w, &ev);
	return ev.state == CARD_STATE_PRESENT;
}

static int
state_empty(void *arg)
{
	struct card_watch *w = arg;
	struct card_event ev;

	card_watch_get(w, &ev);
	return ev.state == CARD_STATE_EMPTY;
}

static void
count_cb(void *arg, const struct card_event *ev)
{
	int *n = arg;

	(void)ev;
	__atomic_add_fetch(n, 1, __ATOMIC_SEQ_CST);
}

TEST(card_watch_sees_insert_and_remove)
{
	const char *args[] = { profile("test-yamada-taro"), NULL };
	struct card_watch *w;
	struct card_event ev;
	struct pollfd pfd;
	struct rig r;
	struct err e;
	int calls = 0;
	char buf[64];

	rig_up(&r, args);
	REQUIRE_OK(card_watch_start(NULL, count_cb, &calls, &w, &e), &e);
	CHECK(t_wait_for(state_is, w, 5000));
	card_watch_get(w, &ev);
	CHECK(strstr(ev.reader, "Virtual PCD") != NULL);
	while (read(card_watch_fd(w), buf, sizeof(buf)) > 0)
		;
	kill(r.sim, SIGUSR1);				/* remove */
	CHECK(t_wait_for(state_empty, w, 5000));
	pfd.fd = card_watch_fd(w);
	pfd.events = POLLIN;
	CHECK_INT(poll(&pfd, 1, 0), 1);
	kill(r.sim, SIGUSR2);				/* insert */
	CHECK(t_wait_for(state_is, w, 5000));
	CHECK(__atomic_load_n(&calls, __ATOMIC_SEQ_CST) >= 3);
	card_watch_stop(w);
	/* With pcscd gone the watcher says so instead of blocking. */
	rig_down(&r);
	REQUIRE_OK(card_watch_start(NULL, NULL, NULL, &w, &e), &e);
	for (int i = 0; i < 100; i++) {
		card_watch_get(w, &ev);
		if (ev.state != CARD_STATE_UNKNOWN)
			break;
		usleep(20000);
	}
	CHECK_INT(ev.state, CARD_STATE_NO_SERVICE);
	card_watch_stop(w);
}

TEST(card_no_service_is_explained)
{
	struct card *c;
	struct err e;
	char sock[600];

	/* No pcscd at all (libpcsclite reads the socket name once per
	 * process, so this is a test of its own). */
	snprintf(sock, sizeof(sock), "%s/none.comm", t_tmpdir());
	setenv("PCSCLITE_CSOCK_NAME", sock, 1);
	CHECK_INT(card_open(NULL, &c, &e), ERR_CARD);
	CHECK(strstr(err_ja(&e), "pcscd") != NULL);
}

TEST(card_reader_without_card)
{
	struct card *c;
	struct rig r;
	struct err e;

	rig_up(&r, NULL);
	CHECK_INT(card_open(NULL, &c, &e), ERR_NOTFOUND);
	CHECK(strstr(err_ja(&e), "カード") != NULL);
	CHECK_INT(card_open("No Such Reader", &c, &e), ERR_NOTFOUND);
	rig_down(&r);
}

/* ------------------------------------------------ madoguchi card, leaks */

#define CLI_USER "sato-hanako"
#define CLI_PW "Hk4#mados-2580"

/* `card read` (not --jpki): run as an account of a store of this test. */
static int
cli_card_read(const char *const *args)
{
	int rd = 0;

	for (const char *const *a = args; *a != NULL; a++) {
		if (strcmp(*a, "--jpki") == 0)
			return 0;
		if (a != args && strcmp(a[-1], "card") == 0 && strcmp(*a, "read") == 0)
			rd = 1;
	}
	return rd;
}

static const char *
cli_store(void)
{
	static char dir[700];
	char keys[760];
	struct err e;

	snprintf(dir, sizeof(dir), "%s/cli-store", t_tmpdir());
	snprintf(keys, sizeof(keys), "%s/store.keys", dir);
	if (access(keys, F_OK) != 0) {
		err_clear(&e);
		REQUIRE_OK(store_create(dir, CLI_USER, CLI_PW, &e), &e);
	}
	return dir;
}

/* The audit rows of the test's store with action prefix (count). */
static int
cli_audit_count(const char *prefix)
{
	struct audit_row *v = NULL;
	struct store *st = NULL;
	struct err e;
	size_t n = 0;
	int k = 0;

	err_clear(&e);
	REQUIRE_OK(store_open(cli_store(), CLI_USER, CLI_PW, &st, &e), &e);
	REQUIRE_OK(store_audit_list(st, 0, 100000, &v, &n, &e), &e);
	for (size_t i = 0; i < n; i++)
		k += strncmp(v[i].action, prefix, strlen(prefix)) == 0 &&
		    strcmp(v[i].screen, "idcheck") == 0;
	free(v);
	store_close(st);
	return k;
}

static int
run_cli(const char *const *args, const char *input, struct t_proc *p, const char *tag)
{
	char *argv[24];
	char path[700];
	int n = 0, rc;

	argv[n++] = (char *)t_bin("madoguchi");
	for (const char *const *a = args; *a != NULL && n < 15; a++)
		argv[n++] = (char *)*a;
	argv[n] = NULL;
	if (cli_card_read(args)) {
		/* issue 16: a card read is an account's, with its audit row. */
		static char dir[700], in[512];
		snprintf(dir, sizeof(dir), "%s", cli_store());
		argv[n++] = "--store";
		argv[n++] = dir;
		argv[n++] = "--user";
		argv[n++] = CLI_USER;
		argv[n++] = "--password-stdin";
		argv[n] = NULL;
		snprintf(in, sizeof(in), "%s\n%s", CLI_PW, input ? input : "");
		input = in;
	}
	rc = t_run(argv, NULL, input, input ? strlen(input) : 0, 30000, p);
	REQUIRE(rc == 0);
	/* Keep what it printed, for the leak scan. */
	snprintf(path, sizeof(path), "%s/cli-%s.out", t_tmpdir(), tag);
	t_write_file(path, p->out, p->outlen);
	snprintf(path, sizeof(path), "%s/cli-%s.err", t_tmpdir(), tag);
	t_write_file(path, p->err, p->errlen);
	return p->status;
}

TEST(card_cli_status_and_read)		/* ID-1, SC-1 (masked), LOG-5 */
{
	const char *args[] = { profile("test-yamada-taro"), NULL };
	const char *status[] = { "card", "status", NULL };
	const char *rd[] = { "card", "read", "--pin-stdin", NULL };
	/* LOG-5: 照合番号B comes on standard input, never on the command line
	 * (which any local user can read in /proc/PID/cmdline). */
	const char *rb[] = { "card", "read", "--b-stdin", NULL };
	const char *rk[] = { "card", "read", "--kenmen", "--b-stdin", NULL };
	const char *argb[] = { "card", "read", "--b", "850412", "2034", "5678", NULL };
	const char *usage[] = { "card", "frobnicate", NULL };
	struct t_proc p;
	struct rig r;

	rig_up(&r, args);
	CHECK_INT(run_cli(status, NULL, &p, "status"), 0);
	CHECK(strstr(p.out, "Virtual PCD 00 00") != NULL);
	CHECK(strstr(p.out, "カード: あり") != NULL);
	CHECK(strstr(p.out, "券面事項入力補助用暗証番号: 残り3回") != NULL);
	CHECK(strstr(p.out, "署名用電子証明書の暗証番号: 残り5回") != NULL);
	t_proc_free(&p);

	/* issue 16: without an account, nothing is read (no PIN try used). */
	{
		char *argv[] = { (char *)t_bin("madoguchi"), "card", "read", "--pin-stdin", NULL };
		char *argv2[] = { (char *)t_bin("madoguchi"), "card", "read", "--pin-stdin",
		    "--store", (char *)t_path("no-store"), "--user", CLI_USER, "--password-stdin",
		    NULL };
		REQUIRE(t_run(argv, NULL, "1234\n", 5, 30000, &p) == 0);
		CHECK_INT(p.status, 2);
		CHECK(strstr(p.err, "--user") != NULL);
		CHECK(strstr(p.out, "山田") == NULL);
		t_proc_free(&p);
		REQUIRE(t_run(argv2, NULL, CLI_PW "\n1234\n", strlen(CLI_PW) + 6, 30000, &p) == 0);
		CHECK_INT(p.status, 1);
		CHECK(strstr(p.err, "the card was not read") != NULL);
		CHECK(strstr(p.out, "山田") == NULL);
		t_proc_free(&p);
		CHECK_INT(tries(CARD_PIN_KENHOJO), 3);
	}
	CHECK_INT(run_cli(rd, "1234\n", &p, "read"), 0);
	CHECK(strstr(p.out, "山田 太郎") != NULL);
	/* ... and with one, the read is an audit row (idcheck.*). */
	CHECK_INT(cli_audit_count("idcheck."), 1);
	CHECK(strstr(p.out, "**** **** 5352") != NULL);
	CHECK(strstr(p.out, "314159265352") == NULL);
	CHECK(strstr(p.out, "1985-04-12") != NULL);
	CHECK(strstr(p.out, "ハッシュ照合: 個人番号 一致、基本4情報 一致") != NULL);
	t_proc_free(&p);

	CHECK_INT(run_cli(rd, "0000\n", &p, "wrong"), 1);
	CHECK(strstr(p.err, "残りは2回") != NULL);
	t_proc_free(&p);
	CHECK_INT(run_cli(rd, "12345\n", &p, "long"), 1);	/* never sent */
	t_proc_free(&p);
	CHECK_INT(tries(CARD_PIN_KENHOJO), 2);

	CHECK_INT(run_cli(argb, NULL, &p, "argb"), 2);	/* refused, nothing read */
	CHECK(strstr(p.out, "山田") == NULL);
	t_proc_free(&p);
	/* 照合番号B as printed: 1985-04-12 is 昭和60年. */
	CHECK_INT(run_cli(rb, "S60.4.12 2034 5678\n", &p, "b"), 0);
	CHECK(strstr(p.out, "照合番号B") != NULL);
	CHECK(strstr(p.out, "**** **** 5352") == NULL);		/* B: no 個人番号 */
	CHECK(strstr(p.out, "照合番号Bでは読めません") != NULL);
	t_proc_free(&p);
	CHECK_INT(run_cli(rk, "昭和60年4月12日 2034-04-12 5678\n", &p, "kenmen"), 0);
	CHECK(strstr(p.out, "券面事項確認AP") != NULL);
	CHECK(strstr(p.out, "顔写真") != NULL);
	t_proc_free(&p);
	CHECK_INT(run_cli(rb, "S60.13.41 2034 5678\n", &p, "badb"), 1);
	CHECK(strstr(p.err, "生年月日") != NULL);
	t_proc_free(&p);
	CHECK_INT(run_cli(rb, "S60.4.12 2034\n", &p, "shortb"), 1);
	CHECK(strstr(p.err, "照合番号B") != NULL);
	CHECK(strstr(p.err, "S60.4.12") == NULL);
	t_proc_free(&p);
	CHECK_INT(run_cli(rb, "S60.4.12 2034 5678 0000000000000000000000\n", &p, "longb"), 1);
	CHECK(strstr(p.err, "照合番号B") != NULL);
	t_proc_free(&p);
	/* --json with the test CA installed (issue 11). */
	{
		const char *rj[] = { "--config", anchor_conf(), "card", "read", "--pin-stdin",
		    "--json", NULL };
		const char *rjb[] = { "--config", anchor_conf(), "card", "read", "--b-stdin",
		    "--json", NULL };
		CHECK_INT(run_cli(rj, "1234\n", &p, "json"), 0);
		CHECK(strstr(p.out, "\"name\":\"山田 太郎\"") != NULL);
		CHECK(strstr(p.out, "\"birth\":\"1985-04-12\"") != NULL);
		CHECK(strstr(p.out, "\"sex\":1") != NULL);
		CHECK(strstr(p.out, "\"mynumber_masked\":\"**** **** 5352\"") != NULL);
		CHECK(strstr(p.out, "\"method\":\"pin\"") != NULL);
		CHECK(strstr(p.out, "\"digests\":{\"mynumber\":\"match\",\"basic4\":\"match\"}") != NULL);
		CHECK(strstr(p.out, "\"authenticity\":\"verified\"") != NULL);
		CHECK(strstr(p.out, "\"authenticity_detail\":null") != NULL);
		CHECK(strstr(p.out, "\"issuer_key_id\":\"36303030303333000130303100000001\"") != NULL);
		CHECK(strstr(p.out, "\"chip\":\"genuine\"") != NULL);
		CHECK(strstr(p.out, "\"tries_left\":3") != NULL);
		CHECK(strstr(p.out, "314159265352") == NULL);
		t_proc_free(&p);
		CHECK_INT(run_cli(rjb, "S60.4.12 2034 5678\n", &p, "jsonb"), 0);
		CHECK(strstr(p.out, "\"mynumber_masked\":null") != NULL);
		CHECK(strstr(p.out, "\"method\":\"b\"") != NULL);
		CHECK(strstr(p.out, "\"digests\":{\"basic4\":\"match\"}") != NULL);
		CHECK(strstr(p.out, "\"tries_left\":10") != NULL);
		t_proc_free(&p);
	}
	CHECK_INT(run_cli(usage, NULL, &p, "usage"), 2);
	t_proc_free(&p);
	rig_down(&r);

	/* pcscd gone: a plain explanation of what to do. */
	CHECK_INT(run_cli(status, NULL, &p, "nopcscd"), 1);
	CHECK(strstr(p.err, "pcscd") != NULL);
	t_proc_free(&p);
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* Does any regular file under dir (skipping dir/in) contain needle as a
 * whole number (not part of a longer run of digits)?  Returns the path or
 * NULL. */
static const char *
scan_number(const char *dir, const char *needle)
{
	static char hit[1024];
	char cmd[1200];
	FILE *f;
	char path[1024];

	snprintf(cmd, sizeof(cmd), "find '%s' -type f ! -path '%s/in/*'", dir, dir);
	if ((f = popen(cmd, "r")) == NULL)
		return "popen failed";
	while (fgets(path, sizeof(path), f) != NULL) {
		size_t len, nl = strlen(needle);
		char *data;

		path[strcspn(path, "\n")] = '\0';
		if ((data = t_read_file(path, &len)) == NULL)
			continue;
		for (size_t i = 0; i + nl <= len; i++) {
			if (memcmp(data + i, needle, nl) != 0)
				continue;
			if ((i > 0 && is_digit((unsigned char)data[i - 1])) ||
			    (i + nl < len && is_digit((unsigned char)data[i + nl])))
				continue;
			snprintf(hit, sizeof(hit), "%s", path);
			free(data);
			pclose(f);
			return hit;
		}
		free(data);
	}
	pclose(f);
	return NULL;
}

/* Card text is shown, never obeyed: a control character in the name or
 * address reaches the terminal as a visible escape (issue 11). */
TEST(card_control_characters_are_shown_as_escapes)
{
	static const char prof[] =
	    "name = 試験\x1b[2J太郎\n"
	    "address = 窓口市\xc2\x9b" "31m北区\n"
	    "birth = 19800101\n"
	    "sex = 1\n"
	    "mynumber = 444444444440\n"
	    "pin = 1234\n"
	    "expiry = 20300101\n"
	    "security_code = 1234\n";
	const char *rd[] = { "card", "read", "--pin-stdin", NULL };
	const char *rj[] = { "card", "read", "--pin-stdin", "--json", NULL };
	const char *args[2];
	char path[700];
	struct t_proc p;
	struct rig r;

	snprintf(path, sizeof(path), "%s/ctl.card", t_tmpdir());
	REQUIRE(t_write_file(path, prof, strlen(prof)) == 0);
	args[0] = path;
	args[1] = NULL;
	rig_up(&r, args);
	CHECK_INT(run_cli(rd, "1234\n", &p, "ctl"), 0);
	CHECK(memchr(p.out, 0x1b, p.outlen) == NULL);
	CHECK(strstr(p.out, "\xc2\x9b") == NULL);
	CHECK(strstr(p.out, "試験\\x1b[2J太郎") != NULL);
	CHECK(strstr(p.out, "窓口市\\u009b31m北区") != NULL);
	t_proc_free(&p);
	CHECK_INT(run_cli(rj, "1234\n", &p, "ctljson"), 0);
	CHECK(memchr(p.out, 0x1b, p.outlen) == NULL);
	CHECK(strstr(p.out, "\xc2\x9b") == NULL);
	CHECK(strstr(p.out, "\"name\":\"試験\\\\x1b[2J太郎\"") != NULL);
	t_proc_free(&p);
	rig_down(&r);
}

TEST(card_nothing_written_holds_a_pin_or_full_number)	/* LOG-5 */
{
	static const char prof[] =
	    "name = 漏洩 検査\n"
	    "address = 窓口市北区検査町9番9号\n"
	    "birth = 19770623\n"
	    "sex = 2\n"
	    "mynumber = 555555555557\n"
	    "pin = 5927\n"
	    "expiry = 20310623\n"
	    "security_code = 8152\n"
	    "jpki = file:jpki.pem\n";
	const char *secrets[] = { "5927", "5928", "555555555557", "77062320318152",
	    "52062320318152",
	    "5555 5555 5557", NULL };
	const char *rd[] = { "card", "read", "--pin-stdin", NULL };
	const char *rb[] = { "card", "read", "--b-stdin", NULL };
	const char *rk[] = { "card", "read", "--kenmen", "--b-stdin", NULL };
	const char *st[] = { "card", "status", NULL };
	const char *args[2];
	struct card_read_req req;
	struct card_result *res = NULL;
	struct card_jpki *j = NULL;
	struct card *c;
	struct t_proc p;
	struct rig r;
	struct err e;
	char path[700];
	const char *hit;

	snprintf(path, sizeof(path), "%s/in", t_tmpdir());
	REQUIRE(mkdir(path, 0700) == 0);
	{
		/* Its JPKI test bundle beside it (profile key jpki). */
		char src[700], *pem;
		size_t pn;
		snprintf(src, sizeof(src), "%s/data/cards/jpki/test-yamada-taro.pem", t_srcdir());
		REQUIRE((pem = t_read_file(src, &pn)) != NULL);
		snprintf(path, sizeof(path), "%s/in/jpki.pem", t_tmpdir());
		REQUIRE(t_write_file(path, pem, pn) == 0);
		free(pem);
	}
	snprintf(path, sizeof(path), "%s/in/leak.card", t_tmpdir());
	REQUIRE(t_write_file(path, prof, strlen(prof)) == 0);
	args[0] = path;
	args[1] = NULL;
	/* The library's own log goes to a file we scan too. */
	log_open("test_card", t_path("lib.log"), LOG_DEBUG);
	rig_up(&r, args);

	/* Library: wrong PIN, right PIN, 照合番号B, 確認AP, JPKI. */
	CHECK_INT(read_kenhojo("5928", CARD_UNLOCK_PIN, 0, &req, &res, &e), ERR_AUTH);
	log_error("%s", e.msg);
	REQUIRE_OK(read_kenhojo("5927", CARD_UNLOCK_PIN, 0, &req, &res, &e), &e);
	CHECK_STR(res->mynumber, "555555555557");
	card_result_free(res);
	REQUIRE_OK(read_kenhojo("52062320318152", CARD_UNLOCK_B, 0, &req, &res, &e), &e);
	card_result_free(res);
	REQUIRE_OK(card_open(NULL, &c, &e), &e);
	REQUIRE_OK(card_read_jpki(c, &j, &e), &e);
	card_jpki_free(j);
	card_close(c);
	/* The command line, every path. */
	run_cli(rd, "5927\n", &p, "pin");
	CHECK(strstr(p.out, "**** **** 5557") != NULL);
	t_proc_free(&p);
	run_cli(rd, "5928\n", &p, "wrongpin");
	t_proc_free(&p);
	run_cli(rb, "S52.6.23 2031 8152\n", &p, "bnum");
	t_proc_free(&p);
	run_cli(rk, "S52.6.23 2031 8152\n", &p, "kenmen");
	t_proc_free(&p);
	run_cli(st, NULL, &p, "status");
	t_proc_free(&p);
	rig_down(&r);
	log_close();

	/* Sanity: the scan does find what is there. */
	REQUIRE(scan_number(t_tmpdir(), "5557") != NULL);
	for (const char **s = secrets; *s != NULL; s++)
		if ((hit = scan_number(t_tmpdir(), *s)) != NULL)
			t_fail_at(__FILE__, __LINE__, "secret #%d found in %s",
			    (int)(s - secrets), hit);
	/* And the raw VERIFY command bytes (00 20 00 80 04 + PIN) nowhere. */
	CHECK(t_dir_contains(t_tmpdir(), "\x00\x20\x00\x80\x04" "5927", 9) == NULL);
}

TEST(card_t0_card_reads_too)
{
	const char *args[] = { "--t0", profile("test-yamada-taro"), NULL };
	struct card_read_req req;
	struct card_result *res = NULL;
	struct rig r;
	struct err e;

	struct card *c;
	struct card_stats st;

	rig_up(&r, args);
	REQUIRE_OK(card_open(NULL, &c, &e), &e);
	CHECK_INT(card_protocol(c), 0);
	memset(&req, 0, sizeof(req));
	req.method = CARD_UNLOCK_PIN;
	req.secret = card_secret_new();
	strcpy((char *)req.secret, "1234");
	REQUIRE_OK(card_read_kenhojo(c, &req, &res, &e), &e);
	card_stats_get(c, &st);
	printf("T=0 read: %lu APDUs\n", st.apdus);
	CHECK_STR(res->name, "山田 太郎");
	CHECK_INT(res->digest_basic4, CARD_DIGEST_OK);
	card_result_free(res);
	card_secret_free((char *)req.secret);
	card_close(c);
	/* The default simulated card is T=1. */
	rig_down(&r);
}

TEST(card_extended_length_refused_falls_back_to_short)
{
	const char *args[] = { profile("fault-ext-refused"), NULL };
	unsigned long n;
	struct rig r;

	rig_up(&r, args);
	/* The first extended READ BINARY gets 6700; the reader goes on with
	 * short APDUs and the read still completes. */
	n = read_count_apdus("1234");
	CHECK(n > 10);
	rig_down(&r);
}

/* Issue 15 B, output: a card whose name holds terminal escape sequences
 * (set the title, clear the screen) and whose address holds a
 * right-to-left override reaches `madoguchi card read` as visible text,
 * never as the raw bytes; a 外字 (private use) is kept. */
TEST(card_cli_read_shows_control_characters_as_escapes)
{
	static const char prof[] =
	    "name = 山田\x1b]0;pwned\x07\x1b[2J太郎\xee\x80\x80\n"
	    "address = 窓口市\xe2\x80\xae" "3-2-1\xc2\x9b" "北区\n"
	    "birth = 19850412\n"
	    "sex = 1\n"
	    "mynumber = 314159265352\n"
	    "pin = 1234\n"
	    "expiry = 20340412\n"
	    "security_code = 5678\n";
	const char *rd[] = { "card", "read", "--pin-stdin", NULL };
	const char *args[2];
	struct t_proc p;
	struct rig r;
	char path[700];

	snprintf(path, sizeof(path), "%s/esc.card", t_tmpdir());
	REQUIRE(t_write_file(path, prof, strlen(prof)) == 0);
	args[0] = path;
	args[1] = NULL;
	rig_up(&r, args);
	CHECK_INT(run_cli(rd, "1234\n", &p, "esc"), 0);
	CHECK(memchr(p.out, 0x1b, p.outlen) == NULL);
	CHECK(memchr(p.out, 0x07, p.outlen) == NULL);
	CHECK(strstr(p.out, "\xe2\x80\xae") == NULL);
	CHECK(strstr(p.out, "\xc2\x9b") == NULL);
	if (strstr(p.out, "氏名: 山田\\x1b]0;pwned\\x07\\x1b[2J太郎\xee\x80\x80") == NULL)
		t_fail_at(__FILE__, __LINE__, "card read: %s", p.out);
	CHECK(strstr(p.out, "住所: 窓口市\\u202e3-2-1\\u009b北区") != NULL);
	t_proc_free(&p);
	rig_down(&r);
}
