/*
 * cmd-card.c — `madoguchi card status` and `madoguchi card read`
 * (SPEC 5; ID-1, ID-4, ID-5, LOG-5).
 *
 *   card status                      readers, card present, tries left
 *   card read [--pin-stdin | --b-stdin] [--confirm-last-try]
 *             [--kenmen] [--json] [--reader NAME]
 *
 * What was read is printed with the 個人番号 masked (or as one JSON object),
 * with the authenticity verdicts.  The PIN, and 照合番号B ("BIRTH EXPIRY
 * CODE" as printed on the card, on one line), are read from standard input (or
 * the terminal, without echo) byte by byte straight into sodium_malloc
 * memory, so no stdio buffer ever holds them.  Neither is ever taken from
 * the command line, which every local user can read in /proc/PID/cmdline.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "app.h"
#include "card.h"
#include "store.h"
#include "visit.h"

static const char *
reader_of(struct app_opts *o, const char *opt)
{
	if (opt != NULL)
		return opt;
	return o->conf != NULL ? conf_str(o->conf, "card", "reader") : "";
}

/* Say plainly what to do when pcscd cannot be reached. */
static void
explain_service(const struct err *e)
{
	const char *sock = getenv("PCSCLITE_CSOCK_NAME");

	fprintf(stderr, "madoguchi: %s\n  %s\n", err_ja(e), e->msg);
	if (e->code == ERR_CARD && strstr(e->msg, "pcscd") != NULL) {
		if (sock != NULL)
			fprintf(stderr, "  PCSCLITE_CSOCK_NAME=%s: is the private pcscd "
			    "running?  scripts/pcscd-private.sh start DIR\n", sock);
		else
			fprintf(stderr, "  start the system pcscd (systemctl start pcscd.socket), "
			    "or a private one for the simulator:\n"
			    "    eval \"$(scripts/pcscd-private.sh start /tmp/mdg-pcscd)\"\n");
	}
}

/* The 利用者証明用 certificate's expiry (residents come to renew it). */
static void
jpki_status(struct card *c)
{
	struct card_jpki *j = NULL;
	struct card_jpki_cert ci;
	char iso[16] = "", wa[64] = "";
	struct date today;
	struct err e;

	err_clear(&e);
	if (card_read_jpki(c, &j, &e) != 0) {
		printf("  利用者証明用電子証明書: なし（%s）\n", err_ja(&e));
		return;
	}
	if (card_jpki_cert_parse(j->auth_cert, j->auth_cert_len, &ci, &e) != 0)
		printf("  利用者証明用電子証明書: 読めません（%s）\n", err_ja(&e));
	else {
		date_today(&today);
		date_format_iso(&ci.not_after, iso, sizeof(iso));
		date_format_wareki(&ci.not_after, wa, sizeof(wa));
		printf("  利用者証明用電子証明書: 有効期限 %s（%s）%s\n", iso, wa,
		    date_cmp(&ci.not_after, &today) < 0 ? "（期限切れ: 更新の手続きが必要です）" : "");
	}
	card_jpki_free(j);
}

static int
card_status(struct app_opts *o, int argc, char **argv)
{
	const char *want = NULL;
	char **names;
	size_t n;
	struct err e;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--reader") == 0 && i + 1 < argc)
			want = argv[++i];
		else {
			fprintf(stderr, "usage: madoguchi card status [--reader NAME]\n");
			return 2;
		}
	}
	want = reader_of(o, want);
	err_clear(&e);
	if (card_readers_list(&names, &n, &e) != 0) {
		explain_service(&e);
		return 1;
	}
	if (n == 0) {
		printf("カードリーダー: なし\n");
		fprintf(stderr, "madoguchi: no PC/SC reader.  Connect a reader, or for the "
		    "simulator use a pcscd with a vpcd reader (scripts/pcscd-private.sh).\n");
		card_readers_free(names, n);
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		struct card *c;
		int present;

		if (want[0] != '\0' && strcmp(names[i], want) != 0)
			continue;
		err_clear(&e);
		present = card_open(names[i], &c, &e) == 0;
		printf("リーダー: %s\n", names[i]);
		if (!present) {
			printf("  カード: なし\n");
			continue;
		}
		printf("  カード: あり\n");
		static const enum card_pin pins[] = { CARD_PIN_KENHOJO, CARD_PIN_KENHOJO_B,
		    CARD_PIN_JPKI_AUTH, CARD_PIN_JPKI_SIGN };
		for (size_t k = 0; k < sizeof(pins) / sizeof(pins[0]); k++) {
			int t;
			err_clear(&e);
			t = card_pin_tries(c, pins[k], &e);
			if (t >= 0)
				printf("  %s: 残り%d回%s\n", card_pin_name_ja(pins[k]), t,
				    t == 0 ? "（ロック中）" : t == 1 ? "（あと1回でロック）" : "");
			else
				printf("  %s: 不明（%s）\n", card_pin_name_ja(pins[k]), err_ja(&e));
		}
		jpki_status(c);
		card_close(c);
	}
	card_readers_free(names, n);
	return 0;
}

/* One line into buf (size bytes of sodium memory), without stdio
 * buffering and, on a terminal, without echo.  Returns the length, or
 * size (buffer wiped) when the line does not fit. */
static size_t
read_secret_line(const char *prompt, char *buf, size_t size)
{
	int tty = isatty(STDIN_FILENO);
	size_t n = 0;
	char ch;
	ssize_t r;

	if (tty) {
		fprintf(stderr, "%s", prompt);
		fflush(stderr);
		if (app_tty_noecho() != 0)	/* restored on Ctrl-C too */
			tty = 0;
	}
	for (;;) {
		r = read(STDIN_FILENO, &ch, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || ch == '\n')
			break;
		if (ch == '\r')
			continue;
		if (n + 1 >= size) {
			n = size;	/* too long: reported by the caller */
			continue;
		}
		buf[n++] = ch;
	}
	ch = 0;
	if (tty) {
		app_tty_restore();
		fputc('\n', stderr);
	}
	if (n >= size) {
		mem_wipe(buf, size);
		return size;
	}
	buf[n] = '\0';
	return n;
}

/* The 4-digit PIN, checked before it can be sent. */
static int
read_pin(const char *prompt, char *buf, struct err *e)
{
	if (read_secret_line(prompt, buf, CARD_SECRET_MAX) >= CARD_SECRET_MAX)
		return err_set_ja(e, ERR_INVAL, "暗証番号は数字4桁で入力してください。",
		    "PIN too long");
	return card_pin_check(buf, e);
}

#define B_LINE_MAX 128

/* 照合番号B as printed on the card: "BIRTH EXPIRY CODE" on one line (birth
 * in 和暦 such as S55.2.17 or 昭和55年2月17日, or 西暦 on a card printed in
 * 西暦; the expiry year or date; the security code), built into out (a
 * card_secret_new() buffer).  The line lives only in sodium memory and is
 * wiped on every path (LOG-5). */
static int
read_b(const char *prompt, char *out, struct err *e)
{
	char *line = sodium_malloc(B_LINE_MAX);
	size_t n;
	int r;

	if (line == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	n = read_secret_line(prompt, line, B_LINE_MAX);
	if (n >= B_LINE_MAX)
		r = err_set_ja(e, ERR_INVAL, "照合番号Bの入力が長すぎます。", "照合番号B line too long");
	else
		r = card_b_from_line(line, out, e);
	sodium_free(line);	/* wipes */
	return r;
}

/* Card text with every control character (C0, DEL, C1) as a visible
 * escape, so nothing from a card is ever written raw to a terminal. */
static void
visible(const char *in, char *out, size_t cap)
{
	/* One rule for every CLI output: C0, C1, DEL and bidi overrides become
	 * visible escapes (src/core/text.c). */
	text_visible(in != NULL ? in : "", out, cap);
}

static const char *
sex_ja(int s)
{
	switch (s) {
	case 1: return "男";
	case 2: return "女";
	case 9: return "適用不能";
	default: return "不明";
	}
}

static const char *
digest_ja(enum card_digest d)
{
	switch (d) {
	case CARD_DIGEST_OK: return "一致";
	case CARD_DIGEST_MISMATCH: return "不一致（警告: 券面の情報を目視で確認してください）";
	case CARD_DIGEST_MISSING: return "なし（警告）";
	default: return "未確認";
	}
}

static const char *
digest_word(enum card_digest d)
{
	return d == CARD_DIGEST_OK ? "match" : "mismatch";
}

static void
print_result(const struct card_result *r, int tries_after)
{
	char iso[16] = "", wa[64] = "", masked[MYNUMBER_MASKED_LEN], t[2400];

	printf("読み取り: %s（照合: %s、照合前の残り回数 %d回）\n", card_ap_name_ja(r->ap),
	    card_unlock_name_ja(r->unlock), r->tries_left);
	if (tries_after >= 0)
		printf("残り回数（照合後）: %d回\n", tries_after);
	if (r->name != NULL) {
		visible(r->name, t, sizeof(t));
		printf("氏名: %s\n", t);
	}
	if (r->address != NULL) {
		visible(r->address, t, sizeof(t));
		printf("住所: %s\n", t);
	}
	date_format_iso(&r->birth, iso, sizeof(iso));
	date_format_wareki(&r->birth, wa, sizeof(wa));
	printf("生年月日: %s（%s）\n", iso, wa);
	printf("性別: %s\n", sex_ja(r->sex));
	if (r->mynumber != NULL) {
		mynumber_mask(r->mynumber, MYNUMBER_LEN, masked);
		printf("個人番号: %s（検査用数字: %s）\n", masked,
		    r->mynumber_check_ok ? "正しい" : "誤り（警告）");
	} else if (r->ap == CARD_AP_KENHOJO)
		printf("個人番号: 読み取っていません（照合番号Bでは読めません。番号確認は券面"
		    "または書類で行ってください）\n");
	if (r->ap == CARD_AP_KENHOJO)
		printf("ハッシュ照合: 個人番号 %s、基本4情報 %s\n",
		    digest_ja(r->digest_mynumber), digest_ja(r->digest_basic4));
	printf("真正性: %s%s%s%s\n", card_auth_name_ja(r->auth),
	    r->auth_fail ? "（" : "", card_auth_fail_name_ja(r->auth_fail),
	    r->auth_fail ? "）" : "");
	if (r->issuer_key_id[0] != '\0')
		printf("発行者鍵ID: %s\n", r->issuer_key_id);
	printf("ICチップ: %s\n", card_chip_name_ja(r->chip));
	if (r->ap == CARD_AP_KENMEN) {
		printf("有効期限: %s\n", r->face.expiry);
		printf("券面画像: 氏名 %zu バイト、住所 %zu バイト、顔写真 %zu バイト\n",
		    r->face.name_len, r->face.addr_len, r->face.photo_len);
	}
}

/* `card read --jpki`: the authenticity route 「電子証明書で真正性を確認」 with
 * the 利用者証明用 PIN (issue 11).  Exit 0 when verified, 3 when failed,
 * 4 when unverifiable, 1 on an error (wrong PIN, no card, ...). */
static void print_jpki_json(const struct card_jpki_auth *au, int tries_after);

static int
card_read_jpki_route(struct app_opts *o, const char *reader, int confirm, int json)
{
	const char *path = o->conf != NULL ? conf_str(o->conf, "card", "jpki_roots") : "";
	struct card_jpki_roots *roots = NULL;
	struct card_jpki_auth *au = NULL;
	struct card_read_req req;
	struct card *c = NULL;
	char iso[16] = "", wa[64] = "", *secret;
	struct err e;
	int rc = 1, r;

	err_clear(&e);
	if (path[0] != '\0' && card_jpki_roots_load(path, &roots, &e) != 0) {
		fprintf(stderr, "madoguchi: [card] jpki_roots: %s\n", e.msg);
		return 1;
	}
	if ((secret = card_secret_new()) == NULL) {
		card_jpki_roots_free(roots);
		fprintf(stderr, "madoguchi: out of memory\n");
		return 1;
	}
	memset(&req, 0, sizeof(req));
	req.method = CARD_UNLOCK_PIN;
	req.secret = secret;
	req.confirm_last_try = confirm;
	if ((r = card_open(reader_of(o, reader), &c, &e)) != 0) {
		explain_service(&e);
		goto out;
	}
	if (card_pinpad_offered(c)) {
		/* PC/SC part 10: the PIN is typed on the reader, never here. */
		req.secret = NULL;
		fprintf(stderr, "利用者証明用電子証明書の暗証番号（4桁）をカードリーダーのキーで入力してください。\n");
	} else if ((r = read_pin("利用者証明用電子証明書の暗証番号（4桁）: ", secret, &e)) != 0) {
		fprintf(stderr, "madoguchi: %s\n", err_ja(&e));
		goto out;
	}
	r = card_jpki_authenticate(c, &req, roots, NULL, &au, &e);
	mem_wipe(secret, CARD_SECRET_MAX);
	if (r != 0) {
		fprintf(stderr, "madoguchi: %s\n  (%s)\n", err_ja(&e), e.msg);
		if (req.tries_after >= 0)
			fprintf(stderr, "残り回数: %d回\n", req.tries_after);
		else if (req.tries_before >= 0 && r == ERR_STATE)
			fprintf(stderr, "残り回数: %d回（--confirm-last-try で確認のうえ実行）\n",
			    req.tries_before);
		log_warn("card jpki check failed: %s", e.msg);
		goto out;
	}
	rc = au->verdict == CARD_JPKI_VERIFIED ? 0 : au->verdict == CARD_JPKI_FAILED ? 3 : 4;
	if (json) {
		char line[256];

		struct err e2;
		int after;

		/* the count after the VERIFY, as the card now gives it */
		err_clear(&e2);
		after = card_pin_tries(c, CARD_PIN_JPKI_AUTH, &e2);
		print_jpki_json(au, after >= 0 ? after : req.tries_after);
		card_jpki_auth_summary(au, line, sizeof(line));
		log_info("card check: %s", line);
		goto out;
	}
	printf("読み取り: %s（照合: %s、照合前の残り回数 %d回）\n", card_ap_name_ja(CARD_AP_JPKI),
	    card_pin_name_ja(CARD_PIN_JPKI_AUTH), req.tries_before);
	date_format_iso(&au->cert.not_after, iso, sizeof(iso));
	date_format_wareki(&au->cert.not_after, wa, sizeof(wa));
	printf("利用者証明用電子証明書の有効期限: %s（%s）\n", iso, wa);
	printf("発行元の確認（オフライン）: %s\n", card_jpki_chain_name_ja(au->chain));
	printf("カードの署名: %s\n", au->signature_ok ? "電子証明書の鍵と一致" : "不一致");
	printf("真正性: %s（%s%s%s）\n", card_jpki_verdict_name_ja(au->verdict),
	    card_jpki_verdict_name(au->verdict), au->detail != NULL ? ": " : "",
	    au->detail != NULL ? au->detail : "");
	printf("%s\n", au->note_ja);
	{
		char line[256];
		card_jpki_auth_summary(au, line, sizeof(line));
		printf("記録: %s\n", line);
		log_info("card check: %s", line);
	}
out:
	card_jpki_auth_free(au);
	card_jpki_roots_free(roots);
	card_close(c);
	card_secret_free(secret);
	return rc;
}

static void
json_text(struct wbuf *w, const char *s)
{
	char t[2400];

	if (s == NULL) {
		wbuf_printf(w, "null");
		return;
	}
	visible(s, t, sizeof(t));
	json_put_str(w, t, strlen(t));
}

/* One JSON object (issue 11): never the full 個人番号. */
static void
print_json(const struct card_result *r, int tries_after)
{
	struct wbuf w;
	char iso[16] = "", masked[MYNUMBER_MASKED_LEN];
	int comma = 0;

	wbuf_init(&w, 0);
	wbuf_printf(&w, "{\"name\":");
	json_text(&w, r->name);
	wbuf_printf(&w, ",\"address\":");
	json_text(&w, r->address);
	date_format_iso(&r->birth, iso, sizeof(iso));
	wbuf_printf(&w, ",\"birth\":\"%s\",\"sex\":%d,\"mynumber_masked\":", iso, r->sex);
	if (r->mynumber != NULL) {
		mynumber_mask(r->mynumber, MYNUMBER_LEN, masked);
		json_put_str(&w, masked, strlen(masked));
	} else
		wbuf_printf(&w, "null");
	wbuf_printf(&w, ",\"method\":\"%s\",\"digests\":{",
	    r->unlock == CARD_UNLOCK_PIN ? "pin" : "b");
	if (r->digest_mynumber != CARD_DIGEST_UNCHECKED) {
		wbuf_printf(&w, "\"mynumber\":\"%s\"", digest_word(r->digest_mynumber));
		comma = 1;
	}
	if (r->digest_basic4 != CARD_DIGEST_UNCHECKED)
		wbuf_printf(&w, "%s\"basic4\":\"%s\"", comma ? "," : "",
		    digest_word(r->digest_basic4));
	wbuf_printf(&w, "},\"authenticity\":\"%s\",\"authenticity_detail\":",
	    card_auth_name(r->auth));
	if (r->auth_fail != CARD_FAIL_NONE)
		wbuf_printf(&w, "\"%s\"", card_auth_fail_name(r->auth_fail));
	else
		wbuf_printf(&w, "null");
	wbuf_printf(&w, ",\"issuer_key_id\":");
	if (r->issuer_key_id[0] != '\0')
		wbuf_printf(&w, "\"%s\"", r->issuer_key_id);
	else
		wbuf_printf(&w, "null");
	wbuf_printf(&w, ",\"chip\":\"%s\",\"tries_left\":", card_chip_name(r->chip));
	if (tries_after >= 0)
		wbuf_printf(&w, "%d", tries_after);
	else
		wbuf_printf(&w, "null");
	wbuf_printf(&w, "}\n");
	if (w.err == 0)
		fwrite(w.p, 1, w.len, stdout);
	wbuf_free(&w);
}

/* `card read --jpki --json` (issue 11): the same members as a read of the
 * 入力補助AP.  The 利用者証明用 certificate carries no 基本4情報 and the route
 * reads no 個人番号, so those are null; the digests are those of the
 * 入力補助AP, none here.  authenticity is the route's verdict; chip is
 * "genuine" when the card signed the challenge with the key of a verified
 * certificate, "failed" when the signature does not verify, "not-checked"
 * when the certificate could not be verified (a key nobody vouches for
 * proves nothing).  Added: the certificate's validity and the chain. */
static void
print_jpki_json(const struct card_jpki_auth *au, int tries_after)
{
	struct wbuf w;
	char iso[16] = "";
	const char *chip;

	if (!au->signature_ok)
		chip = "failed";
	else if (au->verdict == CARD_JPKI_VERIFIED)
		chip = "genuine";
	else
		chip = "not-checked";
	wbuf_init(&w, 0);
	wbuf_printf(&w, "{\"name\":");
	json_text(&w, au->cert.has_basic4 ? au->cert.name : NULL);
	wbuf_printf(&w, ",\"address\":");
	json_text(&w, au->cert.has_basic4 ? au->cert.address : NULL);
	if (au->cert.has_basic4) {
		date_format_iso(&au->cert.birth, iso, sizeof(iso));
		wbuf_printf(&w, ",\"birth\":\"%s\",\"sex\":%d", iso, au->cert.sex);
	} else
		wbuf_printf(&w, ",\"birth\":null,\"sex\":null");
	wbuf_printf(&w, ",\"mynumber_masked\":null,\"method\":\"jpki\",\"digests\":{},"
	    "\"authenticity\":\"%s\",\"authenticity_detail\":",
	    card_jpki_verdict_name(au->verdict));
	if (au->detail != NULL)
		json_text(&w, au->detail);
	else
		wbuf_printf(&w, "null");
	wbuf_printf(&w, ",\"issuer_key_id\":null,\"chip\":\"%s\",\"tries_left\":", chip);
	if (tries_after >= 0)
		wbuf_printf(&w, "%d", tries_after);
	else
		wbuf_printf(&w, "null");
	date_format_iso(&au->cert.not_after, iso, sizeof(iso));
	wbuf_printf(&w, ",\"cert_not_after\":\"%s\",\"chain\":\"%s\",\"offline\":true}\n",
	    iso, card_jpki_chain_name(au->chain));
	if (w.err == 0)
		fwrite(w.p, 1, w.len, stdout);
	wbuf_free(&w);
}

static int
card_read(struct app_opts *o, int argc, char **argv)
{
	const char *reader = NULL;
	int pin_stdin = 0, b_stdin = 0, confirm = 0, kenmen = 0, jpki = 0, json = 0, rc = 1, r;
	int tries_after = -1;
	struct card_anchors anchors;
	struct card_read_req req;
	struct card_result *res = NULL;
	struct card *c = NULL;
	struct app_store_args sa = { NULL, NULL, 0 };
	struct store *st = NULL;
	char *secret;
	struct err e;

	for (int i = 1; i < argc; i++) {
		if (app_store_opt(&sa, argc, argv, &i))
			continue;
		if (strcmp(argv[i], "--pin-stdin") == 0)
			pin_stdin = 1;
		else if (strcmp(argv[i], "--b-stdin") == 0)
			b_stdin = 1;
		else if (strcmp(argv[i], "--confirm-last-try") == 0)
			confirm = 1;
		else if (strcmp(argv[i], "--kenmen") == 0)
			kenmen = 1;
		else if (strcmp(argv[i], "--jpki") == 0)
			jpki = 1;
		else if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--reader") == 0 && i + 1 < argc)
			reader = argv[++i];
		else {
			fprintf(stderr, "usage: madoguchi card read --user NAME [--password-stdin]"
			    " [--store DIR]\n"
			    "           [--pin-stdin | --b-stdin] [--confirm-last-try] [--kenmen | --jpki]"
			    " [--json] [--reader NAME]\n");
			return 2;
		}
	}
	if (jpki && (b_stdin || kenmen)) {
		fprintf(stderr, "madoguchi: --jpki takes the 利用者証明用 PIN (--pin-stdin)\n");
		return 2;
	}
	if (jpki)
		return card_read_jpki_route(o, reader, confirm, json);
	(void)pin_stdin;
	if ((pin_stdin && b_stdin) || (kenmen && !b_stdin)) {
		fprintf(stderr, "madoguchi: give either --pin-stdin or --b-stdin "
		    "(--kenmen needs --b-stdin)\n");
		return 2;
	}
	/* The card's 基本4情報 are personal data: an account of the store
	 * reads them, and the read is an audit row as at the window (issue 16,
	 * LOG-1).  The password (and a second-factor line, when the account
	 * has one) come before the PIN or 照合番号B on standard input. */
	if (sa.user == NULL) {
		fprintf(stderr, "madoguchi card read: 記録を残すため、ログインが必要です"
		    "（--user 名前、パスワードは端末または --password-stdin）"
		    " (reading a card needs a logged-in account of the store, for its audit row)\n");
		return 2;
	}
	if ((r = app_store_login(o, &sa, "card read", &st)) != 0) {
		fprintf(stderr, "madoguchi card read: カードは読み取っていません"
		    " (the card was not read: no store session)\n");
		return r;
	}
	err_clear(&e);
	if (app_card_anchors(o->conf, &anchors, &e) != 0) {
		fprintf(stderr, "madoguchi: %s\n", e.msg);
		store_close(st);
		return 1;
	}
	if ((secret = card_secret_new()) == NULL) {
		card_anchors_free(&anchors);
		store_close(st);
		fprintf(stderr, "madoguchi: out of memory\n");
		return 1;
	}
	memset(&req, 0, sizeof(req));
	req.confirm_last_try = confirm;
	req.secret = secret;
	req.anchors = &anchors;
	if (b_stdin) {
		req.method = CARD_UNLOCK_B;
		r = read_b("照合番号B（券面のとおり: 生年月日 有効期限 セキュリティコード、"
		    "例 S55.2.17 2035 2285）: ", secret, &e);
	} else {
		req.method = CARD_UNLOCK_PIN;
		r = read_pin("暗証番号（4桁）: ", secret, &e);
	}
	if (r != 0) {
		fprintf(stderr, "madoguchi: %s\n", err_ja(&e));
		goto out;
	}
	if ((r = card_open(reader_of(o, reader), &c, &e)) != 0) {
		explain_service(&e);
		goto out;
	}
	if (kenmen)
		r = card_read_kenmen(c, &req, &res, &e);
	else
		r = card_read_kenhojo(c, &req, &res, &e);
	mem_wipe(secret, CARD_SECRET_MAX);
	if (r != 0) {
		fprintf(stderr, "madoguchi: %s\n  (%s)\n", err_ja(&e), e.msg);
		if (req.tries_after >= 0)
			fprintf(stderr, "残り回数: %d回\n", req.tries_after);
		else if (req.tries_before >= 0 && r == ERR_STATE)
			fprintf(stderr, "残り回数: %d回（--confirm-last-try で確認のうえ実行）\n",
			    req.tries_before);
		log_warn("card read failed: %s", e.msg);
		{
			struct err ea;
			char detail[256];
			err_clear(&ea);
			snprintf(detail, sizeof(detail), "card read (command line): %s tries_left=%d",
			    err_name(r), req.tries_after);
			if (store_audit_append(st, NULL, NULL, "idcheck.failed", NULL, "card-read",
			    detail, &ea) != 0)
				fprintf(stderr, "madoguchi card read: %s\n", ea.msg);
		}
		goto out;
	}
	/* The count after the VERIFY, as the card now gives it. */
	{
		struct err e2;
		err_clear(&e2);
		tries_after = card_pin_tries(c, kenmen ? CARD_PIN_KENMEN_B :
		    req.method == CARD_UNLOCK_B ? CARD_PIN_KENHOJO_B : CARD_PIN_KENHOJO, &e2);
	}
	/* The audit row first, as at the window: matched with the store's
	 * residents (idcheck.read / nomatch / mismatch / nonumber).  No row,
	 * no output. */
	{
		struct visit *v = calloc(1, sizeof(*v));
		struct err ea;

		err_clear(&ea);
		if (v == NULL) {
			fprintf(stderr, "madoguchi: out of memory\n");
			goto out;
		}
		visit_begin(v, sa.user);
		r = visit_card_check(v, st, res, &ea);
		visit_end(v);
		free(v);
		if (r != 0) {
			fprintf(stderr, "madoguchi card read: 記録できないため表示しません (%s)\n", ea.msg);
			goto out;
		}
	}
	if (json)
		print_json(res, tries_after);
	else
		print_result(res, tries_after);
	if (res->mynumber != NULL) {
		char masked[MYNUMBER_MASKED_LEN];
		mynumber_mask(res->mynumber, MYNUMBER_LEN, masked);
		log_info("card read: %s via %s, 個人番号 %s", card_ap_name(res->ap),
		    res->unlock == CARD_UNLOCK_PIN ? "PIN" : "照合番号B", masked);
	} else
		log_info("card read: %s via 照合番号B", card_ap_name(res->ap));
	log_info("card authenticity: %s%s%s, chip %s", card_auth_name(res->auth),
	    res->auth_fail ? " " : "", card_auth_fail_name(res->auth_fail),
	    card_chip_name(res->chip));
	rc = 0;
out:
	card_result_free(res);
	card_close(c);
	card_secret_free(secret);
	card_anchors_free(&anchors);
	store_close(st);
	return rc;
}

int
cmd_card(struct app_opts *o, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "status") == 0)
		return card_status(o, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "read") == 0)
		return card_read(o, argc - 1, argv + 1);
	fprintf(stderr, "usage: madoguchi card status [--reader NAME]\n"
	    "       madoguchi card read --user NAME [--password-stdin] [--pin-stdin | --b-stdin] "
	    "[--confirm-last-try] [--kenmen | --jpki] [--json] [--reader NAME]\n");
	return 2;
}
