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
	card_result_free(res);
	rig_down(&r);
}

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
	REQUIRE_OK(card_b_build("920730", "2032", "2468", s, &e), &e);
	REQUIRE_OK(read_kenhojo(s, CARD_UNLOCK_B, 0, &req, &res, &e), &e);
	CHECK_INT(res->unlock, CARD_UNLOCK_B);
	CHECK_STR(res->name, "鈴木 花子");
	CHECK_INT(res->sex, 2);
	CHECK_STR(res->mynumber, "271828182840");
	CHECK_INT(res->tries_left, 10);
	card_result_free(res);
	res = NULL;

	/* 券面事項確認AP: images for the identity screen. */
	REQUIRE_OK(card_open(NULL, &c, &e), &e);
	memset(&req, 0, sizeof(req));
	req.method = CARD_UNLOCK_B;
	req.secret = s;
	REQUIRE_OK(card_read_kenmen(c, &req, &res, &e), &e);
	CHECK_INT(res->ap, CARD_AP_KENMEN);
	CHECK_INT(res->birth.y, 1992);
	CHECK_INT(res->expiry.y, 2032);
	CHECK(res->photo_len > 1000);
	CHECK(res->photo != NULL && res->photo[4] == 0x6A && res->photo[5] == 0x50);	/* JP2 */
	CHECK(res->name_image_len > 0 && res->address_image_len > 0);
	CHECK(res->mynumber == NULL);
	card_result_free(res);
	/* 確認AP refuses the 4-digit PIN path. */
	req.method = CARD_UNLOCK_PIN;
	CHECK_INT(card_read_kenmen(c, &req, &res, &e), ERR_INVAL);
	card_close(c);
	card_secret_free(s);
	rig_down(&r);
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
	/* 照合番号B has its own counter and still works. */
	REQUIRE_OK(read_kenhojo("80010120301234", CARD_UNLOCK_B, 0, &req, &res, &e), &e);
	CHECK_STR(res->name, "試験 太郎");
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
	REQUIRE_OK(card_open(NULL, &c, &e), &e);
	REQUIRE_OK(card_read_kenhojo(c, &req, &res, &e), &e);
	card_stats_get(c, &st);
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
	/* Extended length reads each EF in one APDU: the minimum, 10. */
	CHECK_INT(ext_n, 10);
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

static int
run_cli(const char *const *args, const char *input, struct t_proc *p, const char *tag)
{
	char *argv[16];
	char path[700];
	int n = 0, rc;

	argv[n++] = (char *)t_bin("madoguchi");
	for (const char *const *a = args; *a != NULL && n < 15; a++)
		argv[n++] = (char *)*a;
	argv[n] = NULL;
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

	CHECK_INT(run_cli(rd, "1234\n", &p, "read"), 0);
	CHECK(strstr(p.out, "山田 太郎") != NULL);
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
	CHECK_INT(run_cli(rb, "850412 2034 5678\n", &p, "b"), 0);
	CHECK(strstr(p.out, "照合番号B") != NULL);
	CHECK(strstr(p.out, "**** **** 5352") != NULL);
	t_proc_free(&p);
	CHECK_INT(run_cli(rk, "85041220345678\n", &p, "kenmen"), 0);
	CHECK(strstr(p.out, "券面事項確認AP") != NULL);
	CHECK(strstr(p.out, "顔写真") != NULL);
	t_proc_free(&p);
	CHECK_INT(run_cli(rb, "851341 2034 5678\n", &p, "badb"), 1);
	CHECK(strstr(p.err, "生年月日") != NULL);
	t_proc_free(&p);
	CHECK_INT(run_cli(rb, "850412 2034\n", &p, "shortb"), 1);
	CHECK(strstr(p.err, "照合番号B") != NULL);
	CHECK(strstr(p.err, "850412") == NULL);
	t_proc_free(&p);
	CHECK_INT(run_cli(rb, "850412 2034 5678 0000000000000000000000\n", &p, "longb"), 1);
	CHECK(strstr(p.err, "生年月日") != NULL);
	t_proc_free(&p);
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
	REQUIRE_OK(read_kenhojo("77062320318152", CARD_UNLOCK_B, 0, &req, &res, &e), &e);
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
	run_cli(rb, "770623 2031 8152\n", &p, "bnum");
	t_proc_free(&p);
	run_cli(rk, "770623 2031 8152\n", &p, "kenmen");
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
