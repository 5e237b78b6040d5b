/*
 * test_intake_seeds.c — one complete intake per seed procedure, from the
 * card read to the printed slip, on the real screens of screens/ (INT-1..
 * INT-5): a private pcscd with mynacard-sim holding the demo card, the
 * sanitized madoguchi in tmux, the demo residents (seed 1) in a store made
 * with the store API, and the print command pointed at a file.  The forms
 * are filled by a generic filler that walks the screen definition: every
 * required field without a prefilled value gets a value its own checks
 * accept (the test keeps a mirror of the form to know which fields show).
 *
 * Also the two screen rules the seeds insist on: TOKYO 他県転入 without the
 * 同意書 is refused (INT-4), and KOBE 高齢期移行 refuses a 70-year-old
 * (INT-5); in both nothing is saved.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sqlite3.h>

#include "card.h"
#include "core.h"
#include "harness.h"
#include "pcsc_rig.h"
#include "intake.h"
#include "screen.h"
#include "store.h"
#include "tmux.h"
#include "tui_counter.h"
#include "visit.h"

#define ADMIN_PW "Zq#4817Lmtv"
#define CLERK_PW "Hana#7391kx"

/* Whether the visit's identity check read the card: then card.mynumber
 * prefills the card's number (issue 15: the visit keeps it; the stored
 * one is sealed to the view right, which clerk1 does not hold). */
static int card_checked;
/* The resident's own number, which the resident gives when nothing
 * prefills it (a check by documents; ID-3 refuses any other). */
static char person_number[13];
#define WAIT 20000
#define NRES 1000

static const char *const procs[] = { "maru-fuku", "kokuho", "yobo", "jiritsu-seishin",
	"iryohi-josei", NULL };

/* ------------------------------------------------ pcscd + simulator */

struct rig {
	pid_t pcscd, sim;
	int port;
	char dir[512];
	char sock[600];
	char env[700];
};

static void
rig_up(struct rig *r, const char *card)
{
	char port[16], prof[1024];

	memset(r, 0, sizeof(*r));
	REQUIRE((r->port = rig_pair_port()) > 0);
	snprintf(port, sizeof(port), "%d", r->port);
	snprintf(r->dir, sizeof(r->dir), "%s/pcscd", t_tmpdir());
	snprintf(r->sock, sizeof(r->sock), "%s/pcscd.comm", r->dir);
	snprintf(r->env, sizeof(r->env), "PCSCLITE_CSOCK_NAME=%s", r->sock);
	setenv("PCSCLITE_CSOCK_NAME", r->sock, 1);
	{
		char *const argv[] = { (char *)t_bin("mynacard-sim"), "--die-with-parent",
		    "--pcscd", r->dir, "--port", port, NULL };
		r->pcscd = t_start(argv, NULL, t_path("pcscd.log"));
	}
	REQUIRE(r->pcscd > 0);
	REQUIRE(t_wait_for(rig_reader_up, NULL, 10000));
	snprintf(prof, sizeof(prof), "%s/data/cards/%s.card", t_srcdir(), card);
	{
		char *const argv[] = { (char *)t_bin("mynacard-sim"), "--die-with-parent",
		    "--port", port, prof, NULL };
		r->sim = t_start(argv, NULL, t_path("sim.log"));
	}
	REQUIRE(r->sim > 0);
	REQUIRE(t_wait_for(rig_card_in, NULL, 10000));
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

/* ------------------------------------------------------------ store */

static struct account clerk_acc;

static void
setup(void)
{
	struct store *st;
	struct person p;
	struct date d;
	struct err e;
	char conf[4096];

	card_checked = 0;
	REQUIRE_OK(store_create(t_path("store"), "admin", ADMIN_PW, &e), &e);
	REQUIRE_OK(store_open(t_path("store"), "admin", ADMIN_PW, &st, &e), &e);
	memset(&clerk_acc, 0, sizeof(clerk_acc));
	snprintf(clerk_acc.name, sizeof(clerk_acc.name), "clerk1");
	snprintf(clerk_acc.display, sizeof(clerk_acc.display), "窓口 花子");
	clerk_acc.role = ROLE_CLERK;
	for (int i = 0; procs[i] != NULL; i++) {
		snprintf(clerk_acc.perms[i].procedure, STORE_NAME_MAX, "%s", procs[i]);
		clerk_acc.perms[i].level = PERM_WRITE;
		clerk_acc.nperms++;
	}
	REQUIRE_OK(store_account_add(st, &clerk_acc, CLERK_PW, &e), &e);
	REQUIRE_OK(store_synth_load(st, 1, NRES, &e), &e);
	/* a resident of 70 (KOBE 高齢期移行 is 65-69) */
	memset(&p, 0, sizeof(p));
	snprintf(p.atena, sizeof(p.atena), "9000000070");
	snprintf(p.name, sizeof(p.name), "試験 七十");
	snprintf(p.kana, sizeof(p.kana), "シケン ナナジュウ");
	date_today(&d);
	d.y -= 70;
	if (d.m == 2 && d.d == 29)
		d.d = 28;
	date_from_days(date_to_days(&d) - 10, &d);
	p.birth = date_to_ymd(&d);
	p.sex = 1;
	snprintf(p.address, sizeof(p.address), "窓口市北区青葉町2丁目1番1号");
	snprintf(p.head, sizeof(p.head), "試験 七十");
	REQUIRE_OK(store_person_upsert(st, &p, &e), &e);
	store_close(st);
	snprintf(conf, sizeof(conf),
	    "[terminal]\nmunicipality = 窓口市\nbranch = 北支所\nid = T007\n"
	    "[store]\ndir = %s\n"
	    "[ui]\nlog = %s\nscreens = %s/screens\nprint_command = cat >> '%s'\n",
	    t_path("store"), t_path("madoguchi.log"), t_srcdir(), t_path("printed.txt"));
	REQUIRE(t_write_file(t_path("madoguchi.conf"), conf, strlen(conf)) == 0);
}

static int64_t
count(const char *sql)
{
	struct store *st;
	sqlite3_stmt *q;
	struct err e;
	int64_t n = -1;

	if (store_open(t_path("store"), "admin", ADMIN_PW, &st, &e) != 0)
		return -1;
	if (sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL) == SQLITE_OK) {
		if (sqlite3_step(q) == SQLITE_ROW)
			n = sqlite3_column_int64(q, 0);
		sqlite3_finalize(q);
	}
	store_close(st);
	return n;
}

/* ------------------------------------------------------- terminal */

static void
start(struct tmx *t, struct rig *r)
{
	char conf[1024], env[800];
	char *argv[] = { (char *)t_bin("madoguchi"), "--config", conf, NULL };

	snprintf(conf, sizeof(conf), "%s", t_path("madoguchi.conf"));
	env[0] = '\0';
	if (r != NULL)
		tmx_quote(env, sizeof(env), r->env);
	REQUIRE(tmx_start_env(t, 110, 34, env, argv) == 0);
	REQUIRE(tmx_wait(t, "アカウントとパスワードを入力してください", WAIT));
	tui_login(t, "clerk1", CLERK_PW);
}

/* F2 with the PIN (demo-1: 遠藤 和子, 1000000001), recorded. */
static void
card_check(struct tmx *t)
{
	card_checked = 1;
	REQUIRE(tmx_wait(t, "カード:あり", WAIT));
	tmx_keys(t, "F2", NULL);
	REQUIRE(tmx_wait(t, "本人確認の方法", WAIT));
	tmx_keys(t, "Enter", NULL);
	REQUIRE(tmx_wait(t, "残り回数: ", WAIT));
	tmx_text(t, "1234");
	tmx_keys(t, "Enter", NULL);
	REQUIRE(tmx_wait(t, "住民記録と一致しました（宛名番号 1000000001）", WAIT));
	tmx_keys(t, "F9", NULL);
	REQUIRE(tmx_wait(t, "追加の書類", WAIT));
	tmx_keys(t, "F9", NULL);
	REQUIRE(tmx_wait(t, "本人確認を記録しました", WAIT));
	REQUIRE(tmx_wait(t, "住民記録  遠藤 和子（1000000001）", WAIT));
}

/* F3 by 宛名番号, open, F2 by documents (マイナンバーカード shown). */
static void
documents_check(struct tmx *t, const char *atena)
{
	card_checked = 0;
	tmx_keys(t, "F3", NULL);
	REQUIRE(tmx_wait(t, "住民の検索（F3）", WAIT));
	tmx_keys(t, "Tab", "Tab", "Tab", NULL);
	tmx_text(t, atena);
	tmx_keys(t, "Enter", NULL);
	REQUIRE(tmx_wait(t, "検索結果", WAIT));
	tmx_keys(t, "Enter", NULL);
	REQUIRE(tmx_wait(t, "住民記録", WAIT));
	tmx_keys(t, "F2", NULL);
	REQUIRE(tmx_wait(t, "本人確認の方法", WAIT));
	tmx_keys(t, "Down", "Down", "Enter", NULL);
	REQUIRE(tmx_wait(t, "書類による確認", WAIT));
	tmx_keys(t, "Space", "F9", NULL);
	REQUIRE(tmx_wait(t, "本人確認（書類）を記録しました", WAIT));
}

/* ------------------------------------------------------ the filler */

struct filler {
	struct screen_set *set;
	const struct screen *s;
	struct form *mirror;
	const char *skip;		/* a required field left empty */
	const char *tick;		/* a checkbox ticked although optional */
};

/* The first screen of procedure p in the clerk's menu (fewest fields),
 * its menu position in *pos. */
static const struct screen *
pick_screen(struct screen_set *set, const char *p, const char *id, int *pos)
{
	int idx[256], n = intake_menu(set, &clerk_acc, idx, 256), best = -1;

	for (int i = 0; i < n; i++) {
		const struct screen *s = set->s[idx[i]];
		if (id != NULL ? strcmp(s->id, id) != 0 : strcmp(s->procedure, p) != 0)
			continue;
		if (best < 0 || s->nfields < set->s[idx[best]]->nfields)
			best = i;
	}
	if (best < 0)
		return NULL;
	*pos = best;
	return set->s[idx[best]];
}

static int
next_shown(const struct form *f, int from)
{
	for (int i = from + 1; i < f->s->nfields; i++)
		if (form_field_shown(f, i))
			return i;
	return -1;
}

/* A value of field i that its own checks accept (tried on the mirror). */
static const char *
sample(struct filler *fl, int i)
{
	static char buf[256];
	const struct field *fd = &fl->s->fields[i];
	const char *cands[8];
	int n = 0, len = fd->min_len > 0 ? fd->min_len : 2;
	char today[16];
	struct date d;

	if (fd->type == FT_MYNUMBER && person_number[0] != '\0' &&
	    form_set_index(fl->mirror, i, person_number, NULL) == 0)
		return person_number;
	date_today(&d);
	date_format_iso(&d, today, sizeof(today));
	if (fd->max_len > 0 && len > fd->max_len)
		len = fd->max_len;
	switch (fd->type) {
	case FT_TEXT:
		buf[0] = '\0';
		for (int k = 0; k < len; k++)
			strcat(buf, "試");
		cands[n++] = buf;
		cands[n++] = "F32";	/* codes with a pattern (ICD-10) */
		cands[n++] = "F32.1";
		cands[n++] = "A123";
		break;
	case FT_KANA:
		buf[0] = '\0';
		for (int k = 0; k < len; k++)
			strcat(buf, "ア");
		cands[n++] = buf;
		break;
	case FT_DIGITS:
		memset(buf, '1', (size_t)len);
		buf[len] = '\0';
		cands[n++] = buf;
		cands[n++] = "2025";
		cands[n++] = "202504";
		cands[n++] = "12";
		cands[n++] = "33120015";	/* a 保険者番号 with its 検証番号 */
		break;
	case FT_YEAR: cands[n++] = "2025"; cands[n++] = "R7"; break;
	case FT_YEARMONTH: cands[n++] = "202504"; break;
	case FT_DATE:
		cands[n++] = today;
		cands[n++] = "2024-04-01";
		cands[n++] = "2000-04-01";
		break;
	case FT_MONEY: cands[n++] = "1000"; break;
	case FT_PHONE: cands[n++] = "0312345678"; break;
	case FT_POSTAL: cands[n++] = "1000001"; break;
	case FT_MYNUMBER: cands[n++] = "123456789018"; break;
	default: break;
	}
	for (int k = 0; k < n; k++)
		if (form_set_index(fl->mirror, i, cands[k], NULL) == 0) {
			static char out[256];
			snprintf(out, sizeof(out), "%s", cands[k]);
			return out;
		}
	t_fail_at(__FILE__, __LINE__, "%s: no sample value for %s", fl->s->id, fd->name);
	t_stop();
}

/* Walk the form from its first shown field to the last, filling what is
 * required and empty; the focus moves with Tab exactly as the mirror's
 * shown fields say. */
static void
fill(struct tmx *t, struct filler *fl)
{
	int i = form_field_shown(fl->mirror, 0) ? 0 : next_shown(fl->mirror, 0);

	while (i >= 0) {
		const struct field *fd = &fl->s->fields[i];
		int want = (fd->required && fl->mirror->values[i][0] == '\0') ||
		    (fl->tick != NULL && strcmp(fd->name, fl->tick) == 0);
		if (fl->skip != NULL && strcmp(fd->name, fl->skip) == 0)
			want = 0;
		if (want) {
			if (fd->type == FT_SELECT) {
				tmx_keys(t, "Right", NULL);
				form_set_index(fl->mirror, i, fd->options[0], NULL);
			} else if (fd->type == FT_CHECKBOX) {
				tmx_keys(t, "Space", NULL);
				form_set_index(fl->mirror, i, "1", NULL);
			} else
				tmx_text(t, sample(fl, i));
		}
		if ((i = next_shown(fl->mirror, i)) >= 0)
			tmx_keys(t, "Tab", NULL);
	}
}

/* F4 → the screen → purpose → (form filled by fill) for the visit's person. */
static void
open_screen(struct tmx *t, struct filler *fl, const char *proc, const char *id,
    const char *atena)
{
	struct store *st;
	struct person p;
	struct visit v;
	struct err e;
	int pos = 0;

	{
		char dir[1024];
		snprintf(dir, sizeof(dir), "%s/screens", t_srcdir());
		REQUIRE_OK(screen_set_load(dir, &fl->set, &e), &e);
	}
	fl->s = pick_screen(fl->set, proc, id, &pos);
	if (fl->s == NULL)
		t_skip("no screen for procedure %s in screens/", proc);
	/* the mirror: prefilled as the program does */
	REQUIRE_OK(store_open(t_path("store"), "clerk1", CLERK_PW, &st, &e), &e);
	REQUIRE_OK(store_person_get(st, atena, &p, &e), &e);
	visit_begin(&v, "clerk1");
	visit_set_person(&v, &p);
	v.linked = 1;
	{
		/* the card of this person carries the number of the record */
		struct store *adm;

		REQUIRE_OK(store_open(t_path("store"), "admin", ADMIN_PW, &adm, &e), &e);
		if (store_mynumber_get(adm, atena, person_number, NULL) != 0)
			person_number[0] = '\0';
		store_close(adm);
		if (card_checked)
			snprintf(v.card_number, sizeof(v.card_number), "%s", person_number);
	}
	fl->mirror = form_new(fl->s);
	REQUIRE(fl->mirror != NULL);
	intake_prefill(fl->mirror, st, &v, NULL);
	visit_end(&v);
	store_close(st);
	tmx_keys(t, "F4", NULL);
	REQUIRE(tmx_wait(t, "新規申請 —", WAIT));
	for (int k = 0; k < pos; k++)
		tmx_keys(t, "Down", NULL);
	tmx_keys(t, "Enter", NULL);
	if (fl->s->purpose[0] != '\0') {
		REQUIRE(tmx_wait(t, "利用目的の説明", WAIT));
		tmx_keys(t, "y", NULL);
	}
	REQUIRE(tmx_wait(t, fl->s->title, WAIT));
}

static void
filler_free(struct filler *fl)
{
	form_free(fl->mirror);
	screen_set_free(fl->set);
}

static int
digit_run(const char *s, int n)
{
	int r = 0;

	for (; *s; s++) {
		r = (*s >= '0' && *s <= '9') ? r + 1 : 0;
		if (r >= n)
			return 1;
	}
	return 0;
}

/* Card read → F4 → the procedure's screen, filled → save → slip. */
static void
seed_intake(const char *proc)
{
	struct tmx t;
	struct rig r;
	struct filler fl;
	char receipt[64], *s, *printed, sql[256];

	setup();
	rig_up(&r, "demo-1");
	start(&t, &r);
	card_check(&t);
	memset(&fl, 0, sizeof(fl));
	open_screen(&t, &fl, proc, NULL, "1000000001");
	fill(&t, &fl);
	tmx_keys(&t, "F9", NULL);
	REQUIRE(tmx_wait(&t, "この内容で確定しますか", WAIT));
	tmx_keys(&t, "y", NULL);
	REQUIRE(tmx_wait(&t, "で保存しました", WAIT));
	s = tmx_capture(&t);
	REQUIRE(strstr(s, "受付番号 T007-") != NULL);
	sscanf(strstr(s, "受付番号 T007-") + strlen("受付番号 "), "%63s", receipt);
	free(s);
	REQUIRE(tmx_wait(&t, "続けて入力しますか", WAIT));
	tmx_keys(&t, "n", NULL);
	REQUIRE(tmx_wait(&t, "受付票を印刷しました", WAIT));
	REQUIRE(tmx_wait(&t, "もう一度印刷しますか", WAIT));
	tmx_keys(&t, "n", NULL);
	tui_quit(&t);
	rig_down(&r);
	printed = t_read_file(t_path("printed.txt"), NULL);
	REQUIRE(printed != NULL);
	CHECK(strstr(printed, receipt) != NULL);
	CHECK(strstr(printed, fl.s->title) != NULL);
	CHECK(!digit_run(printed, 12));		/* no 個人番号 on the slip */
	free(printed);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM applications WHERE procedure = '%s' "
	    "AND type = '%s' AND atena = '1000000001' AND status = 'received'", proc, fl.s->id);
	CHECK_INT(count(sql), 1);
	CHECK_INT(count("SELECT count(*) FROM audit WHERE action = 'print.receipt'"), 1);
	filler_free(&fl);
}

TEST(seed_mito_maru_fuku_card_to_slip) { seed_intake("maru-fuku"); }		/* INT-1 */
TEST(seed_hiroshima_kokuho_card_to_slip) { seed_intake("kokuho"); }		/* INT-2 */
TEST(seed_kawasaki_yobo_card_to_slip) { seed_intake("yobo"); }			/* INT-3 */
TEST(seed_tokyo_jiritsu_card_to_slip) { seed_intake("jiritsu-seishin"); }	/* INT-4 */
TEST(seed_kobe_josei_card_to_slip) { seed_intake("iryohi-josei"); }		/* INT-5 */

/* INT-4 (TOKYO III.2-R2): 他県転入 without the 同意書 is refused; with it,
 * the application saves. */
TEST(tokyo_transfer_without_consent_refused)
{
	struct tmx t;
	struct filler fl;

	setup();
	start(&t, NULL);
	documents_check(&t, "1000000001");
	memset(&fl, 0, sizeof(fl));
	fl.skip = "consent";
	fl.tick = "transfer";
	open_screen(&t, &fl, "jiritsu-seishin", "jiritsu-shinki", "1000000001");
	fill(&t, &fl);
	tmx_keys(&t, "F9", NULL);
	REQUIRE(tmx_wait(&t, "「添付：同意書」: チェックが必要です", WAIT));
	CHECK(tmx_wait_gone(&t, "この内容で確定しますか", 2000));
	CHECK_INT(count("SELECT count(*) FROM applications"), 0);
	/* the refusal put the focus on the 同意書: tick it, and it saves */
	tmx_keys(&t, "Space", NULL);
	form_set(fl.mirror, "consent", "1", NULL);
	tmx_keys(&t, "F9", NULL);
	REQUIRE(tmx_wait(&t, "」: 入力が必要です", WAIT));
	{
		/* the 診断書 items appeared with the 同意書: the refusal put the
		 * focus on the first of them; fill from there */
		int i = -1, first = 1, bad = -1;
		REQUIRE(form_validate(fl.mirror, &bad, NULL) != 0 && bad >= 0);
		i = bad - 1;
		while ((i = next_shown(fl.mirror, i)) >= 0) {
			const struct field *fd = &fl.s->fields[i];
			if (!first)
				tmx_keys(&t, "Tab", NULL);
			first = 0;
			if (fd->required && fl.mirror->values[i][0] == '\0') {
				if (fd->type == FT_SELECT) {
					tmx_keys(&t, "Right", NULL);
					form_set_index(fl.mirror, i, fd->options[0], NULL);
				} else if (fd->type == FT_CHECKBOX) {
					tmx_keys(&t, "Space", NULL);
					form_set_index(fl.mirror, i, "1", NULL);
				} else
					tmx_text(&t, sample(&fl, i));
			}
		}
		tmx_keys(&t, "F9", NULL);
		REQUIRE(tmx_wait(&t, "この内容で確定しますか", WAIT));
	}
	tmx_keys(&t, "y", NULL);
	REQUIRE(tmx_wait(&t, "で保存しました", WAIT));
	tmx_keys(&t, "n", NULL);
	REQUIRE(tmx_wait(&t, "もう一度印刷しますか", WAIT));
	tmx_keys(&t, "n", NULL);
	tui_quit(&t);
	CHECK_INT(count("SELECT count(*) FROM applications WHERE type = 'jiritsu-shinki' "
	    "AND form_json LIKE '%\"consent\":true%'"), 1);
	filler_free(&fl);
}

/* INT-5 (KOBE): 高齢期移行 is for 65-69: the record's birth date of a
 * 70-year-old is not taken, typing it is refused, and nothing saves. */
TEST(kobe_koreiki_iko_refuses_a_70_year_old)
{
	struct tmx t;
	struct filler fl;
	struct person p;
	struct store *st;
	struct date d;
	struct err e;
	char birth[16];
	int bi;

	setup();
	REQUIRE_OK(store_open(t_path("store"), "admin", ADMIN_PW, &st, &e), &e);
	REQUIRE_OK(store_person_get(st, "9000000070", &p, &e), &e);
	store_close(st);
	date_from_ymd(p.birth, &d);
	date_format_iso(&d, birth, sizeof(birth));
	start(&t, NULL);
	documents_check(&t, "9000000070");
	memset(&fl, 0, sizeof(fl));
	open_screen(&t, &fl, "iryohi-josei", "josei-koreiki-iko", "9000000070");
	REQUIRE(tmx_wait(&t, "年齢が65歳から69歳の範囲にありません", WAIT));
	bi = screen_field(fl.s, "birth");
	REQUIRE(bi >= 0);
	CHECK_STR(fl.mirror->values[bi], "");		/* not prefilled */
	/* go to 生年月日 and type the real birth date: refused */
	for (int i = form_field_shown(fl.mirror, 0) ? 0 : next_shown(fl.mirror, 0);
	    i >= 0 && i < bi; i = next_shown(fl.mirror, i))
		tmx_keys(&t, "Tab", NULL);
	tmx_text(&t, birth);
	tmx_keys(&t, "Tab", NULL);
	REQUIRE(tmx_wait(&t, "年齢が65歳から69歳の範囲にありません", WAIT));
	tmx_keys(&t, "F9", NULL);
	CHECK(tmx_wait_gone(&t, "この内容で確定しますか", 2000));
	/* nothing was taken: the form leaves without asking */
	tmx_keys(&t, "C-u", "Escape", NULL);
	REQUIRE(tmx_wait(&t, "新規申請 —", WAIT));
	tui_quit(&t);
	CHECK_INT(count("SELECT count(*) FROM applications"), 0);
	filler_free(&fl);
}
