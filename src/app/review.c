/*
 * review.c — four eyes (AC-7) and corrections (DATA-3): the review queue,
 * confirming an entry (never one's own), returning it (返戻, INT-10),
 * correcting a field with the old value kept, and the confirmation queue
 * for a changed 個人番号 (ID-6).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intake.h"
#include "sync.h"

int
review_queue(struct store *st, struct application_list *out, struct err *e)
{
	struct ledger_query q = { "received", NULL, 0, 0, NULL };

	return ledger_list(st, &q, out, e);
}

struct confirm_tx {
	struct application *a;
	struct err *e;
};

static int
confirm_tx(struct store *st, void *arg)
{
	struct confirm_tx *t = arg;
	char detail[128];
	int r;

	if ((r = store_correction_confirm(st, t->a->uuid, t->e)) != 0)
		return r;
	snprintf(t->a->confirmed_by, sizeof(t->a->confirmed_by), "%s",
	    store_user(st)->name);
	if ((r = store_application_save(st, t->a, t->e)) != 0 ||
	    (r = store_application_set_status(st, t->a->uuid, "review", "確認",
	    t->e)) != 0 ||
	    (r = sync_outbox_status(st, t->a->uuid, "review", "confirmed", t->e)) != 0)
		return r;
	snprintf(detail, sizeof(detail), "receipt %s entered by %s",
	    t->a->receipt_no, t->a->entered_by);
	return store_audit_append(st, NULL, NULL, "application.confirm",
	    t->a->atena, "review", detail, t->e);
}

int
review_confirm(struct store *st, const char *uuid, struct err *e)
{
	const struct account *me = store_user(st);
	struct application a;
	struct app_confirm *pend = NULL;
	struct confirm_tx t;
	size_t npend = 0;
	int r;

	if ((r = store_application_get(st, uuid, &a, e)) != 0)
		return r;
	/* AC-7; issue 14: the reviewer role, or the procedure's review level */
	if (me->role != ROLE_REVIEWER && account_perm(me, a.procedure) != PERM_REVIEW) {
		application_clear(&a);
		return err_set_ja(e, ERR_PERM, "確認者の権限がありません",
		    "only reviewers (or the procedure's review level) confirm"
		    " applications (AC-7)");
	}
	if (account_perm(me, a.procedure) == PERM_NONE) {
		r = err_set_ja(e, ERR_PERM, "この事務を参照する権限がありません",
		    "account may not see procedure %s (AC-6)", a.procedure);
		goto out;
	}
	if (strcmp(a.status, "received") != 0) {
		char ja[ERR_MSG_MAX];
		snprintf(ja, sizeof(ja), "「%s」の申請は確認できません",
		    ledger_status_ja(a.status));
		r = err_set_ja(e, ERR_STATE, ja, "application is %s, not received",
		    a.status);
		goto out;
	}
	if (strcmp(a.entered_by, me->name) == 0) {
		/* AC-7: audited, because it is what four eyes exist to stop */
		store_audit_append(st, NULL, NULL, "application.confirm.refused",
		    a.atena, "review", "self-confirmation refused", NULL);
		r = err_set_ja(e, ERR_PERM, "自分が入力した申請は確認できません。別の確認者に依頼してください",
		    "the person who entered an application cannot confirm it (AC-7)");
		goto out;
	}
	if ((r = store_confirm_list(st, "pending", uuid, &pend, &npend, e)) != 0)
		goto out;
	if (pend != NULL)
		mem_wipe(pend, npend * sizeof(*pend));
	free(pend);
	if (npend > 0) {
		r = err_set_ja(e, ERR_STATE, "個人番号の変更が確認待ちです。先に処理してください",
		    "a 個人番号 change of this application is pending (ID-6)");
		goto out;
	}
	t.a = &a;
	t.e = e;
	r = store_tx(st, confirm_tx, &t, e);
out:
	application_clear(&a);
	return r;
}

struct return_tx {
	const struct application *a;
	const char *reason;
	int deadline;
	struct err *e;
};

static int
return_tx(struct store *st, void *arg)
{
	struct return_tx *t = arg;
	char note[300], detail[128];
	int r;

	char dl[48];

	when_ymd_text(t->deadline, WHEN_DATE, dl, sizeof(dl));	/* a clerk reads it */
	snprintf(note, sizeof(note), "返戻: %s（再提出期限 %s）", t->reason, dl);
	if ((r = store_return_set(st, t->a->uuid, t->reason, t->deadline, t->e)) != 0 ||
	    (r = store_application_set_status(st, t->a->uuid, "returned", note,
	    t->e)) != 0 ||
	    (r = sync_outbox_status(st, t->a->uuid, "returned", note, t->e)) != 0)
		return r;
	snprintf(detail, sizeof(detail), "receipt %s deadline %d", t->a->receipt_no,
	    t->deadline);
	return store_audit_append(st, NULL, NULL, "application.return", t->a->atena,
	    "review", detail, t->e);
}

int
review_return(struct store *st, const char *uuid, const char *reason,
    int deadline, struct err *e)
{
	const struct account *me = store_user(st);
	struct application a;
	struct return_tx t;
	struct date d;
	int r;

	if (reason == NULL || reason[0] == '\0')
		return err_set_ja(e, ERR_INVAL, "返戻の理由を入力してください",
		    "return: reason required");
	date_today(&d);
	if (deadline < date_to_ymd(&d) || date_from_ymd(deadline, &d) != 0)
		return err_set_ja(e, ERR_INVAL, "再提出期限は今日以降の日付にしてください",
		    "return: deadline must be today or later");
	if ((r = store_application_get(st, uuid, &a, e)) != 0)
		return r;
	if (me->role != ROLE_REVIEWER && account_perm(me, a.procedure) < PERM_WRITE) {
		r = err_set_ja(e, ERR_PERM, "この申請を返戻する権限がありません",
		    "account may not return procedure %s", a.procedure);
		goto out;
	}
	if (strcmp(a.status, "received") != 0 && strcmp(a.status, "review") != 0 &&
	    strcmp(a.status, "forwarded") != 0) {
		char ja[ERR_MSG_MAX];
		snprintf(ja, sizeof(ja), "「%s」の申請は返戻できません",
		    ledger_status_ja(a.status));
		r = err_set_ja(e, ERR_STATE, ja, "application is %s", a.status);
		goto out;
	}
	t = (struct return_tx){ &a, reason, deadline, e };
	r = store_tx(st, return_tx, &t, e);
out:
	application_clear(&a);
	return r;
}

/* ------------------------------------------------------- corrections */

struct correct_tx {
	struct application *a;
	const char *field, *old_value, *new_value, *reason;
	const char *by, *confirmed_by;	/* NULL: the user, unconfirmed */
	int queue;			/* 1: queue the value (ID-6) */
	int64_t qid;
	int64_t decide;			/* approve this queue item first */
	struct err *e;
};

static int
correct_tx(struct store *st, void *arg)
{
	struct correct_tx *t = arg;
	const char *cur = t->a->status;
	char detail[160];
	int r;

	if (t->decide != 0 && (r = store_confirm_decide(st, t->decide, 1, t->e)) != 0)
		return r;
	if (t->queue) {
		if ((r = store_confirm_add(st, t->a->uuid, t->field, t->new_value,
		    t->reason, &t->qid, t->e)) != 0)
			return r;
		snprintf(detail, sizeof(detail), "receipt %s field %s: 個人番号 change "
		    "queued for confirmation (#%lld)", t->a->receipt_no, t->field,
		    (long long)t->qid);
		return store_audit_append(st, NULL, NULL, "application.correct.queued",
		    t->a->atena, "correction", detail, t->e);
	}
	if ((r = store_correction_add(st, t->a->uuid, t->field, t->old_value,
	    t->new_value, t->reason, t->by, t->confirmed_by, t->e)) != 0 ||
	    (r = store_application_save(st, t->a, t->e)) != 0)
		return r;
	/* a correction needs four eyes again, unless it was itself the
	 * second person's decision */
	if (t->confirmed_by == NULL && strcmp(t->a->status, "received") != 0 &&
	    strcmp(t->a->status, "returned") != 0) {
		if ((r = store_application_set_status(st, t->a->uuid, "received",
		    "訂正のため再確認", t->e)) != 0)
			return r;
		cur = "received";
	}
	/* the central gets the corrected application: replace a copy still
	 * waiting in the outbox, else queue a new one; and a status item (its
	 * own uuid each time) so that the correction is on the central's
	 * record even when it already holds the application's first copy */
	store_outbox_ack(st, t->a->uuid, NULL);
	if ((r = sync_outbox_application(st, t->a->uuid, t->e)) != 0)
		return r;
	snprintf(detail, sizeof(detail), "訂正 %s", t->field);
	if ((r = sync_outbox_status(st, t->a->uuid, cur, detail, t->e)) != 0)
		return r;
	/* issue 14: an approved change names both persons */
	if (t->confirmed_by != NULL)
		snprintf(detail, sizeof(detail), "receipt %s field %s corrected:"
		    " requested_by=%s confirmed_by=%s", t->a->receipt_no, t->field,
		    t->by != NULL ? t->by : "-", t->confirmed_by);
	else
		snprintf(detail, sizeof(detail), "receipt %s field %s corrected",
		    t->a->receipt_no, t->field);
	return store_audit_append(st, NULL, NULL, "application.correct",
	    t->a->atena, "correction", detail, t->e);
}

/* Load the application's form into a new form of its screen. */
static int
load_form(const struct screen *s, const struct application *a, struct form **out,
    struct err *e)
{
	struct form *f;
	int r;

	*out = NULL;
	if (strcmp(s->id, a->type) != 0)
		return err_set(e, ERR_INVAL, "screen %s is not the application's (%s)",
		    s->id, a->type);
	if ((f = form_new(s)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	if ((r = form_from_json(f, a->form_json, strlen(a->form_json), e)) != 0) {
		form_free(f);
		return r;
	}
	*out = f;
	return 0;
}

/* Apply field=value to the application (through the screen's rules). */
static int
apply(const struct screen *s, struct application *a, const char *field,
    const char *value, char *old_out, size_t oldcap, char **json_out,
    struct err *e)
{
	struct form *f;
	struct wbuf w;
	int r, bad;

	if ((r = load_form(s, a, &f, e)) != 0)
		return r;
	snprintf(old_out, oldcap, "%s", form_get(f, field) ? form_get(f, field) : "");
	if ((r = form_set(f, field, value, e)) != 0 ||
	    (r = form_validate(f, &bad, e)) != 0) {
		form_free(f);
		return r;
	}
	wbuf_init(&w, 0);
	if ((r = form_to_json(f, &w, e)) == 0 && (*json_out = strdup(wbuf_str(&w))) == NULL)
		r = err_set(e, ERR_NOMEM, "out of memory");
	wbuf_free(&w);
	form_free(f);
	return r;
}

int
intake_correct(struct store *st, const struct screen *screen, const char *uuid,
    const char *field, const char *value, const char *reason, int *queued,
    struct err *e)
{
	struct application a;
	struct correct_tx t;
	char old[FORM_VALUE_MAX + 1];
	char *json = NULL;
	int fi, r;

	*queued = 0;
	if ((r = store_application_get(st, uuid, &a, e)) != 0)
		return r;
	memset(&t, 0, sizeof(t));
	if (account_perm(store_user(st), a.procedure) < PERM_WRITE) {
		r = err_set_ja(e, ERR_PERM, "この事務の申請を訂正する権限がありません",
		    "account may not correct procedure %s (AC-6)", a.procedure);
		goto out;
	}
	if (strcmp(a.status, "received") != 0 && strcmp(a.status, "review") != 0 &&
	    strcmp(a.status, "returned") != 0) {
		char ja[ERR_MSG_MAX];
		snprintf(ja, sizeof(ja), "「%s」の申請は訂正できません",
		    ledger_status_ja(a.status));
		r = err_set_ja(e, ERR_STATE, ja, "application is %s", a.status);
		goto out;
	}
	if ((fi = screen_field(screen, field)) < 0) {
		r = err_set_ja(e, ERR_NOTFOUND, "その項目はこの申請書にありません",
		    "no field %s on screen %s (INT-6)", field, screen->id);
		goto out;
	}
	if ((r = apply(screen, &a, field, value, old, sizeof(old), &json, e)) != 0)
		goto out;
	t.a = &a;
	t.field = field;
	t.reason = reason ? reason : "";
	t.e = e;
	if (screen->fields[fi].type == FT_MYNUMBER) {
		/* ID-6: never applied silently; the normalised new value waits */
		struct json *j = NULL;
		const char *nv = NULL;
		if (json_parse(json, strlen(json), &j, e) == 0)
			nv = json_get_str(j, field);
		if (strcmp(old, nv ? nv : "") == 0) {
			json_free(j);
			r = 0;		/* nothing changes */
			goto out;
		}
		t.queue = 1;
		t.new_value = nv ? nv : "";
		r = store_tx(st, correct_tx, &t, e);
		json_free(j);
		if (r == 0)
			*queued = 1;
		goto out;
	}
	free(a.form_json);
	a.form_json = json;
	json = NULL;
	a.confirmed_by[0] = '\0';
	{
		struct json *j = NULL;
		const char *nv = NULL;
		if (json_parse(a.form_json, strlen(a.form_json), &j, e) == 0)
			nv = json_get_str(j, field);
		t.new_value = nv ? nv : "";
		t.old_value = old;
		r = store_tx(st, correct_tx, &t, e);
		json_free(j);
	}
out:
	if (json != NULL) {
		mem_wipe(json, strlen(json));
		free(json);
	}
	mem_wipe(old, sizeof(old));
	application_clear(&a);
	return r;
}

int
review_decide_change(struct store *st, const struct screen_set *set, int64_t id,
    int approve, struct err *e)
{
	struct app_confirm c;
	struct application a;
	const struct screen *s;
	struct correct_tx t;
	char old[FORM_VALUE_MAX + 1] = "";
	char *json = NULL;
	int r;

	if ((r = store_confirm_get(st, id, &c, e)) != 0)
		return r;
	/* issue 14 (ID-6): a reviewer holding view-mynumber who did not ask
	 * for it; the same rule as `madoguchi sync approve` */
	if (strcmp(c.state, "pending") == 0 &&
	    (r = sync_confirm_may_decide(st, c.requested_by, approve, e)) != 0) {
		mem_wipe(&c, sizeof(c));
		return r;
	}
	if (!approve) {
		char detail[200];

		r = store_confirm_decide(st, id, 0, e);
		snprintf(detail, sizeof(detail), "個人番号 change rejected: requested_by=%s"
		    " decided_by=%s", c.requested_by, store_user(st)->name);
		if (r == 0)
			store_audit_append(st, NULL, NULL, "application.change.rejected",
			    NULL, "review", detail, NULL);
		mem_wipe(&c, sizeof(c));
		return r;
	}
	if ((r = store_application_get(st, c.uuid, &a, e)) != 0) {
		mem_wipe(&c, sizeof(c));
		return r;
	}
	if (set == NULL || (s = screen_set_find(set, a.type)) == NULL) {
		r = err_set(e, ERR_NOTFOUND, "no screen %s loaded", a.type);
		goto out;
	}
	if (strcmp(c.state, "pending") != 0 ||
	    strcmp(c.requested_by, store_user(st)->name) == 0) {
		/* the same refusals store_confirm_decide gives (AC-7) */
		r = store_confirm_decide(st, id, 1, e);
		goto out;
	}
	if ((r = apply(s, &a, c.field, c.value, old, sizeof(old), &json, e)) != 0)
		goto out;
	free(a.form_json);
	a.form_json = json;
	json = NULL;
	memset(&t, 0, sizeof(t));
	t.a = &a;
	t.field = c.field;
	t.old_value = old;
	t.new_value = c.value;
	t.reason = c.reason;
	t.by = c.requested_by;
	t.confirmed_by = store_user(st)->name;
	t.decide = id;
	t.e = e;
	r = store_tx(st, correct_tx, &t, e);
out:
	mem_wipe(old, sizeof(old));
	mem_wipe(&c, sizeof(c));
	application_clear(&a);
	return r;
}
