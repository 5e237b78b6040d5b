/*
 * test_intake.c — the intake, review and ledger rules over a real encrypted
 * store: receipt numbers (INT-8), saving refused without the identity check
 * (ID-1) or the agent's 委任状 (ID-2), the procedure menu (AC-6), the
 * purpose-of-use acknowledgement (INT-7), four eyes (AC-7), corrections that
 * keep the old value (DATA-3), a changed 個人番号 waiting for confirmation
 * (ID-6), 進達 batches whose list count equals the batch (INT-9), the
 * overdue report (INT-10), the inquiry log (INT-11), the receipt slip
 * without a 12-digit number and its printing (LK-3), and durability of a
 * saved application when the process is killed right after the save.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "core.h"
#include "harness.h"
#include "intake.h"
#include "screen.h"
#include "store.h"
#include "visit.h"

#define ADMIN_PW "Kx9#vTq2mWzr"
#define CLERK_PW "Hb7$pLe4nQvs"
#define REV1_PW "Qm5&wEr8tYzx"
#define REV2_PW "Jn4*uIo7pAsd"

static const char screen_a[] =
	"screen t-intake\n"
	"title 試験申請書（甲）\n"
	"procedure proc-a\n"
	"purpose 試験のための利用目的です。\n"
	"\n"
	"field name\n  label 氏名\n  type text\n  required\n  length 1 40\n  prefill person.name\n"
	"field birth\n  label 生年月日\n  type date\n  required\n  prefill person.birth\n"
	"field mynumber\n  label 個人番号\n  type mynumber\n  prefill person.mynumber\n"
	"field note\n  label 備考\n  type text\n  length 60\n";

static const char screen_b[] =
	"screen t-other\n"
	"title 試験申請書（乙）\n"
	"procedure proc-b\n"
	"\n"
	"field name\n  label 氏名\n  type text\n  required\n  length 1 40\n  prefill person.name\n";

struct fx {
	struct store *admin, *clerk, *rev1, *rev2;
	struct screen *sa, *sb;
	struct screen_set set;
	struct screen *both[2];
	struct visit v;
	char mynumber[13];
	char dir[512];
};

static void
add_account(struct store *st, const char *name, enum store_role role,
    enum store_perm pa, const char *pw)
{
	struct err e;
	struct account a;

	memset(&a, 0, sizeof(a));
	snprintf(a.name, sizeof(a.name), "%s", name);
	snprintf(a.display, sizeof(a.display), "職員 %s", name);
	a.role = role;
	snprintf(a.perms[0].procedure, sizeof(a.perms[0].procedure), "proc-a");
	a.perms[0].level = pa;
	a.nperms = 1;
	/* clerk01 prefills the applicant's 個人番号 from the record after the
	 * identity check: opening the sealed number needs the view right
	 * (issue 15); the reviewers have none. */
	a.view_mynumber = strcmp(name, "clerk01") == 0;
	REQUIRE_OK(store_account_add(st, &a, pw, &e), &e);
}

/* A valid 個人番号 built from 11 digits and its check digit (ID-4). */
static void
make_number(const char *first11, char out[13])
{
	int cd = mynumber_check_digit(first11);

	REQUIRE(cd >= 0);
	snprintf(out, 13, "%s%d", first11, cd);
}

static void
setup_in(struct fx *x, const char *terminal, const char *dir)
{
	struct err e;
	struct person p;

	memset(x, 0, sizeof(*x));
	snprintf(x->dir, sizeof(x->dir), "%s", dir);
	REQUIRE_OK(store_create(dir, "admin01", ADMIN_PW, &e), &e);
	REQUIRE_OK(store_open(dir, "admin01", ADMIN_PW, &x->admin, &e), &e);
	REQUIRE_OK(store_setting_set(x->admin, "terminal.id", terminal, &e), &e);
	add_account(x->admin, "clerk01", ROLE_CLERK, PERM_WRITE, CLERK_PW);
	add_account(x->admin, "review01", ROLE_REVIEWER, PERM_WRITE, REV1_PW);
	add_account(x->admin, "review02", ROLE_REVIEWER, PERM_READ, REV2_PW);
	memset(&p, 0, sizeof(p));
	snprintf(p.atena, sizeof(p.atena), "0000012345");
	snprintf(p.name, sizeof(p.name), "窓口 花子");
	snprintf(p.kana, sizeof(p.kana), "マドグチ ハナコ");
	p.birth = 19850412;
	p.sex = 2;
	snprintf(p.address, sizeof(p.address), "窓口市北区青葉町1丁目2番3号");
	REQUIRE_OK(store_person_upsert(x->admin, &p, &e), &e);
	make_number("12345678901", x->mynumber);
	REQUIRE_OK(store_mynumber_set(x->admin, p.atena, x->mynumber, &e), &e);
	REQUIRE_OK(store_open(dir, "clerk01", CLERK_PW, &x->clerk, &e), &e);
	REQUIRE_OK(store_open(dir, "review01", REV1_PW, &x->rev1, &e), &e);
	REQUIRE_OK(store_open(dir, "review02", REV2_PW, &x->rev2, &e), &e);
	REQUIRE_OK(screen_parse("a.screen", screen_a, strlen(screen_a), &x->sa, &e), &e);
	REQUIRE_OK(screen_parse("b.screen", screen_b, strlen(screen_b), &x->sb, &e), &e);
	x->both[0] = x->sa;
	x->both[1] = x->sb;
	x->set.n = 2;
	x->set.s = x->both;
	/* the visit: identity check by IC read, saved by the clerk (ID-1) */
	visit_begin(&x->v, "clerk01");
	visit_set_person(&x->v, &p);
	snprintf(x->v.idcheck.atena, sizeof(x->v.idcheck.atena), "%s", p.atena);
	snprintf(x->v.idcheck.method, sizeof(x->v.idcheck.method), "ic-card");
	REQUIRE_OK(store_idcheck_save(x->clerk, &x->v.idcheck, &e), &e);
	x->v.linked = 1;
	x->v.match = IDC_MATCHED;
}

static void
setup(struct fx *x, const char *terminal)
{
	setup_in(x, terminal, t_path("s"));
}

static void
teardown(struct fx *x)
{
	store_close(x->admin);
	store_close(x->clerk);
	store_close(x->rev1);
	store_close(x->rev2);
	screen_free(x->sa);
	screen_free(x->sb);
	visit_end(&x->v);
}

/* Fill the screen-a form for the visit's person and save it as the clerk. */
static int
save_one(struct fx *x, struct store *st, const char *note, struct intake_result *res,
    struct err *e)
{
	struct form *f = form_new(x->sa);
	int r;

	REQUIRE(f != NULL);
	intake_prefill(f, st, &x->v, NULL);
	if (note != NULL)
		REQUIRE_OK(form_set(f, "note", note, e), e);
	r = intake_save(st, &x->v, f, 1, res, e);
	form_free(f);
	return r;
}

static int64_t
count_rows(struct store *st, const char *sql)
{
	sqlite3_stmt *q;
	int64_t n = -1;

	REQUIRE(sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL) == SQLITE_OK);
	if (sqlite3_step(q) == SQLITE_ROW)
		n = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return n;
}

static int
receipt_shape(const char *r, const char *term)
{
	char want[64];
	struct date d;

	date_today(&d);
	snprintf(want, sizeof(want), "%s-%04d%02d%02d-", term, d.y, d.m, d.d);
	if (strncmp(r, want, strlen(want)) != 0 || strlen(r) != strlen(want) + 5)
		return 0;
	for (const char *p = r + strlen(want); *p; p++)
		if (*p < '0' || *p > '9')
			return 0;
	return 1;
}

/* INT-8: terminal + date + sequence, unique on the terminal, and two
 * terminals never collide because their IDs differ — without asking the
 * central.  Everything about the save is stored: status, entered-by,
 * identity check, outbox entry, audit row. */
TEST(receipt_numbers_unique_and_shaped)
{
	struct fx x, y;
	struct intake_result r1, r2, r3, ry;
	struct application a;
	struct err e;

	setup(&x, "T001");
	REQUIRE_OK(save_one(&x, x.clerk, NULL, &r1, &e), &e);
	REQUIRE_OK(save_one(&x, x.clerk, NULL, &r2, &e), &e);
	REQUIRE_OK(save_one(&x, x.clerk, NULL, &r3, &e), &e);
	CHECK(receipt_shape(r1.receipt_no, "T001"));
	CHECK(receipt_shape(r3.receipt_no, "T001"));
	CHECK(strcmp(r1.receipt_no, r2.receipt_no) != 0);
	CHECK(strcmp(r2.receipt_no, r3.receipt_no) != 0);
	CHECK(strcmp(r1.receipt_no + strlen(r1.receipt_no) - 5, "00001") == 0);
	CHECK(strcmp(r3.receipt_no + strlen(r3.receipt_no) - 5, "00003") == 0);
	REQUIRE_OK(store_application_get(x.clerk, r1.uuid, &a, &e), &e);
	CHECK_STR(a.status, "received");
	CHECK_STR(a.entered_by, "clerk01");
	CHECK_STR(a.idcheck, x.v.idcheck.uuid);
	CHECK_STR(a.type, "t-intake");
	CHECK(strstr(a.form_json, "窓口 花子") != NULL);
	CHECK(a.agent_json == NULL);
	application_clear(&a);
	CHECK_INT(count_rows(x.clerk, "SELECT count(*) FROM outbox WHERE kind = 'application'"), 3);
	CHECK_INT(count_rows(x.clerk, "SELECT count(*) FROM audit WHERE action = 'application.save'"), 3);
	teardown(&x);

	/* a second terminal (its own store) numbers from 1 as well, and its
	 * numbers differ from the first terminal's by the prefix */
	setup_in(&y, "T002", t_path("s2"));
	REQUIRE_OK(save_one(&y, y.clerk, NULL, &ry, &e), &e);
	CHECK(receipt_shape(ry.receipt_no, "T002"));
	CHECK(strcmp(ry.receipt_no, r1.receipt_no) != 0);
	CHECK_STR(ry.receipt_no + 4, r1.receipt_no + 4);	/* same date and seq */
	teardown(&y);
}

/* ID-1: no identity-check record for the visit, or one that is not in the
 * store, or one for another person: nothing is saved. */
TEST(save_refused_without_identity_check)
{
	struct fx x;
	struct intake_result res;
	struct err e;
	char saved[37];

	setup(&x, "T001");
	snprintf(saved, sizeof(saved), "%s", x.v.idcheck.uuid);
	x.v.idcheck.uuid[0] = '\0';
	CHECK_INT(save_one(&x, x.clerk, NULL, &res, &e), ERR_STATE);
	CHECK(strstr(err_ja(&e), "本人確認") != NULL);
	/* a uuid that the store does not hold */
	snprintf(x.v.idcheck.uuid, sizeof(x.v.idcheck.uuid),
	    "00000000-0000-4000-8000-000000000000");
	CHECK_INT(save_one(&x, x.clerk, NULL, &res, &e), ERR_STATE);
	/* a record for another person */
	{
		struct idcheck other;
		memset(&other, 0, sizeof(other));
		snprintf(other.atena, sizeof(other.atena), "0000099999");
		snprintf(other.method, sizeof(other.method), "ic-card");
		REQUIRE_OK(store_idcheck_save(x.clerk, &other, &e), &e);
		snprintf(x.v.idcheck.uuid, sizeof(x.v.idcheck.uuid), "%s", other.uuid);
		CHECK_INT(save_one(&x, x.clerk, NULL, &res, &e), ERR_STATE);
	}
	CHECK_INT(count_rows(x.clerk, "SELECT count(*) FROM applications"), 0);
	CHECK_INT(count_rows(x.clerk, "SELECT count(*) FROM outbox WHERE kind = 'application'"), 0);
	/* with the real record it saves */
	snprintf(x.v.idcheck.uuid, sizeof(x.v.idcheck.uuid), "%s", saved);
	CHECK_OK(save_one(&x, x.clerk, NULL, &res, &e), &e);
	CHECK_INT(count_rows(x.clerk, "SELECT count(*) FROM applications"), 1);
	teardown(&x);
}

/* ID-2: an agent without a 委任状 or without their own identity check is
 * refused; with both, the agent is stored with the application. */
TEST(agent_needs_proxy_letter_and_own_check)
{
	struct fx x;
	struct intake_result res;
	struct idcheck ag;
	struct application a;
	struct err e;

	setup(&x, "T001");
	x.v.agent.present = 1;
	snprintf(x.v.agent.name, sizeof(x.v.agent.name), "代理 一郎");
	snprintf(x.v.agent.relation, sizeof(x.v.agent.relation), "知人");
	x.v.agent.in_household = 0;
	memset(&ag, 0, sizeof(ag));
	snprintf(ag.method, sizeof(ag.method), "documents");
	REQUIRE_OK(store_idcheck_save(x.clerk, &ag, &e), &e);
	snprintf(x.v.agent.idcheck, sizeof(x.v.agent.idcheck), "%s", ag.uuid);
	x.v.agent.proxy_letter = 0;
	CHECK_INT(save_one(&x, x.clerk, NULL, &res, &e), ERR_STATE);
	CHECK(strstr(err_ja(&e), "委任状") != NULL);
	x.v.agent.proxy_letter = 1;
	x.v.agent.idcheck[0] = '\0';
	CHECK_INT(save_one(&x, x.clerk, NULL, &res, &e), ERR_STATE);
	CHECK(strstr(err_ja(&e), "代理人") != NULL);
	CHECK_INT(count_rows(x.clerk, "SELECT count(*) FROM applications"), 0);
	snprintf(x.v.agent.idcheck, sizeof(x.v.agent.idcheck), "%s", ag.uuid);
	REQUIRE_OK(save_one(&x, x.clerk, NULL, &res, &e), &e);
	REQUIRE_OK(store_application_get(x.clerk, res.uuid, &a, &e), &e);
	REQUIRE(a.agent_json != NULL);
	CHECK(strstr(a.agent_json, "代理 一郎") != NULL);
	CHECK(strstr(a.agent_json, "\"proxy_letter\":true") != NULL);
	application_clear(&a);
	teardown(&x);
}

/* AC-6 and INT-7: the menu shows only procedures the clerk may take in;
 * saving another is refused; so is a form whose purpose-of-use notice was
 * not acknowledged. */
TEST(menu_filtered_and_purpose_required)
{
	struct fx x;
	struct intake_result res;
	struct form *f;
	struct err e;
	int idx[4], n;

	setup(&x, "T001");
	n = intake_menu(&x.set, store_user(x.clerk), idx, 4);
	CHECK_INT(n, 1);
	CHECK_INT(idx[0], 0);
	CHECK_INT(intake_menu(&x.set, store_user(x.rev2), idx, 4), 0);	/* 参照のみ */
	f = form_new(x.sb);
	intake_prefill(f, x.clerk, &x.v, NULL);
	CHECK_STR(form_get(f, "name"), "窓口 花子");
	CHECK_INT(intake_save(x.clerk, &x.v, f, 1, &res, &e), ERR_PERM);
	form_free(f);
	f = form_new(x.sa);
	intake_prefill(f, x.clerk, &x.v, NULL);
	CHECK_STR(form_get(f, "birth"), "1985-04-12");
	CHECK_STR(form_get(f, "mynumber"), x.mynumber);	/* linked by the check */
	CHECK(!f->dirty);
	CHECK_INT(intake_save(x.clerk, &x.v, f, 0, &res, &e), ERR_STATE);
	CHECK(strstr(err_ja(&e), "利用目的") != NULL);
	CHECK_OK(intake_save(x.clerk, &x.v, f, 1, &res, &e), &e);
	form_free(f);
	/* not linked by an identity check: the number is not prefilled */
	x.v.linked = 0;
	f = form_new(x.sa);
	intake_prefill(f, x.clerk, &x.v, NULL);
	CHECK_STR(form_get(f, "mynumber"), "");
	form_free(f);
	teardown(&x);
}

/* AC-7: the clerk cannot confirm (not a reviewer); a reviewer cannot
 * confirm their own entry; another reviewer can. */
TEST(four_eyes_self_confirmation_refused)
{
	struct fx x;
	struct intake_result rc, rr;
	struct application a;
	struct application_list q;
	struct err e;

	setup(&x, "T001");
	REQUIRE_OK(save_one(&x, x.clerk, NULL, &rc, &e), &e);
	REQUIRE_OK(save_one(&x, x.rev1, NULL, &rr, &e), &e);	/* reviewer's own entry */
	REQUIRE_OK(review_queue(x.rev2, &q, &e), &e);
	CHECK_INT(q.n, 2);
	application_list_free(&q);
	CHECK_INT(review_confirm(x.clerk, rc.uuid, &e), ERR_PERM);
	CHECK_INT(review_confirm(x.rev1, rr.uuid, &e), ERR_PERM);
	CHECK(strstr(err_ja(&e), "自分") != NULL);
	CHECK_INT(count_rows(x.rev1, "SELECT count(*) FROM audit WHERE action = "
	    "'application.confirm.refused'"), 1);
	REQUIRE_OK(store_application_get(x.rev1, rr.uuid, &a, &e), &e);
	CHECK_STR(a.status, "received");
	CHECK_STR(a.confirmed_by, "");
	application_clear(&a);
	CHECK_OK(review_confirm(x.rev2, rr.uuid, &e), &e);
	CHECK_OK(review_confirm(x.rev1, rc.uuid, &e), &e);
	REQUIRE_OK(store_application_get(x.rev1, rc.uuid, &a, &e), &e);
	CHECK_STR(a.status, "review");
	CHECK_STR(a.confirmed_by, "review01");
	CHECK_STR(a.entered_by, "clerk01");
	application_clear(&a);
	CHECK_INT(review_confirm(x.rev2, rc.uuid, &e), ERR_STATE);	/* already */
	teardown(&x);
}

/* DATA-3: a correction keeps the old and new value, who and when; it needs
 * a new confirmation by someone other than the corrector. */
TEST(correction_keeps_old_value)
{
	struct fx x;
	struct intake_result res;
	struct app_correction *c = NULL;
	struct application a;
	size_t n = 0;
	int queued;
	struct err e;

	setup(&x, "T001");
	REQUIRE_OK(save_one(&x, x.clerk, "最初の備考", &res, &e), &e);
	REQUIRE_OK(review_confirm(x.rev1, res.uuid, &e), &e);
	/* review01 (write permission) corrects: back to 受付 */
	REQUIRE_OK(intake_correct(x.rev1, x.sa, res.uuid, "note", "訂正後の備考",
	    "記入誤り", &queued, &e), &e);
	CHECK_INT(queued, 0);
	REQUIRE_OK(store_correction_list(x.clerk, res.uuid, &c, &n, &e), &e);
	REQUIRE(n == 1);
	CHECK_STR(c[0].field, "note");
	CHECK_STR(c[0].old_value, "最初の備考");
	CHECK_STR(c[0].new_value, "訂正後の備考");
	CHECK_STR(c[0].by, "review01");
	CHECK_STR(c[0].confirmed_by, "");
	CHECK(c[0].at[0] != '\0');
	free(c);
	REQUIRE_OK(store_application_get(x.clerk, res.uuid, &a, &e), &e);
	CHECK(strstr(a.form_json, "訂正後の備考") != NULL);
	CHECK(strstr(a.form_json, "最初の備考") == NULL);
	CHECK_STR(a.status, "received");
	CHECK_STR(a.confirmed_by, "");
	application_clear(&a);
	/* the central hears of it: the corrected copy and a status item */
	CHECK_INT(count_rows(x.clerk, "SELECT count(*) FROM outbox WHERE kind = 'application'"), 1);
	CHECK_INT(count_rows(x.clerk, "SELECT count(*) FROM outbox WHERE kind = 'status' AND "
	    "CAST(payload AS TEXT) LIKE '%訂正 note%' AND CAST(payload AS TEXT) LIKE '%\"received\"%'"), 1);
	/* an unknown field is not correctable (INT-6) */
	CHECK_INT(intake_correct(x.rev1, x.sa, res.uuid, "shoe_size", "27", "", &queued,
	    &e), ERR_NOTFOUND);
	/* the corrector cannot confirm their own correction; review02 can */
	CHECK_INT(review_confirm(x.rev1, res.uuid, &e), ERR_PERM);
	CHECK_OK(review_confirm(x.rev2, res.uuid, &e), &e);
	REQUIRE_OK(store_correction_list(x.clerk, res.uuid, &c, &n, &e), &e);
	REQUIRE(n == 1);
	CHECK_STR(c[0].confirmed_by, "review02");
	free(c);
	teardown(&x);
}

/* ID-6: a changed 個人番号 is not applied; it waits in the queue, the
 * requester cannot approve it, another person can, and then it applies. */
TEST(mynumber_change_goes_to_confirmation_queue)
{
	struct fx x;
	struct intake_result res;
	struct app_confirm *q = NULL;
	struct application a;
	struct app_correction *c = NULL;
	size_t n = 0;
	char other[13];
	int queued;
	struct err e;

	setup(&x, "T001");
	make_number("98765432109", other);
	REQUIRE_OK(save_one(&x, x.clerk, NULL, &res, &e), &e);
	REQUIRE_OK(intake_correct(x.clerk, x.sa, res.uuid, "mynumber", other, "番号誤り",
	    &queued, &e), &e);
	CHECK_INT(queued, 1);
	REQUIRE_OK(store_application_get(x.clerk, res.uuid, &a, &e), &e);
	CHECK(strstr(a.form_json, x.mynumber) != NULL);	/* unchanged */
	CHECK(strstr(a.form_json, other) == NULL);
	application_clear(&a);
	REQUIRE_OK(store_confirm_list(x.clerk, "pending", NULL, &q, &n, &e), &e);
	REQUIRE(n == 1);
	CHECK_STR(q[0].requested_by, "clerk01");
	/* no 個人番号 in the audit detail (LOG-5) */
	CHECK_INT(count_rows(x.clerk, "SELECT count(*) FROM audit WHERE detail LIKE '%9876543210%'"), 0);
	/* confirming the application waits for the change to be decided */
	CHECK_INT(review_confirm(x.rev1, res.uuid, &e), ERR_STATE);
	CHECK_INT(review_decide_change(x.clerk, &x.set, q[0].id, 1, &e), ERR_PERM);
	/* issue 14: a reviewer without view-mynumber cannot link it either */
	CHECK_INT(review_decide_change(x.rev1, &x.set, q[0].id, 1, &e), ERR_PERM);
	CHECK(strstr(e.msg, "view-mynumber") != NULL);
	{
		struct account ra;

		REQUIRE_OK(store_account_get(x.admin, "review01", &ra, &e), &e);
		ra.view_mynumber = 1;
		REQUIRE_OK(store_account_update(x.admin, &ra, &e), &e);
		store_close(x.rev1);
		REQUIRE_OK(store_open(x.dir, "review01", REV1_PW, &x.rev1, &e), &e);
	}
	CHECK_OK(review_decide_change(x.rev1, &x.set, q[0].id, 1, &e), &e);
	/* the audit row names both */
	CHECK_INT(count_rows(x.rev1, "SELECT count(*) FROM audit WHERE detail LIKE"
	    " '%requested_by=clerk01 confirmed_by=review01%'"), 1);
	CHECK_INT(review_decide_change(x.rev2, &x.set, q[0].id, 1, &e), ERR_STATE);
	REQUIRE_OK(store_application_get(x.clerk, res.uuid, &a, &e), &e);
	CHECK(strstr(a.form_json, other) != NULL);
	application_clear(&a);
	REQUIRE_OK(store_correction_list(x.clerk, res.uuid, &c, &n, &e), &e);
	REQUIRE(n == 1);
	/* issue 14: linking needs view-mynumber, so review01 was given it
	 * (and the key of the right "mynumber") before approving: it read the
	 * application with the number in clear, and the correction keeps the
	 * old number (a reader without the key would keep the masked form:
	 * issue 15) */
	CHECK_STR(c[0].old_value, x.mynumber);
	CHECK_STR(c[0].by, "clerk01");
	CHECK_STR(c[0].confirmed_by, "review01");
	free(c);
	free(q);
	teardown(&x);
}

static int
count_lines_with(const char *text, const char *needle)
{
	int n = 0;

	for (const char *p = text; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* INT-9: only confirmed applications go in a batch, each in one batch
 * only; the transmittal list has one line per document and its count
 * equals the batch's. */
TEST(batch_list_count_equals_batch)
{
	struct fx x;
	struct intake_result r[4];
	const char *uuids[4];
	struct batch b, b2;
	struct application a;
	struct wbuf w;
	char want[64];
	struct err e;

	setup(&x, "T001");
	for (int i = 0; i < 4; i++) {
		REQUIRE_OK(save_one(&x, x.clerk, NULL, &r[i], &e), &e);
		uuids[i] = r[i].uuid;
	}
	for (int i = 0; i < 3; i++)
		REQUIRE_OK(review_confirm(x.rev1, r[i].uuid, &e), &e);
	memset(&b, 0, sizeof(b));
	snprintf(b.method, sizeof(b.method), "carry");
	snprintf(b.bag, sizeof(b.bag), "袋-07");
	/* the clerk may not forward; an unconfirmed application may not go */
	CHECK_INT(batch_make(x.clerk, &b, uuids, 3, &e), ERR_PERM);
	CHECK_INT(batch_make(x.rev1, &b, uuids, 4, &e), ERR_STATE);
	CHECK_INT(count_rows(x.rev1, "SELECT count(*) FROM batches"), 0);
	REQUIRE_OK(batch_make(x.rev1, &b, uuids, 3, &e), &e);
	CHECK_INT(b.count, 3);
	REQUIRE_OK(store_application_get(x.rev1, r[0].uuid, &a, &e), &e);
	CHECK_STR(a.status, "forwarded");
	application_clear(&a);
	/* not twice */
	memset(&b2, 0, sizeof(b2));
	snprintf(b2.method, sizeof(b2.method), "post");
	snprintf(b2.bag, sizeof(b2.bag), "袋-08");
	CHECK(batch_make(x.rev1, &b2, uuids, 1, &e) != 0);
	wbuf_init(&w, 0);
	REQUIRE_OK(batch_transmittal(x.rev1, &x.set, b.id, &w, &e), &e);
	CHECK(strstr(wbuf_str(&w), "件数 3 件") != NULL);
	CHECK(strstr(wbuf_str(&w), "搬送") != NULL);
	CHECK(strstr(wbuf_str(&w), "袋-07") != NULL);
	CHECK_INT(count_lines_with(wbuf_str(&w), "試験申請書（甲）"), 3);
	for (int i = 0; i < 3; i++)
		CHECK(strstr(wbuf_str(&w), r[i].receipt_no) != NULL);
	CHECK(strstr(wbuf_str(&w), r[3].receipt_no) == NULL);
	wbuf_free(&w);
	/* a batch whose recorded count disagrees is reported, not printed */
	snprintf(want, sizeof(want), "UPDATE batches SET count = 4 WHERE id = '%s'", b.id);
	REQUIRE(sqlite3_exec(store_db(x.admin), want, NULL, NULL, NULL) == SQLITE_OK);
	wbuf_init(&w, 0);
	CHECK_INT(batch_transmittal(x.rev1, &x.set, b.id, &w, &e), ERR_CORRUPT);
	wbuf_free(&w);
	teardown(&x);
}

/* Issue 19, INT-9: a batch holds one 事務 (one 進達先): applications of
 * two procedures are refused together, with both named; the 進達書 has the
 * 宛先, the reviewer by name and a 受領欄. */
TEST(batch_holds_one_procedure_and_the_list_has_addressee_and_receipt_box)
{
	struct fx x;
	struct intake_result ra, rb;
	const char *uuids[2];
	struct batch b;
	struct wbuf w;
	struct form *f;
	struct err e;

	setup(&x, "T001");
	REQUIRE_OK(save_one(&x, x.clerk, NULL, &ra, &e), &e);
	REQUIRE_OK(save_one(&x, x.clerk, NULL, &rb, &e), &e);
	/* the second one of another 事務 (the clerk enters only proc-a) */
	{
		char sql[160];
		snprintf(sql, sizeof(sql), "UPDATE applications SET procedure = 'proc-b' "
		    "WHERE uuid = '%s'", rb.uuid);
		REQUIRE(sqlite3_exec(store_db(x.admin), sql, NULL, NULL, NULL) == SQLITE_OK);
	}
	/* review01 may see both 事務 */
	{
		struct account acc;
		REQUIRE_OK(store_account_get(x.admin, "review01", &acc, &e), &e);
		snprintf(acc.perms[acc.nperms].procedure, sizeof(acc.perms[0].procedure), "proc-b");
		acc.perms[acc.nperms++].level = PERM_WRITE;
		REQUIRE_OK(store_account_update(x.admin, &acc, &e), &e);
		store_close(x.rev1);
		REQUIRE_OK(store_open(t_path("s"), "review01", REV1_PW, &x.rev1, &e), &e);
	}
	(void)f;
	REQUIRE_OK(review_confirm(x.rev1, ra.uuid, &e), &e);
	REQUIRE_OK(review_confirm(x.rev1, rb.uuid, &e), &e);
	uuids[0] = ra.uuid;
	uuids[1] = rb.uuid;
	memset(&b, 0, sizeof(b));
	snprintf(b.method, sizeof(b.method), "carry");
	snprintf(b.bag, sizeof(b.bag), "袋-01");
	snprintf(b.destination, sizeof(b.destination), "県 保健福祉センター");
	CHECK_INT(batch_make(x.rev1, &b, uuids, 2, &e), ERR_INVAL);
	CHECK(strstr(e.ja, "事務ごと") != NULL);
	CHECK_INT(count_rows(x.rev1, "SELECT count(*) FROM batches"), 0);
	REQUIRE_OK(batch_make(x.rev1, &b, uuids, 1, &e), &e);
	wbuf_init(&w, 0);
	REQUIRE_OK(batch_transmittal(x.rev1, &x.set, b.id, &w, &e), &e);
	CHECK(strstr(wbuf_str(&w), "宛先     県 保健福祉センター 御中") != NULL);
	CHECK(strstr(wbuf_str(&w), "進達者") != NULL);
	CHECK(strstr(wbuf_str(&w), "受領欄") != NULL);
	wbuf_free(&w);
	teardown(&x);
}

/* INT-4: an application whose screen carries "flag review-board" is
 * recorded as routed to the 審査会 when it is saved, and the transmittal
 * list marks it and counts it; other applications are not marked. */
TEST(review_board_routing_is_recorded_and_listed)
{
	static const char screen_rb[] =
	    "screen t-board\n"
	    "title 試験申請書（審査）\n"
	    "procedure proc-a\n"
	    "flag review-board\n"
	    "\n"
	    "field name\n  label 氏名\n  type text\n  required\n  length 1 40\n  prefill person.name\n";
	struct fx x;
	struct screen *rb, *three[3];
	struct screen_set set3;
	struct intake_result r[2];
	const char *uuids[2];
	struct form *f;
	struct batch b;
	struct wbuf w;
	struct err e;

	setup(&x, "T001");
	REQUIRE_OK(screen_parse("rb.screen", screen_rb, strlen(screen_rb), &rb, &e), &e);
	three[0] = x.sa;
	three[1] = x.sb;
	three[2] = rb;
	set3.n = 3;
	set3.s = three;
	REQUIRE_OK(save_one(&x, x.clerk, NULL, &r[0], &e), &e);
	f = form_new(rb);
	REQUIRE(f != NULL);
	intake_prefill(f, x.clerk, &x.v, NULL);
	REQUIRE_OK(intake_save(x.clerk, &x.v, f, 1, &r[1], &e), &e);
	form_free(f);
	CHECK_INT(count_rows(x.admin, "SELECT count(*) FROM audit WHERE action = "
	    "'application.save' AND detail LIKE '%審査会%'"), 1);
	for (int i = 0; i < 2; i++) {
		REQUIRE_OK(review_confirm(x.rev1, r[i].uuid, &e), &e);
		uuids[i] = r[i].uuid;
	}
	memset(&b, 0, sizeof(b));
	snprintf(b.method, sizeof(b.method), "post");
	snprintf(b.bag, sizeof(b.bag), "袋-09");
	REQUIRE_OK(batch_make(x.rev1, &b, uuids, 2, &e), &e);
	wbuf_init(&w, 0);
	REQUIRE_OK(batch_transmittal(x.rev1, &set3, b.id, &w, &e), &e);
	CHECK_INT(count_lines_with(wbuf_str(&w), "【審査会】"), 1);
	CHECK(strstr(wbuf_str(&w), "試験申請書（審査）　【審査会】") != NULL);
	CHECK(strstr(wbuf_str(&w), "試験申請書（甲）　【審査会】") == NULL);
	CHECK(strstr(wbuf_str(&w), "うち審査会付議 1 件") != NULL);
	CHECK(strstr(wbuf_str(&w), "件数 2 件") != NULL);
	wbuf_free(&w);
	screen_free(rb);
	teardown(&x);
}

/* INT-10: overdue report picks what waited too long in each state and
 * nothing else; 返戻 past its deadline is listed. */
TEST(overdue_selection)
{
	struct fx x;
	struct intake_result old, fresh, fwd, ret;
	struct overdue_limits lim = { 7, 30, 14 };
	struct overdue_row *v = NULL;
	const char *one[1];
	struct batch b;
	size_t n = 0;
	struct date d;
	char sql[512];
	int today, seen_old = 0, seen_fresh = 0, seen_fwd = 0, seen_ret = 0;
	struct err e;

	setup(&x, "T001");
	date_today(&d);
	today = date_to_ymd(&d);
	REQUIRE_OK(save_one(&x, x.clerk, NULL, &old, &e), &e);
	REQUIRE_OK(save_one(&x, x.clerk, NULL, &fresh, &e), &e);
	REQUIRE_OK(save_one(&x, x.clerk, NULL, &fwd, &e), &e);
	REQUIRE_OK(save_one(&x, x.clerk, NULL, &ret, &e), &e);
	REQUIRE_OK(review_confirm(x.rev1, fwd.uuid, &e), &e);
	memset(&b, 0, sizeof(b));
	snprintf(b.method, sizeof(b.method), "post");
	snprintf(b.bag, sizeof(b.bag), "1");
	one[0] = fwd.uuid;
	REQUIRE_OK(batch_make(x.rev1, &b, one, 1, &e), &e);
	REQUIRE_OK(review_return(x.rev1, ret.uuid, "添付書類不足", today, &e), &e);
	/* age them: `old` received 10 days ago, `fwd` forwarded 40 days ago,
	 * `ret` due yesterday */
	snprintf(sql, sizeof(sql), "UPDATE application_status SET at = "
	    "strftime('%%Y-%%m-%%dT%%H:%%M:%%S+0900', 'now', '-10 days') WHERE uuid = '%s';"
	    "UPDATE applications SET received_at = "
	    "strftime('%%Y-%%m-%%dT%%H:%%M:%%S+0900', 'now', '-10 days') WHERE uuid = '%s';",
	    old.uuid, old.uuid);
	REQUIRE(sqlite3_exec(store_db(x.admin), sql, NULL, NULL, NULL) == SQLITE_OK);
	snprintf(sql, sizeof(sql), "UPDATE application_status SET at = "
	    "strftime('%%Y-%%m-%%dT%%H:%%M:%%S+0900', 'now', '-40 days') WHERE uuid = '%s';",
	    fwd.uuid);
	REQUIRE(sqlite3_exec(store_db(x.admin), sql, NULL, NULL, NULL) == SQLITE_OK);
	snprintf(sql, sizeof(sql), "UPDATE application_returns SET deadline = "
	    "CAST(strftime('%%Y%%m%%d', 'now', '-1 day') AS INTEGER) WHERE uuid = '%s';",
	    ret.uuid);
	REQUIRE(sqlite3_exec(store_db(x.admin), sql, NULL, NULL, NULL) == SQLITE_OK);
	REQUIRE_OK(report_overdue(x.rev1, today, &lim, &v, &n, &e), &e);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(v[i].uuid, old.uuid) == 0) {
			seen_old++;
			CHECK_INT(v[i].kind, OD_NOT_FORWARDED);
			CHECK(v[i].days >= 9 && v[i].days <= 11);
		}
		seen_fresh += strcmp(v[i].uuid, fresh.uuid) == 0;
		if (strcmp(v[i].uuid, fwd.uuid) == 0) {
			seen_fwd++;
			CHECK_INT(v[i].kind, OD_NOT_DECIDED);
		}
		if (strcmp(v[i].uuid, ret.uuid) == 0) {
			seen_ret++;
			CHECK_INT(v[i].kind, OD_RESUBMIT_LATE);
		}
	}
	CHECK_INT(seen_old, 1);
	CHECK_INT(seen_fresh, 0);
	CHECK_INT(seen_fwd, 1);
	CHECK_INT(seen_ret, 1);
	CHECK_INT(n, 3);
	free(v);
	/* with a longer limit the 10-day-old one is not overdue */
	lim.forward_days = 20;
	REQUIRE_OK(report_overdue(x.rev1, today, &lim, &v, &n, &e), &e);
	CHECK_INT(n, 2);
	free(v);
	teardown(&x);
}

/* INT-8: the status history and the transitions a clerk may make by hand. */
TEST(ledger_history_and_transitions)
{
	struct fx x;
	struct intake_result r;
	struct status_row *h = NULL;
	struct application_list l;
	struct ledger_query q = { NULL, NULL, 0, 0, NULL };
	const char *one[1];
	struct batch b;
	size_t n = 0;
	struct err e;

	setup(&x, "T001");
	REQUIRE_OK(save_one(&x, x.clerk, NULL, &r, &e), &e);
	CHECK_INT(ledger_set_status(x.clerk, r.uuid, "decided", "", &e), ERR_STATE);
	CHECK_INT(ledger_set_status(x.clerk, r.uuid, "forwarded", "", &e), ERR_STATE);
	REQUIRE_OK(review_confirm(x.rev1, r.uuid, &e), &e);
	memset(&b, 0, sizeof(b));
	snprintf(b.method, sizeof(b.method), "carry");
	snprintf(b.bag, sizeof(b.bag), "A1");
	one[0] = r.uuid;
	REQUIRE_OK(batch_make(x.rev1, &b, one, 1, &e), &e);
	CHECK_INT(ledger_set_status(x.rev2, r.uuid, "decided", "", &e), ERR_PERM);	/* 参照のみ */
	REQUIRE_OK(ledger_set_status(x.clerk, r.uuid, "decided", "決定通知", &e), &e);
	REQUIRE_OK(ledger_set_status(x.clerk, r.uuid, "issued", "窓口交付", &e), &e);
	CHECK_INT(ledger_set_status(x.clerk, r.uuid, "received", "", &e), ERR_STATE);
	REQUIRE_OK(store_application_history(x.clerk, r.uuid, &h, &n, &e), &e);
	REQUIRE(n == 5);
	CHECK_STR(h[0].status, "received");
	CHECK_STR(h[1].status, "review");
	CHECK_STR(h[1].by, "review01");
	CHECK_STR(h[2].status, "forwarded");
	CHECK_STR(h[3].status, "decided");
	CHECK_STR(h[4].status, "issued");
	free(h);
	CHECK_STR(ledger_status_ja("review"), "確認済");
	CHECK_STR(ledger_status_parse("返戻"), "returned");
	q.status = "issued";
	REQUIRE_OK(ledger_list(x.clerk, &q, &l, &e), &e);
	CHECK_INT(l.n, 1);
	application_list_free(&l);
	/* AC-6: an account without the procedure sees none of it */
	REQUIRE(account_perm(store_user(x.admin), "proc-a") == PERM_NONE);
	REQUIRE_OK(ledger_list(x.admin, &q, &l, &e), &e);
	CHECK_INT(l.n, 0);
	application_list_free(&l);
	/* 返戻 and resubmission */
	REQUIRE_OK(save_one(&x, x.clerk, NULL, &r, &e), &e);
	CHECK_INT(review_return(x.rev1, r.uuid, "添付漏れ", 20000101, &e), ERR_INVAL);
	REQUIRE_OK(review_return(x.rev1, r.uuid, "添付漏れ", 20991231, &e), &e);
	REQUIRE_OK(ledger_set_status(x.clerk, r.uuid, "received", "再提出", &e), &e);
	{
		struct app_return rt;
		REQUIRE_OK(store_return_get(x.clerk, r.uuid, &rt, &e), &e);
		CHECK_INT(rt.deadline, 20991231);
		CHECK(rt.resubmitted_at[0] != '\0');
	}
	teardown(&x);
}

/* INT-11: the inquiry log records what was asked and the answer. */
TEST(inquiry_log)
{
	struct fx x;
	struct inquiry q, *v = NULL;
	size_t n = 0;
	struct err e;

	setup(&x, "T001");
	memset(&q, 0, sizeof(q));
	snprintf(q.kind, sizeof(q.kind), "disclosure");
	snprintf(q.atena, sizeof(q.atena), "0000012345");
	snprintf(q.requester, sizeof(q.requester), "本人");
	snprintf(q.summary, sizeof(q.summary), "自己情報の開示請求");
	REQUIRE_OK(inquiry_receive(x.clerk, &q, &e), &e);
	CHECK(strncmp(q.no, "T001-Q", 6) == 0);
	REQUIRE_OK(store_inquiry_list(x.clerk, 1, &v, &n, &e), &e);
	CHECK_INT(n, 1);
	free(v);
	REQUIRE_OK(inquiry_answer(x.clerk, q.no, "写しを交付", &e), &e);
	REQUIRE_OK(store_inquiry_list(x.clerk, 1, &v, &n, &e), &e);
	CHECK_INT(n, 0);
	free(v);
	REQUIRE_OK(store_inquiry_get(x.clerk, q.no, &q, &e), &e);
	CHECK_STR(q.response, "写しを交付");
	CHECK_STR(q.responded_by, "clerk01");
	snprintf(q.summary, sizeof(q.summary), "番号 %s の件", x.mynumber);
	CHECK_INT(inquiry_receive(x.clerk, &q, &e), ERR_INVAL);
	CHECK_INT(count_rows(x.clerk, "SELECT count(*) FROM audit WHERE action LIKE 'inquiry.%'"), 2);
	teardown(&x);
}

/* The slip: receipt numbers, titles, the date, the branch, what happens
 * next — and never a run of 12 digits. */
TEST(slip_has_no_12_digit_number)
{
	struct receipt_item it[3];
	struct receipt_info info = { "窓口市", "北区役所", "T001", "2025-04-01", NULL, NULL, NULL };
	struct wbuf w;
	struct err e;

	memset(it, 0, sizeof(it));
	snprintf(it[0].receipt_no, sizeof(it[0].receipt_no), "T001-20250401-00001");
	snprintf(it[0].title, sizeof(it[0].title), "国民健康保険 資格取得届");
	snprintf(it[0].procedure, sizeof(it[0].procedure), "nhi");
	snprintf(it[1].receipt_no, sizeof(it[1].receipt_no), "T001-20250401-00002");
	snprintf(it[1].title, sizeof(it[1].title), "医療福祉費受給資格申請（子ども）");
	snprintf(it[1].procedure, sizeof(it[1].procedure), "maru-fuku");
	snprintf(it[2].receipt_no, sizeof(it[2].receipt_no), "T001-20250401-00003");
	snprintf(it[2].title, sizeof(it[2].title), "予防接種 実費免除申請");
	snprintf(it[2].procedure, sizeof(it[2].procedure), "vaccination");
	wbuf_init(&w, 0);
	REQUIRE_OK(receipt_slip(it, 3, &info, &w, &e), &e);
	CHECK(strstr(wbuf_str(&w), "受　付　票") != NULL);
	CHECK(strstr(wbuf_str(&w), "T001-20250401-00003") != NULL);
	CHECK(strstr(wbuf_str(&w), "令和7年4月1日") != NULL);
	CHECK(strstr(wbuf_str(&w), "北区役所") != NULL);
	CHECK(strstr(wbuf_str(&w), "3 件") != NULL);
	CHECK(strstr(wbuf_str(&w), "今後の流れ") != NULL);
	CHECK(strstr(wbuf_str(&w), "問い合わせ先") != NULL);	/* issue 19 */
	CHECK(!receipt_has_digit_run(wbuf_str(&w), 12));
	wbuf_free(&w);
	/* the detector, and the guard */
	CHECK(receipt_has_digit_run("番号123456789012です", 12));
	CHECK(receipt_has_digit_run("１２３４５６７８９０１２", 12));
	CHECK(!receipt_has_digit_run("12345678901-2", 12));
	snprintf(it[0].title, sizeof(it[0].title), "申請 123456789018");
	wbuf_init(&w, 0);
	CHECK_INT(receipt_slip(it, 1, &info, &w, &e), ERR_INVAL);
	wbuf_free(&w);
}

/* LK-3: the slip goes to the configured command on stdin; failures and the
 * absence of a printer are reported. */
TEST(print_command_gets_the_slip)
{
	char cmd[1200];
	char *got;
	size_t n;
	struct err e;

	snprintf(cmd, sizeof(cmd), "cat > '%s'", t_path("printed"));
	REQUIRE_OK(receipt_print_run(cmd, "受付票\nT001-20250401-00001\n", &e), &e);
	got = t_read_file(t_path("printed"), &n);
	REQUIRE(got != NULL);
	CHECK_STR(got, "受付票\nT001-20250401-00001\n");
	free(got);
	CHECK_INT(receipt_print_run("exit 3", "x", &e), ERR_IO);
	CHECK_INT(receipt_print_run("", "x", &e), ERR_NOTFOUND);
	CHECK_INT(receipt_print_run(NULL, "x", &e), ERR_NOTFOUND);
}

/* Durability: a child saves an application, reports the receipt number
 * and is killed with SIGKILL at once; the application is in the store. */
TEST(saved_application_survives_kill)
{
	struct fx x;
	struct application a;
	int p[2], status;
	char buf[128] = "";
	ssize_t k = 0;
	pid_t pid;
	struct err e;

	setup(&x, "T001");
	REQUIRE(pipe(p) == 0);
	pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		struct intake_result r;
		close(p[0]);
		if (save_one(&x, x.clerk, "kill test", &r, &e) == 0) {
			char line[128];
			int len = snprintf(line, sizeof(line), "%s %s\n", r.uuid, r.receipt_no);
			if (write(p[1], line, (size_t)len) < 0)
				_exit(2);
		}
		pause();	/* killed here, without closing anything */
		_exit(0);
	}
	close(p[1]);
	while (k >= 0 && strchr(buf, '\n') == NULL) {
		ssize_t m = read(p[0], buf + k, sizeof(buf) - 1 - (size_t)k);
		if (m <= 0)
			break;
		k += m;
		buf[k] = '\0';
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	close(p[0]);
	teardown(&x);
	REQUIRE(strchr(buf, '\n') != NULL);
	buf[36] = '\0';
	REQUIRE_OK(store_open(t_path("s"), "admin01", ADMIN_PW, &x.admin, &e), &e);
	REQUIRE_OK(store_application_get(x.admin, buf, &a, &e), &e);
	CHECK(strstr(a.form_json, "kill test") != NULL);
	CHECK_STR(a.status, "received");
	application_clear(&a);
	store_close(x.admin);
}

/* A prefill the screen's own checks refuse (KOBE 高齢期移行 is 65-69; a
 * child form here is 0-17) is left empty and reported, never forced in. */
TEST(prefill_refused_by_age_check_is_reported)
{
	static const char kid[] =
		"screen t-kid\ntitle 子ども\nprocedure proc-a\n\n"
		"field name\n  label 氏名\n  type text\n  required\n  length 1 40\n  prefill person.name\n"
		"field birth\n  label 生年月日\n  type date\n  required\n  prefill person.birth\n"
		"  check age 0 17\n";
	struct fx x;
	struct screen *s;
	struct form *f;
	struct intake_result res;
	struct err e;

	setup(&x, "T001");
	REQUIRE_OK(screen_parse("kid.screen", kid, strlen(kid), &s, &e), &e);
	f = form_new(s);
	err_clear(&e);
	CHECK_INT(intake_prefill(f, x.clerk, &x.v, &e), 1);	/* born 1985 */
	CHECK_STR(form_get(f, "name"), "窓口 花子");
	CHECK_STR(form_get(f, "birth"), "");
	CHECK(err_ja(&e)[0] != '\0');
	CHECK(intake_save(x.clerk, &x.v, f, 1, &res, &e) != 0);
	CHECK_INT(count_rows(x.clerk, "SELECT count(*) FROM applications"), 0);
	form_free(f);
	screen_free(s);
	teardown(&x);
}

/* ID-3: the applicant's 個人番号 typed over the prefilled one must be the
 * number held for the person; another valid number is refused, audited
 * without the number, and nothing is saved. */
TEST(applicant_number_must_match_the_record)
{
	struct fx x;
	struct form *f;
	struct intake_result res;
	char other[13];
	struct err e;

	setup(&x, "T001");
	make_number("98765432109", other);
	f = form_new(x.sa);
	intake_prefill(f, x.clerk, &x.v, NULL);
	REQUIRE_OK(form_set(f, "mynumber", other, &e), &e);
	CHECK_INT(intake_save(x.clerk, &x.v, f, 1, &res, &e), ERR_STATE);
	CHECK(strstr(err_ja(&e), "一致しません") != NULL);
	CHECK_INT(count_rows(x.clerk, "SELECT count(*) FROM applications"), 0);
	CHECK_INT(count_rows(x.clerk, "SELECT count(*) FROM audit WHERE action = "
	    "'application.mynumber.mismatch' AND person = '0000012345'"), 1);
	CHECK_INT(count_rows(x.clerk, "SELECT count(*) FROM audit WHERE detail LIKE '%98765432109%'"), 0);
	/* the number held: saved */
	REQUIRE_OK(form_set(f, "mynumber", x.mynumber, &e), &e);
	CHECK_OK(intake_save(x.clerk, &x.v, f, 1, &res, &e), &e);
	/* left empty (not required here): nothing to compare */
	REQUIRE_OK(form_set(f, "mynumber", "", &e), &e);
	CHECK_OK(intake_save(x.clerk, &x.v, f, 1, &res, &e), &e);
	/* no number held for the person: saved, and the audit row says the
	 * number could not be compared */
	REQUIRE_OK(store_mynumber_delete(x.admin, "0000012345", &e), &e);
	REQUIRE_OK(form_set(f, "mynumber", other, &e), &e);
	CHECK_OK(intake_save(x.clerk, &x.v, f, 1, &res, &e), &e);
	CHECK_INT(count_rows(x.clerk, "SELECT count(*) FROM audit WHERE action = "
	    "'application.save' AND detail LIKE '%not compared%'"), 1);
	form_free(f);
	teardown(&x);
}

/* Issue 14: 取下げ needs a second person.  The first asks (the status
 * stays), the same account cannot finish it, another one with write
 * permission withdraws it; the audit rows name both. */
TEST(withdrawal_needs_a_second_person)
{
	struct fx x;
	struct intake_result r;
	struct application a;
	struct err e;

	setup(&x, "T001");
	REQUIRE_OK(save_one(&x, x.clerk, NULL, &r, &e), &e);
	CHECK_INT(ledger_set_status(x.clerk, r.uuid, "withdrawn", "本人の申出", &e),
	    LEDGER_WITHDRAW_ASKED);
	REQUIRE_OK(store_application_get(x.clerk, r.uuid, &a, &e), &e);
	CHECK_STR(a.status, "received");
	application_clear(&a);
	CHECK_INT(ledger_set_status(x.clerk, r.uuid, "withdrawn", "", &e), ERR_PERM);
	CHECK_INT(ledger_set_status(x.rev2, r.uuid, "withdrawn", "", &e), ERR_PERM);	/* 参照のみ */
	REQUIRE_OK(store_application_get(x.clerk, r.uuid, &a, &e), &e);
	CHECK_STR(a.status, "received");
	application_clear(&a);
	CHECK_OK(ledger_set_status(x.rev1, r.uuid, "withdrawn", "", &e), &e);
	REQUIRE_OK(store_application_get(x.clerk, r.uuid, &a, &e), &e);
	CHECK_STR(a.status, "withdrawn");
	application_clear(&a);
	CHECK_INT(count_rows(x.clerk, "SELECT count(*) FROM audit WHERE action ="
	    " 'application.withdraw.requested' AND detail LIKE '%requested_by=clerk01%'"), 1);
	CHECK_INT(count_rows(x.clerk, "SELECT count(*) FROM audit WHERE detail LIKE"
	    " '%-> withdrawn: requested_by=clerk01 confirmed_by=review01%'"), 1);
	teardown(&x);
}

/* Issue 14: the per-procedure level `review` lets an account that is not
 * in the reviewer role confirm that procedure's applications (never its
 * own: AC-7); write alone does not. */
TEST(review_level_confirms_without_the_reviewer_role)
{
	struct fx x;
	struct intake_result r, own;
	struct account a;
	struct err e;

	setup(&x, "T001");
	REQUIRE_OK(save_one(&x, x.rev1, NULL, &r, &e), &e);
	REQUIRE_OK(save_one(&x, x.clerk, NULL, &own, &e), &e);
	CHECK_INT(review_confirm(x.clerk, r.uuid, &e), ERR_PERM);	/* write */
	REQUIRE_OK(store_account_get(x.admin, "clerk01", &a, &e), &e);
	REQUIRE(a.nperms == 1);
	a.perms[0].level = PERM_REVIEW;
	REQUIRE_OK(store_account_update(x.admin, &a, &e), &e);
	store_close(x.clerk);
	REQUIRE_OK(store_open(x.dir, "clerk01", CLERK_PW, &x.clerk, &e), &e);
	CHECK_STR(store_perm_name(account_perm(store_user(x.clerk), "proc-a")), "review");
	CHECK_OK(review_confirm(x.clerk, r.uuid, &e), &e);
	CHECK_INT(review_confirm(x.clerk, own.uuid, &e), ERR_PERM);	/* AC-7 */
	teardown(&x);
}
