/*
 * ledger.c — the receipt ledger (受付簿, INT-8): status names, which status
 * changes a clerk may make by hand, making them (history row, outbox entry,
 * audit row), and listing applications by status and date for the
 * procedures the account may see (AC-6).
 */
#include <stdio.h>
#include <string.h>

#include "intake.h"
#include "sync.h"

static const struct {
	const char *word, *ja;
} statuses[] = {
	{ "received", "受付" },
	{ "review", "確認済" },
	{ "forwarded", "進達" },
	{ "decided", "決定" },
	{ "issued", "交付" },
	{ "rejected", "却下" },
	{ "returned", "返戻" },
	{ "withdrawn", "取下げ" },
};
#define NSTATUS (sizeof(statuses) / sizeof(statuses[0]))

const char *
ledger_status_ja(const char *status)
{
	for (size_t i = 0; i < NSTATUS; i++)
		if (status != NULL && strcmp(status, statuses[i].word) == 0)
			return statuses[i].ja;
	return status != NULL ? status : "";
}

const char *
ledger_status_parse(const char *s)
{
	if (s == NULL)
		return NULL;
	for (size_t i = 0; i < NSTATUS; i++)
		if (strcmp(s, statuses[i].word) == 0 || strcmp(s, statuses[i].ja) == 0)
			return statuses[i].word;
	if (strcmp(s, "confirmed") == 0 || strcmp(s, "確認") == 0)
		return "review";
	return NULL;
}

int
ledger_transition_ok(const char *from, const char *to)
{
	static const char *const ok[][2] = {
		{ "received", "withdrawn" },
		{ "review", "withdrawn" },
		{ "returned", "received" },
		{ "returned", "withdrawn" },
		{ "forwarded", "decided" },
		{ "forwarded", "rejected" },
		{ "decided", "issued" },
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strcmp(from, ok[i][0]) == 0 && strcmp(to, ok[i][1]) == 0)
			return 1;
	return 0;
}

struct status_tx {
	const char *uuid, *to, *note, *atena, *detail;
	int resubmit;
	struct err *e;
};

static int
status_tx(struct store *st, void *arg)
{
	struct status_tx *t = arg;
	int r;

	if ((r = store_application_set_status(st, t->uuid, t->to, t->note, t->e)) != 0)
		return r;
	if (t->resubmit && (r = store_return_resubmitted(st, t->uuid, t->e)) != 0 &&
	    r != ERR_NOTFOUND)
		return r;
	if ((r = sync_outbox_status(st, t->uuid, t->to, t->note, t->e)) != 0)
		return r;
	return store_audit_append(st, NULL, NULL, "application.status", t->atena,
	    "ledger", t->detail, t->e);
}

/* Issue 14: 取下げ needs a second person.  The first asks (setting
 * "withdraw.request.UUID" = the account), a different one confirms. */
struct withdraw_tx {
	const char *key, *who, *atena, *detail;
	struct err *e;
};

static int
withdraw_ask_tx(struct store *st, void *arg)
{
	struct withdraw_tx *t = arg;
	int r;

	if ((r = store_setting_set(st, t->key, t->who, t->e)) != 0)
		return r;
	return store_audit_append(st, NULL, NULL, "application.withdraw.requested",
	    t->atena, "ledger", t->detail, t->e);
}

int
ledger_set_status(struct store *st, const char *uuid, const char *to,
    const char *note, struct err *e)
{
	struct application a;
	struct status_tx t;
	char detail[400], key[80], asked[STORE_NAME_MAX] = "";
	int r, withdraw = strcmp(to, "withdrawn") == 0;

	if ((r = store_application_get(st, uuid, &a, e)) != 0)
		return r;
	if (account_perm(store_user(st), a.procedure) < PERM_WRITE) {
		application_clear(&a);
		return err_set_ja(e, ERR_PERM, "この事務の状態を変更する権限がありません",
		    "account may not change procedure %s (AC-6)", a.procedure);
	}
	if (!ledger_transition_ok(a.status, to)) {
		char ja[ERR_MSG_MAX];
		snprintf(ja, sizeof(ja), "「%s」から「%s」には変更できません",
		    ledger_status_ja(a.status), ledger_status_ja(to));
		application_clear(&a);
		return err_set_ja(e, ERR_STATE, ja, "status %s cannot become %s by hand",
		    a.status, to);
	}
	snprintf(detail, sizeof(detail), "receipt %s %s -> %s", a.receipt_no,
	    a.status, to);
	if (withdraw) {
		snprintf(key, sizeof(key), "withdraw.request.%s", uuid);
		if (store_setting_get(st, key, asked, sizeof(asked), NULL) != 0 ||
		    asked[0] == '\0') {
			struct withdraw_tx w = { key, store_user(st)->name, a.atena,
				detail, e };

			snprintf(detail, sizeof(detail), "receipt %s 取下げ requested_by=%s",
			    a.receipt_no, store_user(st)->name);
			r = store_tx(st, withdraw_ask_tx, &w, e);
			application_clear(&a);
			return r == 0 ? LEDGER_WITHDRAW_ASKED : r;
		}
		if (strcmp(asked, store_user(st)->name) == 0) {
			application_clear(&a);
			return err_set_ja(e, ERR_PERM, "取下げは申出を記録した職員とは別の職員が"
			    "確認します", "%s asked for this withdrawal; another person"
			    " confirms it (issue 14)", asked);
		}
		/* the audit row names both */
		snprintf(detail, sizeof(detail), "receipt %s %s -> withdrawn:"
		    " requested_by=%s confirmed_by=%s", a.receipt_no, a.status, asked,
		    store_user(st)->name);
	}
	t = (struct status_tx){ uuid, to, note ? note : "", a.atena, detail,
		strcmp(a.status, "returned") == 0 && strcmp(to, "received") == 0, e };
	r = store_tx(st, status_tx, &t, e);
	if (r == 0 && withdraw)
		store_setting_set(st, key, "", NULL);	/* decided: no request open */
	application_clear(&a);
	return r;
}

int
ledger_list(struct store *st, const struct ledger_query *q,
    struct application_list *out, struct err *e)
{
	const struct account *acc = store_user(st);
	struct application_query aq;
	struct application_list page;
	char from[32], to[32];
	size_t keep = 0;
	int r;

	memset(out, 0, sizeof(*out));
	memset(&aq, 0, sizeof(aq));
	aq.status = q->status;
	aq.procedure = q->procedure;
	aq.atena = q->atena;
	if (q->from != 0) {
		snprintf(from, sizeof(from), "%04d-%02d-%02d", q->from / 10000,
		    q->from / 100 % 100, q->from % 100);
		aq.received_from = from;
	}
	if (q->to != 0) {
		/* "T99" sorts after any time of that day */
		snprintf(to, sizeof(to), "%04d-%02d-%02dT99", q->to / 10000,
		    q->to / 100 % 100, q->to % 100);
		aq.received_to = to;
	}
	aq.limit = 100000;
	if ((r = store_application_list(st, &aq, &page, e)) != 0)
		return r;
	/* AC-6: only procedures the account may see */
	for (size_t i = 0; i < page.n; i++) {
		if (account_perm(acc, page.v[i].procedure) == PERM_NONE) {
			application_clear(&page.v[i]);
			continue;
		}
		page.v[keep++] = page.v[i];
	}
	page.n = keep;
	*out = page;
	return 0;
}
