/*
 * scr-identity.c — the identity check at the window (F2): choose how (the
 * resident's 4-digit PIN, 照合番号B typed by the clerk from the card face,
 * documents only, or an agent), read the card on a worker thread, show the
 * 基本4情報 beside the resident record with every difference marked, and
 * record the check (ID-1, ID-2, ID-3, ID-6, SC-1, SC-4).
 *
 * PIN safety (SPEC 5): the PIN box is masked, the tries left are shown
 * before anything is sent, one try left needs the clerk's explicit yes, and
 * the PIN goes from the box into sodium memory (card_secret_new) and the
 * box is wiped at once.  Nothing here logs or keeps a PIN or a full
 * 個人番号; the card result is freed (wiped) when the screen closes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui-internal.h"
#include "card.h"
#include "store.h"
#include "visit.h"

/* ------------------------------------------------------------ visit */

struct visit *
ui_visit(struct ui *u)
{
	if (u->visit == NULL && (u->visit = calloc(1, sizeof(*u->visit))) == NULL)
		return NULL;
	if (!visit_is_for(u->visit, u->ses.user))
		visit_begin(u->visit, u->ses.user);
	return u->visit;
}

void
ui_visit_free(struct ui *u)
{
	if (u->visit == NULL)
		return;
	visit_end(u->visit);
	free(u->visit);
	u->visit = NULL;
}

/* ------------------------------------------------------ card watcher */

static void
watch_cb(void *arg, const struct card_event *ev)
{
	struct shell_ev e = { EV_CARD, (int)ev->state, "" };

	snprintf(e.text, sizeof(e.text), "%s", ev->reader);
	evq_post(arg, &e);
}

/* The status line shows the reader state (issue: "waits for a card"): the
 * watcher runs for the whole session, unless the shell started its own. */
static void
watch_ensure(struct ui *u)
{
	struct card_watch *w;
	struct card_event ev;

	if (u->card_watch != NULL)
		return;
	if (card_watch_start(conf_str(u->conf, "card", "reader"), watch_cb, u->evq, &w, NULL) == 0) {
		u->card_watch = w;
		card_watch_get(w, &ev);
		watch_cb(u->evq, &ev);
	}
}

/* -------------------------------------------------------- checklist */

struct checklist {
	const char *lead;
	const struct iddoc_list *docs;
	int checked[IDDOC_MAX];
	int sel;
	int extra;			/* 1: a 委任状 line first (agent) */
	int proxy;
};

static void
checklist_draw(struct ui *u, void *arg)
{
	struct checklist *c = arg;
	int y = ui_body_top() + 1, x = 4, n = c->docs->n + c->extra;
	char line[256];

	ui_put(y, x, c->lead, COLS - 2 * x, 0);
	y += 2;
	for (int i = 0; i < n; i++) {
		int on = c->extra && i == 0 ? c->proxy : c->checked[i - c->extra];
		const char *label = c->extra && i == 0 ? "委任状を確認した" :
		    c->docs->v[i - c->extra].label;
		snprintf(line, sizeof(line), "[%s] %s", on ? "x" : " ", label);
		attrset(i == c->sel ? ui_attr(u, C_FOCUS) : (int)A_NORMAL);
		ui_put(y + i, x, line, COLS - 2 * x, 1);
		attrset(A_NORMAL);
	}
	attrset(ui_attr(u, C_DIM));
	ui_put(y + n + 1, x, "↑↓ 移動  Space 選択  F9 記録  Esc 取消", COLS - 2 * x, 0);
	attrset(A_NORMAL);
}

/* 1 confirmed (F9), 0 cancelled, -1 aborted. */
static int
checklist_run(struct ui *u, struct checklist *c, const char *title)
{
	struct ui_key k;
	int r, n = c->docs->n + c->extra;

	ui_push(u, checklist_draw, c, 1, title, ACTBIT(ACT_BACK) | ACTBIT(ACT_SAVE));
	for (;;) {
		ui_getkey(u, &k);
		if (k.type == UI_K_ABORT) {
			r = -1;
			break;
		}
		if (UI_ACT_IS(&k, ACT_BACK)) {
			r = 0;
			break;
		}
		if (UI_ACT_IS(&k, ACT_SAVE)) {
			r = 1;
			break;
		}
		if (k.type == UI_K_ACTION) {
			ui_dispatch(u, k.act);
			continue;
		}
		if ((UI_KEY_IS(&k, KEY_DOWN) || UI_CHAR_IS(&k, '\t')) && n > 0)
			c->sel = (c->sel + 1) % n;
		else if ((UI_KEY_IS(&k, KEY_UP) || UI_KEY_IS(&k, KEY_BTAB)) && n > 0)
			c->sel = (c->sel + n - 1) % n;
		else if (UI_CHAR_IS(&k, ' ') || UI_CHAR_IS(&k, '\n')) {
			if (c->extra && c->sel == 0)
				c->proxy = !c->proxy;
			else if (n > 0)
				c->checked[c->sel - c->extra] = !c->checked[c->sel - c->extra];
		} else
			continue;
		ui_redraw(u);
	}
	ui_pop(u);
	return r;
}

/* --------------------------------------------------------- card read */

struct secret_view {
	enum card_unlock method;
	int jpki;			/* the 利用者証明用 PIN (電子証明書の確認) */
	struct ui_input in[3];		/* PIN; or B as printed: birth, expiry, code */
	int nin, focus;
	int tries;			/* -1 unknown */
	char note[160];
};

static void
secret_draw(struct ui *u, void *arg)
{
	struct secret_view *s = arg;
	static const char *const blabels[] = {
		"生年月日（券面のとおり 例 S55.2.17）", "有効期限（年 例 2035）",
		"セキュリティコード（4桁）"
	};
	int y = ui_body_top() + 1, x = 4, fx = 40;
	char line[160];

	snprintf(line, sizeof(line), "カードの状態: %s",
	    card_state_name_ja((enum card_state)u->status.card_state));
	ui_put(y, x, line, COLS - 2 * x, 0);
	if (s->jpki) {
		ui_put(y + 2, x, "来庁者ご本人に、利用者証明用電子証明書の暗証番号（4桁）を入力してもらってください。",
		    COLS - 2 * x, 0);
		ui_put(y + 3, x, "カードがこの暗証番号のあとに署名し、電子証明書をオフラインで確認します。",
		    COLS - 2 * x, 0);
		ui_put(y + 4, x, "暗証番号", fx - x, 1);
	} else if (s->method == CARD_UNLOCK_PIN) {
		ui_put(y + 2, x, "来庁者ご本人に、券面事項入力補助用の暗証番号（4桁）を入力してもらってください。",
		    COLS - 2 * x, 0);
		ui_put(y + 4, x, "暗証番号", fx - x, 1);
	} else {
		ui_put(y + 2, x, "カード券面のとおりに生年月日（和暦の券面は和暦で）・有効期限・セキュリティコードを入力してください。",
		    COLS - 2 * x, 0);
		for (int i = 0; i < 3; i++)
			ui_put(y + 4 + i, x, blabels[i], fx - x, 1);
	}
	if (s->tries >= 0 && u->status.card_state == CARD_STATE_PRESENT)
		snprintf(line, sizeof(line), "残り回数: %d回%s", s->tries,
		    s->tries == 1 ? "（あと1回間違えるとロックされます）" :
		    s->tries == 0 ? "（ロックされています）" : "");
	else
		snprintf(line, sizeof(line), "残り回数: 未確認（カードを置くと表示します）");
	attrset(s->tries >= 0 && s->tries <= 1 && u->status.card_state == CARD_STATE_PRESENT ?
	    ui_attr(u, C_ERROR) : (int)A_NORMAL);
	ui_put(y + 8, x, line, COLS - 2 * x, 0);
	attrset(A_NORMAL);
	attrset(ui_attr(u, C_DIM));
	ui_put(y + 10, x, "Enter 読取  Tab 次の項目  Esc 取消", COLS - 2 * x, 0);
	attrset(A_NORMAL);
	for (int i = 0; i < s->nin; i++)
		if (i != s->focus)
			ui_input_draw(u, &s->in[i], y + 4 + i, fx, 0);
	ui_input_draw(u, &s->in[s->focus], y + 4 + s->focus, fx, 1);
}

struct card_job {
	const char *reader;
	enum card_pin which;
	struct card_read_req req;
	struct card_result *res;
	int tries;
	struct err e;
};

static int
tries_job(void *arg)
{
	struct card_job *j = arg;
	struct card *c;
	int r;

	j->tries = -1;
	if ((r = card_open(j->reader, &c, &j->e)) != 0)
		return r;
	j->tries = card_pin_tries(c, j->which, &j->e);
	card_close(c);
	if (j->tries < 0) {
		r = j->tries;
		j->tries = -1;		/* no answer is no count, never "locked" */
		return r;
	}
	return 0;
}

/* 照合番号B opens the 券面事項確認AP too: its face photo and 氏名/住所 images
 * go with the result for the clerk to compare with the person (ID-1).
 * The same B verifies there (a separate counter, and only after the
 * 入力補助AP accepted it, so it is right); after a PIN read the 個人番号
 * read is 照合番号A there.  Images from data whose
 * signature or chip check failed are not shown; a failure here costs the
 * read nothing: the screen says the photo could not be read. */
static void
face_read(struct card *c, struct card_job *j)
{
	struct card_read_req req = j->req;
	struct card_result *kr = NULL;
	struct err e;

	err_clear(&e);
	if (card_read_kenmen(c, &req, &kr, &e) != 0) {
		log_warn("face images not read: %s", e.msg);
		return;
	}
	if (kr->auth == CARD_AUTH_FAILED || kr->chip == CARD_CHIP_FAILED)
		log_warn("face images not shown: 券面事項確認AP authenticity %s, chip %s",
		    card_auth_name(kr->auth), card_chip_name(kr->chip));
	else {
		card_face_free(&j->res->face);
		j->res->face = kr->face;	/* moved: kr no longer owns them */
		memset(&kr->face, 0, sizeof(kr->face));
	}
	card_result_free(kr);
}

static int
read_job(void *arg)
{
	struct card_job *j = arg;
	struct card *c;
	int r;

	if ((r = card_open(j->reader, &c, &j->e)) != 0)
		return r;
	r = card_read_kenhojo(c, &j->req, &j->res, &j->e);
	if (r == 0 && j->req.method == CARD_UNLOCK_B)
		face_read(c, j);
	else if (r == 0 && j->res->mynumber != NULL) {
		/* A PIN read shows the face too (issue 11): the 個人番号 it
		 * gave is 照合番号A, which opens the 券面事項確認AP's EF 0002
		 * (LAYOUT.md).  Never with one try left: that count is not
		 * the clerk's to spend here. */
		struct card_read_req pin = j->req;
		char *a = card_secret_new();

		if (a != NULL) {
			memcpy(a, j->res->mynumber, MYNUMBER_LEN);
			a[MYNUMBER_LEN] = '\0';
			j->req.method = CARD_UNLOCK_A;
			j->req.secret = a;
			j->req.confirm_last_try = 0;
			face_read(c, j);
			card_secret_free(a);
			j->req = pin;
		}
	}
	card_close(c);
	return r;
}

static void
tries_refresh(struct ui *u, struct secret_view *s)
{
	struct card_job j;

	memset(&j, 0, sizeof(j));
	j.tries = -1;
	j.reader = conf_str(u->conf, "card", "reader");
	j.which = s->jpki ? CARD_PIN_JPKI_AUTH :
	    s->method == CARD_UNLOCK_B ? CARD_PIN_KENHOJO_B : CARD_PIN_KENHOJO;
	/* No card, no count (issue 19: a removed card is never "locked"). */
	if (u->status.card_state != CARD_STATE_PRESENT) {
		s->tries = -1;
		return;
	}
	s->tries = ui_busy(u, "カード確認中", tries_job, &j) == 0 ? j.tries : -1;
}

/* Ask for the secret and read 入力補助AP.  Returns the result (caller
 * frees) or NULL (cancelled, aborted, or failed with the reason shown). */
static struct card_result *
card_read_run(struct ui *u, enum card_unlock method, int *use_b)
{
	struct secret_view *s = calloc(1, sizeof(*s));
	struct card_result *res = NULL;
	struct card_anchors anchors;
	struct ui_key k;
	int last_state;

	if (s == NULL)
		return NULL;
	/* The issuer keys (checked at start-up; none: unverifiable). */
	if (app_card_anchors(u->conf, &anchors, NULL) != 0)
		memset(&anchors, 0, sizeof(anchors));
	s->method = method;
	s->tries = -1;
	if (method == CARD_UNLOCK_PIN) {
		ui_input_init(&s->in[0], 8, CARD_PIN_LEN, LE_DIGITS, 1);
		s->nin = 1;
	} else {
		ui_input_init(&s->in[0], 18, 24, LE_ANY, 0);
		ui_input_init(&s->in[1], 12, 16, LE_ANY, 0);
		ui_input_init(&s->in[2], 6, 4, LE_DIGITS, 1);
		s->nin = 3;
	}
	ui_push(u, secret_draw, s, 1, method == CARD_UNLOCK_PIN ? "本人確認 — 暗証番号で読取" :
	    "本人確認 — 照合番号Bで読取", ACTBIT(ACT_BACK));
	if (u->status.card_state == CARD_STATE_PRESENT)
		tries_refresh(u, s);
	last_state = u->status.card_state;
	ui_redraw(u);
	for (;;) {
		ui_getkey(u, &k);
		if (u->status.card_state != last_state) {
			/* the card came or went: the counter is the new card's */
			last_state = u->status.card_state;
			s->tries = -1;
			if (last_state == CARD_STATE_PRESENT)
				tries_refresh(u, s);
			ui_redraw(u);
		}
		if (k.type == UI_K_ABORT || UI_ACT_IS(&k, ACT_BACK))
			break;
		if (k.type == UI_K_ACTION) {
			ui_dispatch(u, k.act);
			continue;
		}
		if (UI_CHAR_IS(&k, '\t') || UI_KEY_IS(&k, KEY_DOWN)) {
			s->focus = (s->focus + 1) % s->nin;
		} else if (UI_KEY_IS(&k, KEY_BTAB) || UI_KEY_IS(&k, KEY_UP)) {
			s->focus = (s->focus + s->nin - 1) % s->nin;
		} else if (UI_CHAR_IS(&k, '\n')) {
			struct card_job j;
			char *secret = card_secret_new();
			char a[96], b[64], c[16];
			int r;

			if (secret == NULL) {
				ui_message(u, 1, "メモリが足りません");
				continue;
			}
			memset(&j, 0, sizeof(j));
			if (method == CARD_UNLOCK_PIN) {
				lineedit_get(&s->in[0].le, secret, CARD_SECRET_MAX);
				r = card_pin_check(secret, &j.e);
			} else {
				lineedit_get(&s->in[0].le, a, sizeof(a));
				lineedit_get(&s->in[1].le, b, sizeof(b));
				lineedit_get(&s->in[2].le, c, sizeof(c));
				r = card_b_from_printed(a, b, c, secret, &j.e);
				mem_wipe(a, sizeof(a));
				mem_wipe(b, sizeof(b));
				mem_wipe(c, sizeof(c));
			}
			if (r != 0) {
				card_secret_free(secret);
				ui_message(u, 1, "%s", err_ja(&j.e));
				continue;
			}
			/* the secret has left the boxes */
			for (int i = 0; i < s->nin; i++)
				lineedit_wipe(&s->in[i].le);
			tries_refresh(u, s);
			if (s->tries == 0) {
				card_secret_free(secret);
				if (method == CARD_UNLOCK_PIN && use_b != NULL) {
					/* ID-1: the 基本4情報 can still be read with
					 * 照合番号B (not the 個人番号). */
					*use_b = ui_confirm(u, "暗証番号がロックされています",
					    "このカードの暗証番号はロックされています（再設定は住所地の市区町村窓口）。\n"
					    "照合番号B（券面の生年月日・有効期限・セキュリティコード）で基本4情報を\n"
					    "読み取りますか。個人番号は読めないため、番号確認は券面か書類で行います。") == 1;
					break;
				}
				ui_alert(u, "カードがロックされています",
				    "このカードの暗証番号（照合番号B）はロックされています。\n"
				    "住所地の市区町村窓口で初期化（再設定）の手続きが必要です。\n"
				    "書類による本人確認に切り替えてください。");
				break;
			}
			j.req.method = method;
			j.req.secret = secret;
			j.req.anchors = &anchors;
			if (s->tries == 1) {
				int yes = ui_confirm(u, "残り1回です",
				    "入力の残り回数が1回です。間違えるとカードがロックされます。\n"
				    "入力内容をご本人に確かめてもらいましたか。送信しますか。");
				if (yes != 1) {
					card_secret_free(secret);
					ui_message(u, 0, "送信を取りやめました（回数は減っていません）");
					if (yes < 0)
						break;
					continue;
				}
				j.req.confirm_last_try = 1;
			}
			j.reader = conf_str(u->conf, "card", "reader");
			r = ui_busy(u, "カード読取中", read_job, &j);
			card_secret_free(secret);
			if (r == 0) {
				res = j.res;
				/* The count the card now gives (reset by the
				 * successful VERIFY), shown on the result. */
				tries_refresh(u, s);
				if (s->tries >= 0)
					res->tries_left = s->tries;
				break;
			}
			/* Only a card that answered the VERIFY gives a count. */
			if (j.req.tries_after >= 0 && (r == ERR_AUTH || r == ERR_LOCKED))
				s->tries = j.req.tries_after;
			else if (r == ERR_CARD || r == ERR_NOTFOUND)
				s->tries = -1;
			if (r == ERR_AUTH || r == ERR_LOCKED) {
				/* LOG-1: a refused secret is a card event worth a
				 * row (never the secret, no person known yet) */
				char d[96];
				snprintf(d, sizeof(d), "%s refused by the card, tries left %d",
				    method == CARD_UNLOCK_B ? "照合番号B" : "PIN", j.req.tries_after);
				session_audit(&u->ses, "idcheck.failed", NULL, "idcheck", d, NULL);
			}
			if (r == ERR_LOCKED) {
				if (method == CARD_UNLOCK_PIN && use_b != NULL) {
					*use_b = ui_confirm(u, "カードがロックされました",
					    "暗証番号がロックされました。照合番号Bで基本4情報を読み取りますか。\n"
					    "個人番号は読めないため、番号確認は券面か書類で行います。") == 1;
					break;
				}
				ui_alert(u, "カードがロックされました", err_ja(&j.e));
				break;
			}
			ui_message(u, 1, "%s", err_ja(&j.e));
			s->focus = 0;
		} else if (!ui_input_key(&s->in[s->focus], &k))
			continue;
		ui_redraw(u);
	}
	for (int i = 0; i < s->nin; i++)
		lineedit_wipe(&s->in[i].le);
	ui_pop(u);
	mem_wipe(s, sizeof(*s));
	free(s);
	card_anchors_free(&anchors);
	return res;
}

/* ------------------------------------------- 電子証明書で真正性を確認 */

struct jpki_job {
	const char *reader;
	struct card_read_req req;
	const struct card_jpki_roots *roots;
	const struct card_result *basic4;
	struct card_jpki_auth *au;
	struct err e;
};

static int
jpki_job_run(void *arg)
{
	struct jpki_job *j = arg;
	struct card *c;
	int r;

	if ((r = card_open(j->reader, &c, &j->e)) != 0)
		return r;
	r = card_jpki_authenticate(c, &j->req, j->roots, j->basic4, &j->au, &j->e);
	card_close(c);
	return r;
}

/* Issue 11, ID-5: after the 入力補助AP read, the card signs a fresh
 * challenge with its 利用者証明用 key after that 4-digit PIN; the signature
 * is checked against the certificate and the certificate against
 * [card] jpki_roots offline, its subject against the read (where it
 * carries 基本4情報).  The verdict goes into res, and with it into the
 * identity-check record.  0 with a verdict, -1 cancelled or no verdict
 * (the reason shown; the read itself stays as it was). */
static int
jpki_check_run(struct ui *u, struct card_result *res)
{
	struct secret_view *s = calloc(1, sizeof(*s));
	const char *path = conf_str(u->conf, "card", "jpki_roots");
	struct card_jpki_roots *roots = NULL;
	struct ui_key k;
	struct err e;
	int done = -1;

	if (s == NULL)
		return -1;
	err_clear(&e);
	if (path[0] != '\0' && card_jpki_roots_load(path, &roots, &e) != 0) {
		/* checked at start-up; changed since: unverifiable, said so */
		log_warn("[card] jpki_roots: %s", e.msg);
		roots = NULL;
	}
	s->method = CARD_UNLOCK_PIN;
	s->jpki = 1;
	s->tries = -1;
	ui_input_init(&s->in[0], 8, CARD_PIN_LEN, LE_DIGITS, 1);
	s->nin = 1;
	ui_push(u, secret_draw, s, 1, "本人確認 — 電子証明書で真正性を確認", ACTBIT(ACT_BACK));
	tries_refresh(u, s);
	ui_redraw(u);
	for (;;) {
		ui_getkey(u, &k);
		if (k.type == UI_K_ABORT || UI_ACT_IS(&k, ACT_BACK))
			break;
		if (k.type == UI_K_ACTION) {
			ui_dispatch(u, k.act);
			continue;
		}
		if (UI_CHAR_IS(&k, '\n')) {
			struct jpki_job j;
			char *secret = card_secret_new();
			int r;

			if (secret == NULL) {
				ui_message(u, 1, "メモリが足りません");
				continue;
			}
			memset(&j, 0, sizeof(j));
			lineedit_get(&s->in[0].le, secret, CARD_SECRET_MAX);
			lineedit_wipe(&s->in[0].le);
			if (card_pin_check(secret, &j.e) != 0) {
				card_secret_free(secret);
				ui_message(u, 1, "%s", err_ja(&j.e));
				ui_redraw(u);
				continue;
			}
			tries_refresh(u, s);
			if (s->tries == 0) {
				card_secret_free(secret);
				ui_alert(u, "電子証明書の暗証番号がロックされています",
				    "利用者証明用電子証明書の暗証番号はロックされています（再設定は住所地の市区町村窓口）。\n"
				    "電子証明書での確認はできません。読み取った結果で続けます。");
				break;
			}
			j.req.method = CARD_UNLOCK_PIN;
			j.req.secret = secret;
			if (s->tries == 1) {
				int yes = ui_confirm(u, "残り1回です",
				    "入力の残り回数が1回です。間違えると電子証明書の暗証番号がロックされます。\n"
				    "入力内容をご本人に確かめてもらいましたか。送信しますか。");
				if (yes != 1) {
					card_secret_free(secret);
					ui_message(u, 0, "送信を取りやめました（回数は減っていません）");
					if (yes < 0)
						break;
					ui_redraw(u);
					continue;
				}
				j.req.confirm_last_try = 1;
			}
			j.reader = conf_str(u->conf, "card", "reader");
			j.roots = roots;
			j.basic4 = res;
			r = ui_busy(u, "電子証明書を確認中", jpki_job_run, &j);
			card_secret_free(secret);
			if (r == 0) {
				char line[256];

				card_result_add_jpki(res, j.au);
				card_jpki_auth_summary(j.au, line, sizeof(line));
				log_info("card check: %s", line);
				ui_message(u, j.au->verdict == CARD_JPKI_FAILED ? 1 : 0,
				    "電子証明書: %s — %s", card_jpki_verdict_name_ja(j.au->verdict),
				    j.au->note_ja);
				card_jpki_auth_free(j.au);
				done = 0;
				break;
			}
			if (j.req.tries_after >= 0 && (r == ERR_AUTH || r == ERR_LOCKED))
				s->tries = j.req.tries_after;
			if (r == ERR_AUTH || r == ERR_LOCKED) {
				char d[96];
				snprintf(d, sizeof(d), "JPKI PIN refused by the card, tries left %d",
				    j.req.tries_after);
				session_audit(&u->ses, "idcheck.failed", NULL, "idcheck", d, NULL);
			}
			if (r == ERR_LOCKED) {
				ui_alert(u, "電子証明書の暗証番号がロックされました", err_ja(&j.e));
				break;
			}
			ui_message(u, 1, "%s", err_ja(&j.e));
		} else if (!ui_input_key(&s->in[0], &k))
			continue;
		ui_redraw(u);
	}
	lineedit_wipe(&s->in[0].le);
	ui_pop(u);
	mem_wipe(s, sizeof(*s));
	free(s);
	card_jpki_roots_free(roots);
	return done;
}

/* --------------------------------------------------------- the result */

struct result_view {
	const struct card_result *card;
	struct visit *v;
	int show_number;		/* account may view the 個人番号 */
	char record_number[16];		/* stored number, masked unless permitted */
	struct ui_face face;		/* the card's photo and images (face.c) */
};

static void
row2(struct ui *u, int y, const char *label, int differs, const char *card, const char *rec)
{
	attrset(differs ? ui_attr(u, C_ERROR) : (int)A_NORMAL);
	ui_put(y, 2, label, 10, 1);
	ui_put(y, 12, differs ? "≠" : " ", 2, 1);
	attrset(A_NORMAL);
	attrset(ui_attr(u, C_DIM));
	ui_put(y, 14, "カード", 7, 1);
	ui_put(y + 1, 14, "記録", 7, 1);
	attrset(A_NORMAL);
	attrset(differs ? ui_attr(u, C_ERROR) : (int)A_NORMAL);
	ui_put(y, 21, card, COLS - 23, 0);
	ui_put(y + 1, 21, rec, COLS - 23, 0);
	attrset(A_NORMAL);
}

static const char *
digest_ja(enum card_digest d)
{
	switch (d) {
	case CARD_DIGEST_OK: return "一致";
	case CARD_DIGEST_MISMATCH: return "不一致（改ざんの可能性）";
	case CARD_DIGEST_MISSING: return "なし";
	default: return "未確認";
	}
}

static void
result_draw(struct ui *u, void *arg)
{
	struct result_view *rv = arg;
	const struct card_result *c = rv->card;
	const struct visit *v = rv->v;
	const struct person *p = &v->person;
	int have = v->have_person && (v->match == IDC_MATCHED || v->match == IDC_NUMBER_MISMATCH);
	int y = ui_body_top();
	char line[320], cb[64], pb[64], cn[64];

	snprintf(line, sizeof(line), "%s（%s） 残り%d回  真正性 %s%s%s%s  チップ %s",
	    card_ap_name_ja(c->ap), card_unlock_name_ja(c->unlock), c->tries_left,
	    c->auth == CARD_AUTH_UNVERIFIABLE ? "検証不可（鍵未登録）" : card_auth_name_ja(c->auth),
	    c->auth_fail ? "（" : "", card_auth_fail_name_ja(c->auth_fail),
	    c->auth_fail ? "）" : "", c->chip == CARD_CHIP_GENUINE ? "真正" :
	    c->chip == CARD_CHIP_FAILED ? "不一致（複製の疑い）" : "未確認");
	attrset(c->auth == CARD_AUTH_FAILED || c->chip == CARD_CHIP_FAILED ? ui_attr(u, C_ERROR) :
	    c->auth == CARD_AUTH_VERIFIED && c->chip == CARD_CHIP_GENUINE ? ui_attr(u, C_OK) :
	    (int)A_NORMAL);
	ui_put(y, 2, line, COLS - 4, 0);
	attrset(A_NORMAL);
	snprintf(line, sizeof(line), "ダイジェスト  個人番号: %s   基本4情報: %s",
	    digest_ja(c->digest_mynumber), digest_ja(c->digest_basic4));
	attrset(c->digest_mynumber != CARD_DIGEST_MISMATCH && c->digest_basic4 == CARD_DIGEST_OK ?
	    (int)A_NORMAL : ui_attr(u, C_ERROR));
	ui_put(y + 1, 2, line, COLS - 4, 0);
	attrset(A_NORMAL);
	switch (v->match) {
	case IDC_MATCHED:
		snprintf(line, sizeof(line), "照合結果: 住民記録と一致しました（宛名番号 %s）%s", p->atena,
		    v->cmp.ndiff ? " — 相違があります（≠）" : "");
		attrset(ui_attr(u, v->cmp.ndiff ? C_ERROR : C_OK));
		break;
	case IDC_NO_PERSON:
		snprintf(line, sizeof(line), "照合結果: この個人番号の住民は登録されていません — 紐付けしません");
		attrset(ui_attr(u, C_ERROR));
		break;
	case IDC_NUMBER_MISMATCH:
		snprintf(line, sizeof(line), "照合結果: 個人番号が住民記録（%s %s）と一致しません — 紐付けしません",
		    p->name, p->atena);
		attrset(ui_attr(u, C_ERROR));
		break;
	default:
		snprintf(line, sizeof(line), "照合結果: カードから有効な個人番号を読めませんでした — 紐付けしません");
		attrset(ui_attr(u, C_ERROR));
		break;
	}
	ui_put(y + 2, 2, line, COLS - 4, 0);
	attrset(A_NORMAL);
	y += 4;
	row2(u, y, "氏名", have && v->cmp.differs[IDC_NAME], c->name ? c->name : "",
	    have ? p->name : "—");
	row2(u, y + 2, "住所", have && v->cmp.differs[IDC_ADDRESS], c->address ? c->address : "",
	    have ? person_address_shown(p) : "—");
	person_birth_text(date_to_ymd(&c->birth), cb, sizeof(cb));
	person_birth_text(p->birth, pb, sizeof(pb));
	row2(u, y + 4, "生年月日", have && v->cmp.differs[IDC_BIRTH], cb, have ? pb : "—");
	row2(u, y + 6, "性別", have && v->cmp.differs[IDC_SEX], sex_name_ja(c->sex),
	    have ? sex_name_ja(p->sex) : "—");
	/* SC-1: the number unmasked only for accounts with the view flag. */
	if (rv->show_number && c->mynumber != NULL)
		snprintf(cn, sizeof(cn), "%s", c->mynumber);
	else if (c->mynumber == NULL && c->unlock == CARD_UNLOCK_B)
		snprintf(cn, sizeof(cn), "%s", "（照合番号Bでは読めません）");
	else
		snprintf(cn, sizeof(cn), "%s", v->masked_number[0] ? v->masked_number : "—");
	row2(u, y + 8, "個人番号", v->match == IDC_NUMBER_MISMATCH, cn,
	    rv->record_number[0] ? rv->record_number : "—");
	mem_wipe(cn, sizeof(cn));
	attrset(ui_attr(u, C_DIM));
	if (c->mynumber == NULL && c->unlock == CARD_UNLOCK_B)
		ui_put(y + 10, 2, "番号確認: カード券面の個人番号か番号確認書類で行います（照合番号Bの読取）",
		    COLS - 4, 0);
	/* a row of its own: beside the B note it ran over it, and the photo
	 * panel at the right would cover its end */
	if (c->jpki)
		ui_put(y + 12, 2, c->jpki == CARD_JPKI_VERIFIED ?
		    "電子証明書で確認: 検証済み（オフライン: 署名と有効期間のみ）" :
		    c->jpki == CARD_JPKI_FAILED ? "電子証明書で確認: 検証失敗" :
		    "電子証明書で確認: 検証不能（ルート証明書が未設定か発行元が不明）",
		    COLS - 4, 0);
	else if (c->auth == CARD_AUTH_UNVERIFIABLE)
		ui_put(y + 12, 2, "発行者の鍵が未登録のため真正性は検証できません",
		    COLS - 4, 0);
	ui_put(y + 11, 2, v->match == IDC_MATCHED ?
	    (c->auth == CARD_AUTH_FAILED || c->chip == CARD_CHIP_FAILED ?
	    "このカードでは本人確認を完了できません。Esc で戻り、書類で確認してください" :
	    "F9 本人確認を記録（追加の書類を選べます）  Esc 記録せずに戻る") :
	    "紐付けはできません。Esc で戻り、書類での確認や担当者への確認をしてください",
	    COLS - 4, 0);
	attrset(A_NORMAL);
	/* the photo beside the rows, the 氏名/住所 images (or why not) under */
	ui_face_draw(u, &rv->face, y, y + 13);
}

/* The 券面事項確認AP images of this read (face_read), decoded for as long
 * as the result screen is up (ID-1: the clerk compares the photo with the
 * person at the window); a PIN read has them through 照合番号A. */
static void
face_load(struct result_view *rv, const struct card_result *c)
{
	ui_face_load(&rv->face, c->face.photo_jp2, c->face.photo_len, c->face.name_png,
	    c->face.name_len, c->face.addr_png, c->face.addr_len);
	/* a B read should have brought them: say so when it did not */
	if (c->unlock == CARD_UNLOCK_B)
		rv->face.present = 1;
}

static void
record_number(struct ui *u, struct result_view *rv)
{
	char num[MYNUMBER_MASKED_LEN];

	rv->record_number[0] = '\0';
	if (!rv->v->have_person || rv->v->match == IDC_NO_PERSON)
		return;
	/* issue 15: the number opens only with the right's key; the masked
	 * form is kept beside it for everyone. */
	if (rv->show_number &&
	    store_mynumber_get(u->ses.st, rv->v->person.atena, num, NULL) == 0) {
		snprintf(rv->record_number, sizeof(rv->record_number), "%s", num);
		session_audit(&u->ses, "mynumber.view", rv->v->person.atena, "idcheck", NULL, NULL);
	} else if (store_mynumber_masked(u->ses.st, rv->v->person.atena, num, NULL) == 0)
		snprintf(rv->record_number, sizeof(rv->record_number), "%s", num);
	mem_wipe(num, sizeof(num));
}

static void
docs_load(struct ui *u, struct iddoc_list *docs)
{
	struct err e;

	err_clear(&e);
	if (iddoc_parse(conf_str(u->conf, "card", "id_documents"), docs, &e) != 0) {
		/* the configuration was checked at load for syntax only */
		ui_message(u, 1, "設定 [card] id_documents が正しくありません: %s", e.msg);
		iddoc_parse(iddoc_default, docs, NULL);
	}
}

/* After a good read: check against the record, show, and record. */
static void
card_result_run(struct ui *u, struct visit *v, struct card_result *card)
{
	struct result_view rv;
	struct ui_key k;
	struct err e;

	err_clear(&e);
	if (visit_card_check(v, u->ses.st, card, &e) != 0) {
		ui_message(u, 1, "%s", err_ja(&e));
		return;
	}
	memset(&rv, 0, sizeof(rv));
	rv.card = card;
	rv.v = v;
	rv.show_number = store_user(u->ses.st)->view_mynumber;
	record_number(u, &rv);
	face_load(&rv, card);
	ui_push(u, result_draw, &rv, 1, "本人確認 — カードと住民記録の照合",
	    ACTBIT(ACT_BACK) | (v->match == IDC_MATCHED ? ACTBIT(ACT_SAVE) : 0));
	for (;;) {
		ui_getkey(u, &k);
		if (k.type == UI_K_ABORT || UI_ACT_IS(&k, ACT_BACK))
			break;
		if (UI_ACT_IS(&k, ACT_SAVE)) {
			struct iddoc_list docs;
			struct checklist cl;
			struct idcheck_input in;
			int r;

			if (v->match != IDC_MATCHED) {
				ui_message(u, 1, "照合できないため本人確認を記録できません（紐付けしません）");
				continue;
			}
			if (card->auth == CARD_AUTH_FAILED || card->chip == CARD_CHIP_FAILED) {
				/* Refused before any checklist (the refusal is
				 * audited by visit_idcheck_save). */
				memset(&in, 0, sizeof(in));
				in.card = card;
				err_clear(&e);
				if (visit_idcheck_save(v, u->ses.st, &in, &e) != 0)
					ui_message(u, 1, "%s", err_ja(&e));
				continue;
			}
			docs_load(u, &docs);
			memset(&cl, 0, sizeof(cl));
			cl.lead = "カード読取のほかに確認した書類があれば選んでください（なければそのまま F9）。";
			cl.docs = &docs;
			if ((r = checklist_run(u, &cl, "本人確認 — 追加の書類")) < 0)
				break;
			if (r == 0)
				continue;
			memset(&in, 0, sizeof(in));
			in.card = card;
			in.docs = &docs;
			in.checked = cl.checked;
			err_clear(&e);
			if (visit_idcheck_save(v, u->ses.st, &in, &e) != 0) {
				ui_message(u, 1, "%s", err_ja(&e));
				continue;
			}
			ui_message(u, 2, "本人確認を記録しました（%s さん）", v->person.name);
			ui_pop(u);
			ui_face_free(&rv.face);
			mem_wipe(&rv, sizeof(rv));
			/* SC-5, issue 14: a DV/不開示 person opens only after the
			 * warning was shown and acknowledged, as from F3 (the
			 * audit row says so only then) */
			if (ui_restricted_ack(u, &v->person))
				ui_person_open(u, v->person.atena, person_restricted(&v->person));
			return;
		}
		if (k.type == UI_K_ACTION)
			ui_dispatch(u, k.act);
	}
	ui_pop(u);
	ui_face_free(&rv.face);
	mem_wipe(&rv, sizeof(rv));
}

/* ----------------------------------------------------- documents only */

static void
documents_run(struct ui *u, struct visit *v)
{
	struct iddoc_list docs;
	struct checklist cl;
	struct idcheck_input in;
	struct err e;
	char lead[512];

	if (!v->have_person) {
		ui_message(u, 1, "先に F3 で住民を検索し、記録を開いてから F2 を押してください");
		return;
	}
	docs_load(u, &docs);
	memset(&cl, 0, sizeof(cl));
	if (v->agent.present && v->agent.idcheck[0] != '\0')
		/* ID-2: the agent's 身元確認 and the 委任状 are recorded; the
		 * absent principal's photo ID is not asked for */
		snprintf(lead, sizeof(lead), "%s さん（%s）の番号確認の書類を選んでください（写しでも可）。",
		    v->person.name, v->person.atena);
	else
		snprintf(lead, sizeof(lead), "%s さん（%s）について、確認した書類を選んでください。",
		    v->person.name, v->person.atena);
	cl.lead = lead;
	cl.docs = &docs;
	for (;;) {
		if (checklist_run(u, &cl, v->agent.present && v->agent.idcheck[0] != '\0' ?
		    "本人の番号確認（代理人の来庁：本人の身元確認書類は不要です）" :
		    "本人確認 — 書類による確認") != 1)
			return;
		memset(&in, 0, sizeof(in));
		in.docs = &docs;
		in.checked = cl.checked;
		err_clear(&e);
		if (visit_idcheck_save(v, u->ses.st, &in, &e) == 0)
			break;
		ui_message(u, 1, "%s", err_ja(&e));
	}
	ui_message(u, 2, "本人確認（書類）を記録しました（%s さん）", v->person.name);
}

/* --------------------------------------------------------------- agent */

struct agent_view {
	struct ui_input in[4];
	int focus;
	const char *principal;
};

static void
agent_draw(struct ui *u, void *arg)
{
	struct agent_view *a = arg;
	static const char *const labels[] = { "代理人氏名", "代理人カナ", "本人との関係", "代理人住所" };
	int y = ui_body_top() + 1, x = 4, fx = 20;
	char line[256];

	snprintf(line, sizeof(line), "委任者（本人）: %s", a->principal);
	ui_put(y, x, line, COLS - 2 * x, 0);
	for (int i = 0; i < 4; i++) {
		ui_put(y + 2 + i, x, labels[i], fx - x, 1);
		if (i != a->focus)
			ui_input_draw(u, &a->in[i], y + 2 + i, fx, 0);
	}
	attrset(ui_attr(u, C_DIM));
	ui_put(y + 7, x, "Enter 次へ（委任状と代理人の本人確認書類）  Tab 次の項目  Esc 取消", COLS - 2 * x, 0);
	attrset(A_NORMAL);
	ui_input_draw(u, &a->in[a->focus], y + 2 + a->focus, fx, 1);
}

static void
agent_run(struct ui *u, struct visit *v)
{
	struct agent_view a;
	struct ui_key k;
	char principal[200];

	if (!v->have_person) {
		ui_message(u, 1, "先に F3 で本人（委任者）を検索し、記録を開いてから F2 を押してください");
		return;
	}
	memset(&a, 0, sizeof(a));
	snprintf(principal, sizeof(principal), "%s（%s）", v->person.name, v->person.atena);
	a.principal = principal;
	for (int i = 0; i < 4; i++)
		ui_input_init(&a.in[i], i == 3 ? 50 : 30, i == 3 ? 120 : 60, LE_ANY, 0);
	ui_push(u, agent_draw, &a, 1, "代理人の来庁", ACTBIT(ACT_BACK));
	for (;;) {
		ui_getkey(u, &k);
		if (k.type == UI_K_ABORT || UI_ACT_IS(&k, ACT_BACK))
			break;
		if (k.type == UI_K_ACTION) {
			ui_dispatch(u, k.act);
			continue;
		}
		if (UI_CHAR_IS(&k, '\t') || UI_KEY_IS(&k, KEY_DOWN))
			a.focus = (a.focus + 1) % 4;
		else if (UI_KEY_IS(&k, KEY_BTAB) || UI_KEY_IS(&k, KEY_UP))
			a.focus = (a.focus + 3) % 4;
		else if (UI_CHAR_IS(&k, '\n')) {
			struct iddoc_list docs;
			struct checklist cl;
			struct visit_agent keep = v->agent;
			struct err e;
			int r;

			lineedit_get(&a.in[0].le, v->agent.name, sizeof(v->agent.name));
			lineedit_get(&a.in[1].le, v->agent.kana, sizeof(v->agent.kana));
			lineedit_get(&a.in[2].le, v->agent.relation, sizeof(v->agent.relation));
			lineedit_get(&a.in[3].le, v->agent.address, sizeof(v->agent.address));
			if (v->agent.name[0] == '\0') {
				ui_message(u, 1, "代理人の氏名を入力してください");
				a.focus = 0;
				ui_redraw(u);
				continue;
			}
			docs_load(u, &docs);
			memset(&cl, 0, sizeof(cl));
			cl.lead = "委任状と、代理人ご本人の本人確認書類を選んでください。";
			cl.docs = &docs;
			cl.extra = 1;
			/* until recorded or cancelled; a refusal keeps the ticks */
			for (;;) {
				if ((r = checklist_run(u, &cl, "代理人 — 委任状と本人確認書類")) != 1)
					break;
				v->agent.proxy_letter = cl.proxy;
				err_clear(&e);
				if (visit_agent_save(v, u->ses.st, &docs, cl.checked, &e) == 0)
					break;
				ui_message(u, 1, "%s", err_ja(&e));
			}
			if (r < 0)
				break;
			if (r == 0) {
				v->agent = keep;
				continue;
			}
			ui_message(u, 2, "代理人（%s）を記録しました。続けて本人の番号確認をしてください（F2）",
			    v->agent.name);
			break;
		} else if (!ui_input_key(&a.in[a.focus], &k))
			continue;
		ui_redraw(u);
	}
	for (int i = 0; i < 4; i++)
		lineedit_wipe(&a.in[i].le);
	ui_pop(u);
}

/* ---------------------------------------------------------------- F2 */

static void
identity_flow(struct ui *u, struct visit *v)
{
	static const char *const items[] = {
		"暗証番号（4桁）でカードを読み取る",
		"照合番号B（券面）でカードを読み取る",
		"カードを読み取らず書類で確認する",
		"代理人の来庁を記録する",
		"電子証明書で真正性を確認（暗証番号で読取のあと利用者証明用の暗証番号）",
	};
	struct card_result *res;
	int m;

	watch_ensure(u);
	m = ui_pick(u, "本人確認の方法", items, 5, 0);
	if (m < 0)
		return;
	/* the last step's message (代理人を記録しました…) has had its moment */
	ui_clear_message(u);
	if (m == 2) {
		documents_run(u, v);
		return;
	}
	if (m == 3) {
		agent_run(u, v);
		return;
	}
	if (m == 4) {
		/* issue 11: the route that needs no undisclosed issuer key —
		 * the read first (the 基本4情報 and 個人番号 to match the
		 * record), then the card's 利用者証明用 signature */
		if ((res = card_read_run(u, CARD_UNLOCK_PIN, NULL)) == NULL)
			return;
		if (jpki_check_run(u, res) != 0)
			ui_message(u, 1, "電子証明書での確認はできませんでした（読み取った結果で続けます）");
	} else {
		int use_b = 0;
		res = card_read_run(u, m == 0 ? CARD_UNLOCK_PIN : CARD_UNLOCK_B, &use_b);
		if (res == NULL && use_b)
			res = card_read_run(u, CARD_UNLOCK_B, NULL);
	}
	if (res == NULL)
		return;
	card_result_run(u, v, res);
	card_result_free(res);
}

void
ui_identity_run(struct ui *u)
{
	struct visit *v;

	if (u->ses.state != SES_ACTIVE || u->ses.st == NULL || (v = ui_visit(u)) == NULL)
		return;
	/* F2 from the start screen is a new visitor (a card checked against a
	 * person looked up for someone else would only confuse), unless an
	 * agent was just recorded for this visit.  F2 from a person's record
	 * checks against that person (ui_identity_for). */
	if (v->agent.present) {
		/* ID-2: the agent's visit may go on (the principal's 番号確認
		 * after the agent was recorded), but a new visitor must not be
		 * checked against the last one's principal: ask, いいえ by
		 * default (F8 次の方 ends a visit without asking here) */
		char text[512];
		int r;

		snprintf(text, sizeof(text), "代理人 %s さんの来庁の続きですか。\n（本人 %s）\n"
		    "「いいえ」でその来庁を終了し、次の方として本人確認をします。",
		    v->agent.name, v->have_person ? v->person.name : "未特定");
		r = ui_confirm(u, "本人確認", text);
		mem_wipe(text, sizeof(text));
		if (r < 0)
			return;
		if (r == 0)
			visit_begin(v, u->ses.user);
	} else
		visit_begin(v, u->ses.user);
	identity_flow(u, v);
}

void
ui_identity_for(struct ui *u, const struct person *p)
{
	struct visit *v;

	if (u->ses.state != SES_ACTIVE || (v = ui_visit(u)) == NULL)
		return;
	if (!(v->have_person && strcmp(v->person.atena, p->atena) == 0)) {
		visit_begin(v, u->ses.user);
		visit_set_person(v, p);
	}
	identity_flow(u, v);
}

void
ui_idlookup_install(struct ui *u)
{
	u->actions[ACT_CARD] = ui_identity_run;
	u->actions[ACT_SEARCH] = ui_lookup_run;
	/* the status line shows the reader and card state from the start */
	watch_ensure(u);
}

void
ui_idlookup_end(struct ui *u)
{
	if (u->card_watch != NULL) {
		card_watch_stop(u->card_watch);
		u->card_watch = NULL;
	}
	ui_visit_free(u);
}
