/*
 * test_card_jpki.c — the JPKI AP through the real PC/SC stack (private
 * pcscd + vpcd + mynacard-sim): X.509 certificates of the simulator's test
 * PKI (data/cards/jpki, TEST ONLY), the offline chain check against
 * `[card] jpki_roots`, the card's signature after the 利用者証明用 PIN, the
 * authenticity route 「電子証明書で真正性を確認」 (issue 11; SPEC 5;
 * REQUIREMENTS ID-3, ID-5) and the pieces issue 14's card second factor uses
 * (AC-5).  OpenSC, an outside client, reads and signs with the same card.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

static const char *
jpki_file(const char *name)
{
	static char b[4][1024];
	static int i;
	char *p = b[i++ % 4];

	snprintf(p, 1024, "%s/data/cards/jpki/%s", t_srcdir(), name);
	return p;
}

static void
rig_dump(struct rig *r)
{
	char *a = t_read_file(r->simlog, NULL), *b = t_read_file(t_path("pcscd.log"), NULL);

	printf("--- sim.log\n%s--- pcscd.log\n%s---\n", a ? a : "", b ? b : "");
	free(a);
	free(b);
}

/* pcscd and the simulator with one profile. */
static void
rig_up(struct rig *r, const char *prof)
{
	char port[16];
	const char *sim = t_bin("mynacard-sim");

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
	REQUIRE(t_wait_for(rig_reader_up, NULL, 10000));
	{
		char *const argv[] = { (char *)sim, "--die-with-parent", "--verbose",
		    "--port", port, (char *)prof, NULL };
		r->sim = t_start(argv, NULL, r->simlog);
	}
	REQUIRE(r->sim > 0);
	if (!t_wait_for(rig_card_in, NULL, 10000)) {
		rig_dump(r);
		t_fail_at(__FILE__, __LINE__, "card did not come up");
		t_stop();
	}
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

static struct card_jpki_roots *
roots(const char *name)
{
	struct card_jpki_roots *ro = NULL;
	struct err e;

	REQUIRE_OK(card_jpki_roots_load(jpki_file(name), &ro, &e), &e);
	return ro;
}

/* The authenticity route with a PIN. */
static int
authenticate(const char *pin, int confirm, const struct card_jpki_roots *ro,
    const struct card_result *b4, struct card_read_req *req,
    struct card_jpki_auth **out, struct err *e)
{
	struct card *c;
	char *s = card_secret_new();
	int r;

	REQUIRE(s != NULL);
	strcpy(s, pin);
	memset(req, 0, sizeof(*req));
	req->method = CARD_UNLOCK_PIN;
	req->secret = s;
	req->confirm_last_try = confirm;
	if ((r = card_open(NULL, &c, e)) == 0) {
		r = card_jpki_authenticate(c, req, ro, b4, out, e);
		card_close(c);
	}
	card_secret_free(s);
	return r;
}

static int
auth_tries(void)
{
	struct card *c;
	struct err e;
	int t;

	if (card_open(NULL, &c, &e) != 0)
		return -100;
	t = card_pin_tries(c, CARD_PIN_JPKI_AUTH, &e);
	card_close(c);
	return t;
}

/* The certificate in EF 000A is X.509 from the test CA, chains to the test
 * root offline, and its expiry is what the clerk is shown. */
TEST(jpki_certificate_is_x509_and_chains)	/* issue 11; ID-5 */
{
	struct card_jpki_roots *ro = roots("ca-auth.pem"), *impostor = roots("impostor-auth.pem");
	struct card_jpki *j = NULL;
	struct card_jpki_cert ci;
	struct card *c;
	struct rig r;
	struct err e;
	time_t now = time(NULL);

	rig_up(&r, profile("test-yamada-taro"));
	REQUIRE_OK(card_open(NULL, &c, &e), &e);
	REQUIRE_OK(card_read_jpki(c, &j, &e), &e);
	card_close(c);
	CHECK_INT(j->auth_tries, 3);
	CHECK_INT(j->sign_tries, 5);
	REQUIRE_OK(card_jpki_cert_parse(j->auth_cert, j->auth_cert_len, &ci, &e), &e);
	/* 5th birthday after issue (2025-04-01), 14:59:59Z = 23:59:59 JST. */
	CHECK_INT(ci.not_after.y, 2030);
	CHECK_INT(ci.not_after.m, 4);
	CHECK_INT(ci.not_after.d, 12);
	CHECK_INT(ci.not_before.y, 2025);
	/* A 利用者証明用 certificate carries no 基本4情報 (as on real cards). */
	CHECK(!ci.has_basic4);
	CHECK(strlen(ci.subject_cn) > 0);
	CHECK_INT(card_jpki_chain_check(ro, j->auth_cert, j->auth_cert_len, now),
	    CARD_JPKI_CHAIN_OK);
	CHECK_INT(card_jpki_chain_check(NULL, j->auth_cert, j->auth_cert_len, now),
	    CARD_JPKI_CHAIN_NO_ROOTS);
	/* Same DN, other key: the name alone never makes a root the issuer. */
	CHECK_INT(card_jpki_chain_check(impostor, j->auth_cert, j->auth_cert_len, now),
	    CARD_JPKI_CHAIN_BAD_SIGNATURE);
	/* A root of another name is no issuer at all: unverifiable. */
	{
		struct card_jpki_roots *sign = roots("ca-sign.pem");
		CHECK_INT(card_jpki_chain_check(sign, j->auth_cert, j->auth_cert_len, now),
		    CARD_JPKI_CHAIN_UNKNOWN_ISSUER);
		card_jpki_roots_free(sign);
	}
	/* Judged at a time after its end: expired. */
	CHECK_INT(card_jpki_chain_check(ro, j->auth_cert, j->auth_cert_len,
	    (time_t)1956528000 /* 2032-01-01 */), CARD_JPKI_CHAIN_EXPIRED);
	card_jpki_free(j);
	card_jpki_roots_free(ro);
	card_jpki_roots_free(impostor);
	rig_down(&r);
}

/* Roots file with several generations of one DN: chosen by signature. */
TEST(jpki_roots_choose_by_signature)
{
	char pem[700];
	char *a = t_read_file(jpki_file("impostor-auth.pem"), NULL);
	char *b = t_read_file(jpki_file("ca-auth.pem"), NULL);
	char *both;
	struct card_jpki_roots *ro = NULL;
	struct card_jpki_auth *au = NULL;
	struct card_read_req req;
	struct rig r;
	struct err e;

	snprintf(pem, sizeof(pem), "%s", t_path("roots.pem"));
	REQUIRE(a != NULL && b != NULL);
	REQUIRE((both = malloc(strlen(a) + strlen(b) + 1)) != NULL);
	strcpy(both, a);
	strcat(both, b);
	REQUIRE(t_write_file(pem, both, strlen(both)) == 0);
	REQUIRE_OK(card_jpki_roots_load(pem, &ro, &e), &e);
	CHECK_INT(card_jpki_roots_count(ro), 2);
	rig_up(&r, profile("test-suzuki-hanako"));	/* 利用者証明用 PIN = her PIN, 4321 */
	REQUIRE_OK(authenticate("4321", 0, ro, NULL, &req, &au, &e), &e);
	CHECK_STR(card_jpki_verdict_name(au->verdict), "verified");
	CHECK_INT(au->chain, CARD_JPKI_CHAIN_OK);
	card_jpki_auth_free(au);
	card_jpki_roots_free(ro);
	rig_down(&r);
	free(a);
	free(b);
	free(both);
}

/* A bad roots file stops with a reason. */
TEST(jpki_roots_file_errors)
{
	struct card_jpki_roots *ro = NULL;
	struct err e;
	char bad[700];
	char *leaf = t_read_file(jpki_file("test-yamada-taro.pem"), NULL);
	char *p;

	snprintf(bad, sizeof(bad), "%s", t_path("bad.pem"));
	CHECK(card_jpki_roots_load(t_path("missing.pem"), &ro, &e) != 0);
	REQUIRE(t_write_file(bad, "not pem\n", 8) == 0);
	CHECK_INT(card_jpki_roots_load(bad, &ro, &e), ERR_FORMAT);
	CHECK(strstr(e.msg, "no PEM certificate") != NULL);
	/* A card's own certificate is not a root (not self-signed). */
	REQUIRE(leaf != NULL);
	REQUIRE((p = strstr(leaf, "-----BEGIN CERTIFICATE")) != NULL);
	REQUIRE(t_write_file(bad, p, strlen(p)) == 0);
	CHECK_INT(card_jpki_roots_load(bad, &ro, &e), ERR_FORMAT);
	CHECK(strstr(e.msg, "certificate 1: not self-signed") != NULL);
	CHECK(ro == NULL);
	free(leaf);
}

/* The whole route: PIN, 32 random bytes signed, signature and chain. */
TEST(jpki_authenticate_verified)		/* issue 11; ID-5 */
{
	struct card_jpki_roots *ro = roots("ca-auth.pem");
	struct card_jpki_auth *au = NULL;
	struct card_read_req req;
	struct rig r;
	struct err e;

	rig_up(&r, profile("test-yamada-taro"));
	REQUIRE_OK(authenticate("1234", 0, ro, NULL, &req, &au, &e), &e);
	CHECK_INT(au->verdict, CARD_JPKI_VERIFIED);
	CHECK(au->detail == NULL);
	CHECK(au->signature_ok);
	CHECK_INT(au->chain, CARD_JPKI_CHAIN_OK);
	CHECK_INT(au->subject, 0);		/* not carried by a 利用者証明用 certificate */
	CHECK_INT(req.tries_before, 3);
	CHECK(strstr(au->note_ja, "オフライン") != NULL);
	CHECK(strstr(au->note_ja, "令和12年4月12日") != NULL);
	CHECK(au->cert_der_len > 500);
	card_jpki_auth_free(au);
	/* Without roots: the signature still proves the key, the issuer is
	 * unverifiable (never called forged). */
	REQUIRE_OK(authenticate("1234", 0, NULL, NULL, &req, &au, &e), &e);
	CHECK_STR(card_jpki_verdict_name(au->verdict), "unverifiable");
	CHECK_STR(au->detail, "no-roots");
	card_jpki_auth_free(au);
	card_jpki_roots_free(ro);
	rig_down(&r);
}

/* Wrong PIN: tries read first, counted down, no verdict; one try left is
 * refused without confirmation and the counter is untouched. */
TEST(jpki_pin_safety)				/* SPEC 5 PIN safety */
{
	struct card_jpki_auth *au = NULL;
	struct card_read_req req;
	struct rig r;
	struct err e;

	rig_up(&r, profile("test-takahashi-ken"));	/* PIN 1111 */
	CHECK_INT(authenticate("9999", 0, NULL, NULL, &req, &au, &e), ERR_AUTH);
	CHECK(au == NULL);
	CHECK_INT(req.tries_before, 3);
	CHECK_INT(req.tries_after, 2);
	CHECK(strstr(e.ja, "残りは2回") != NULL);
	CHECK_INT(authenticate("9999", 0, NULL, NULL, &req, &au, &e), ERR_AUTH);
	CHECK_INT(req.tries_after, 1);
	CHECK_INT(authenticate("1111", 0, NULL, NULL, &req, &au, &e), ERR_STATE);
	CHECK_INT(auth_tries(), 1);
	CHECK_INT(authenticate("111", 0, NULL, NULL, &req, &au, &e), ERR_INVAL);
	CHECK_INT(auth_tries(), 1);
	REQUIRE_OK(authenticate("1111", 1, NULL, NULL, &req, &au, &e), &e);
	CHECK_INT(auth_tries(), 3);
	card_jpki_auth_free(au);
	rig_down(&r);
}

/* A certificate from an impostor CA with the root's DN, and an expired one:
 * failed, which check named. */
TEST(jpki_authenticate_failed_certificate)
{
	struct card_jpki_roots *ro = roots("ca-auth.pem");
	struct card_jpki_auth *au = NULL;
	struct card_read_req req;
	struct rig r;
	struct err e;

	rig_up(&r, profile("fault-jpki-forged"));
	REQUIRE_OK(authenticate("1234", 0, ro, NULL, &req, &au, &e), &e);
	CHECK_STR(card_jpki_verdict_name(au->verdict), "failed");
	CHECK_STR(au->detail, "certificate");
	CHECK_INT(au->chain, CARD_JPKI_CHAIN_BAD_SIGNATURE);
	CHECK(au->signature_ok);	/* the chip does hold the certified key */
	card_jpki_auth_free(au);
	rig_down(&r);

	rig_up(&r, profile("fault-jpki-expired"));
	REQUIRE_OK(authenticate("1234", 0, ro, NULL, &req, &au, &e), &e);
	CHECK_STR(card_jpki_verdict_name(au->verdict), "failed");
	CHECK_STR(au->detail, "certificate");
	CHECK_INT(au->chain, CARD_JPKI_CHAIN_EXPIRED);
	CHECK_INT(au->cert.not_after.y, 2025);
	CHECK(strstr(au->note_ja, "有効期限が切れています") != NULL);
	card_jpki_auth_free(au);
	card_jpki_roots_free(ro);
	rig_down(&r);
}

/* Issue 14's card second factor: a challenge signed by the card verifies
 * against the certificate registered for the account, and not against a
 * different person's certificate. */
TEST(jpki_challenge_against_registered_certificate)	/* AC-5 */
{
	uint8_t ch[32], sig[256];
	size_t siglen = 0;
	struct card_jpki *other = NULL, *mine = NULL;
	struct card_read_req req;
	struct card *c;
	struct rig r;
	struct err e;
	char *s;

	/* The other person's certificate, read from their card. */
	rig_up(&r, profile("test-suzuki-hanako"));
	REQUIRE_OK(card_open(NULL, &c, &e), &e);
	REQUIRE_OK(card_read_jpki(c, &other, &e), &e);
	card_close(c);
	rig_down(&r);

	rig_up(&r, profile("test-yamada-taro"));
	REQUIRE_OK(card_open(NULL, &c, &e), &e);
	REQUIRE_OK(card_read_jpki(c, &mine, &e), &e);
	for (size_t i = 0; i < sizeof(ch); i++)
		ch[i] = (uint8_t)(i * 7 + 1);
	s = card_secret_new();
	strcpy(s, "1234");
	memset(&req, 0, sizeof(req));
	req.method = CARD_UNLOCK_PIN;
	req.secret = s;
	REQUIRE_OK(card_jpki_sign(c, &req, ch, sizeof(ch), sig, sizeof(sig), &siglen, &e), &e);
	card_secret_free(s);
	card_close(c);
	CHECK_INT(siglen, 256);
	CHECK_OK(card_jpki_challenge_verify(mine->auth_cert, mine->auth_cert_len, ch,
	    sizeof(ch), sig, siglen, &e), &e);
	CHECK_INT(card_jpki_challenge_verify(other->auth_cert, other->auth_cert_len, ch,
	    sizeof(ch), sig, siglen, &e), ERR_AUTH);
	ch[0] ^= 1;	/* another challenge: the old answer does not fit */
	CHECK_INT(card_jpki_challenge_verify(mine->auth_cert, mine->auth_cert_len, ch,
	    sizeof(ch), sig, siglen, &e), ERR_AUTH);
	card_jpki_free(mine);
	card_jpki_free(other);
	rig_down(&r);
}

/* OpenSC, an outside client, binds the simulated card with its JPKI
 * driver, reads the certificate and signs with the 利用者証明用 key; the
 * signature verifies with openssl against that certificate. */
TEST(jpki_opensc_reads_and_signs)
{
	struct t_proc p;
	struct rig r;
	char script[4096];

	{
		char *const which[] = { "sh", "-c", "command -v pkcs15-tool && command -v pkcs15-crypt", NULL };
		memset(&p, 0, sizeof(p));
		t_run(which, NULL, NULL, 0, 10000, &p);
		if (p.status != 0) {
			t_proc_free(&p);
			t_skip("OpenSC (apt package opensc) is not installed");
		}
		t_proc_free(&p);
	}
	rig_up(&r, profile("test-yamada-taro"));
	snprintf(script, sizeof(script),
	    "set -e; cd '%s'\n"
	    "pkcs15-tool --read-certificate 01 > auth.pem\n"
	    "openssl x509 -in auth.pem -noout -subject -enddate\n"
	    "openssl verify -CAfile '%s' auth.pem\n"
	    "printf 'madoguchi challenge' > data.bin\n"
	    "openssl dgst -sha256 -binary data.bin > hash.bin\n"
	    "pkcs15-crypt --sign --key 01 --sha-256 --pkcs1 --pin 1234 "
	    "--input hash.bin --output sig.bin\n"
	    "openssl x509 -in auth.pem -pubkey -noout > pub.pem\n"
	    "openssl dgst -sha256 -verify pub.pem -signature sig.bin data.bin\n",
	    t_tmpdir(), jpki_file("ca-auth.pem"));
	{
		char *const argv[] = { "sh", "-c", script, NULL };
		memset(&p, 0, sizeof(p));
		t_run(argv, NULL, NULL, 0, 60000, &p);
	}
	if (p.status != 0) {
		rig_dump(&r);
		printf("--- opensc out\n%s--- err\n%s---\n", p.out, p.err);
	}
	CHECK_INT(p.status, 0);
	CHECK(strstr(p.out, "auth.pem: OK") != NULL);
	CHECK(strstr(p.out, "Verified OK") != NULL);
	CHECK(strstr(p.out, "notAfter=Apr 12 14:59:59 2030 GMT") != NULL);
	t_proc_free(&p);
	rig_down(&r);
}

/* madoguchi with a config file naming the roots (or not). */
static int
mdg(const char *conf, const char *const *args, const char *input, struct t_proc *p)
{
	char *argv[16];
	int n = 0;

	argv[n++] = (char *)t_bin("madoguchi");
	if (conf != NULL) {
		argv[n++] = "--config";
		argv[n++] = (char *)conf;
	}
	for (const char *const *a = args; *a != NULL && n < 15; a++)
		argv[n++] = (char *)*a;
	argv[n] = NULL;
	memset(p, 0, sizeof(*p));
	REQUIRE(t_run(argv, NULL, input, input ? strlen(input) : 0, 60000, p) == 0);
	return p->status;
}

/* `madoguchi card read --jpki --pin-stdin` and `card status`: expiry,
 * offline chain, verdict; exit 0 verified, 3 failed, 4 unverifiable. */
TEST(jpki_cli_read_and_status)			/* issue 11 */
{
	const char *rd[] = { "card", "read", "--jpki", "--pin-stdin", NULL };
	const char *st[] = { "card", "status", NULL };
	char conf[700], none[700], text[1200];
	struct t_proc p;
	struct rig r;

	/* t_path's buffer is reused: keep copies. */
	snprintf(conf, sizeof(conf), "%s", t_path("madoguchi.conf"));
	snprintf(none, sizeof(none), "%s", t_path("none.conf"));

	snprintf(text, sizeof(text), "[store]\ndir = %s/store\n[card]\njpki_roots = %s\n",
	    t_tmpdir(), jpki_file("ca-auth.pem"));
	REQUIRE(t_write_file(conf, text, strlen(text)) == 0);
	snprintf(text, sizeof(text), "[store]\ndir = %s/store\n", t_tmpdir());
	REQUIRE(t_write_file(none, text, strlen(text)) == 0);

	rig_up(&r, profile("test-yamada-taro"));
	CHECK_INT(mdg(conf, rd, "1234\n", &p), 0);
	CHECK(strstr(p.out, "有効期限: 2030-04-12（令和12年4月12日）") != NULL);
	CHECK(strstr(p.out, "発行元の確認（オフライン）") != NULL);
	CHECK(strstr(p.out, "真正性: 検証済み（verified）") != NULL);
	CHECK(strstr(p.out, "記録: method=jpki authenticity=verified chain=ok offline=1 "
	    "cert_until=2030-04-12") != NULL);
	CHECK(strstr(p.out, "1234") == NULL && strstr(p.err, "1234") == NULL);
	t_proc_free(&p);
	CHECK_INT(mdg(none, rd, "1234\n", &p), 4);
	CHECK(strstr(p.out, "検証不能（unverifiable: no-roots）") != NULL);
	t_proc_free(&p);
	CHECK_INT(mdg(conf, rd, "9999\n", &p), 1);
	CHECK(strstr(p.err, "残り回数: 2回") != NULL);
	t_proc_free(&p);
	CHECK_INT(mdg(conf, st, NULL, &p), 0);
	CHECK(strstr(p.out, "利用者証明用電子証明書: 有効期限 2030-04-12") != NULL);
	CHECK(strstr(p.out, "利用者証明用電子証明書の暗証番号: 残り2回") != NULL);
	t_proc_free(&p);
	rig_down(&r);

	rig_up(&r, profile("fault-jpki-forged"));
	CHECK_INT(mdg(conf, rd, "1234\n", &p), 3);
	CHECK(strstr(p.out, "検証失敗（failed: certificate）") != NULL);
	CHECK(strstr(p.out, "authenticity=failed detail=certificate chain=bad-signature") != NULL);
	t_proc_free(&p);
	rig_down(&r);

	rig_up(&r, profile("fault-jpki-expired"));
	CHECK_INT(mdg(conf, st, NULL, &p), 0);
	CHECK(strstr(p.out, "有効期限 2025-11-01") != NULL);
	CHECK(strstr(p.out, "期限切れ") != NULL);
	t_proc_free(&p);
	rig_down(&r);
}

/* `card read --jpki --json` (issue 11): one object with the members of
 * the issue; nothing the route does not read (no 個人番号, no 基本4情報 in a
 * 利用者証明用 certificate) is made up; chip follows the verdict. */
TEST(jpki_cli_json)				/* issue 11; ID-5 */
{
	const char *rd[] = { "card", "read", "--jpki", "--pin-stdin", "--json", NULL };
	char conf[700], none[700], text[1200];
	struct t_proc p;
	struct rig r;
	struct json *j = NULL;
	struct err e;

	snprintf(conf, sizeof(conf), "%s", t_path("madoguchi.conf"));
	snprintf(none, sizeof(none), "%s", t_path("none.conf"));
	snprintf(text, sizeof(text), "[store]\ndir = %s/store\n[card]\njpki_roots = %s\n",
	    t_tmpdir(), jpki_file("ca-auth.pem"));
	REQUIRE(t_write_file(conf, text, strlen(text)) == 0);
	snprintf(text, sizeof(text), "[store]\ndir = %s/store\n", t_tmpdir());
	REQUIRE(t_write_file(none, text, strlen(text)) == 0);

	rig_up(&r, profile("test-yamada-taro"));
	CHECK_INT(mdg(conf, rd, "1234\n", &p), 0);
	REQUIRE_OK(json_parse(p.out, strlen(p.out), &j, &e), &e);
	CHECK_STR(json_get_str(j, "method"), "jpki");
	CHECK_STR(json_get_str(j, "authenticity"), "verified");
	CHECK(json_get(j, "authenticity_detail") != NULL &&
	    json_get(j, "authenticity_detail")->type == JSON_NULL);
	CHECK_STR(json_get_str(j, "chip"), "genuine");
	CHECK(json_get(j, "mynumber_masked")->type == JSON_NULL);
	CHECK(json_get(j, "name")->type == JSON_NULL);
	CHECK(json_get(j, "digests")->type == JSON_OBJ);
	CHECK(json_get(j, "tries_left")->type == JSON_NUM &&
	    json_get(j, "tries_left")->num == 3);
	CHECK_STR(json_get_str(j, "cert_not_after"), "2030-04-12");
	CHECK_STR(json_get_str(j, "chain"), "ok");
	CHECK(strstr(p.out, "1234") == NULL);
	json_free(j);
	j = NULL;
	t_proc_free(&p);
	CHECK_INT(mdg(none, rd, "1234\n", &p), 4);
	REQUIRE_OK(json_parse(p.out, strlen(p.out), &j, &e), &e);
	CHECK_STR(json_get_str(j, "authenticity"), "unverifiable");
	CHECK_STR(json_get_str(j, "authenticity_detail"), "no-roots");
	CHECK_STR(json_get_str(j, "chip"), "not-checked");
	json_free(j);
	j = NULL;
	t_proc_free(&p);
	rig_down(&r);

	rig_up(&r, profile("fault-jpki-forged"));
	CHECK_INT(mdg(conf, rd, "1234\n", &p), 3);
	REQUIRE_OK(json_parse(p.out, strlen(p.out), &j, &e), &e);
	CHECK_STR(json_get_str(j, "authenticity"), "failed");
	CHECK_STR(json_get_str(j, "authenticity_detail"), "certificate");
	json_free(j);
	t_proc_free(&p);
	rig_down(&r);
}

/* A bad [card] jpki_roots stops start-up with file and reason. */
TEST(jpki_roots_config_error_stops_startup)
{
	const char *st[] = { "card", "status", NULL };
	char conf[700], pem[700], text[1200];
	struct t_proc p;

	snprintf(conf, sizeof(conf), "%s", t_path("bad.conf"));
	snprintf(pem, sizeof(pem), "%s", t_path("notroot.pem"));

	REQUIRE(t_write_file(pem, "garbage\n", 8) == 0);
	snprintf(text, sizeof(text), "[card]\njpki_roots = %s\n", pem);
	REQUIRE(t_write_file(conf, text, strlen(text)) == 0);
	CHECK(mdg(conf, st, NULL, &p) != 0);
	CHECK(strstr(p.err, "jpki_roots") != NULL);
	CHECK(strstr(p.err, "no PEM certificate") != NULL);
	t_proc_free(&p);
}

/* vpcd offers no PIN pad: the program asks for the PIN itself, and a
 * missing PIN is refused before anything is sent (SPEC 5). */
TEST(jpki_no_pinpad_on_the_simulated_reader)
{
	struct card_jpki_auth *au = NULL;
	struct card_read_req req;
	struct card *c;
	struct rig r;
	struct err e;

	rig_up(&r, profile("test-yamada-taro"));
	REQUIRE_OK(card_open(NULL, &c, &e), &e);
	CHECK_INT(card_pinpad_offered(c), 0);
	memset(&req, 0, sizeof(req));
	req.method = CARD_UNLOCK_PIN;
	req.secret = NULL;
	CHECK_INT(card_jpki_authenticate(c, &req, NULL, NULL, &au, &e), ERR_INVAL);
	CHECK(au == NULL);
	card_close(c);
	CHECK_INT(auth_tries(), 3);
	rig_down(&r);
}
