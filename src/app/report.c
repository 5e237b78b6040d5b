/*
 * report.c — the reports that keep papers from getting lost at the counter
 * (INT-10): applications received but not forwarded, forwarded but not
 * decided, certificates decided but not handed over, and 返戻 past their
 * resubmission deadline; and the inquiry / disclosure-request log (INT-11).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intake.h"

const char *
overdue_kind_ja(enum overdue_kind k)
{
	switch (k) {
	case OD_NOT_FORWARDED: return "未進達";
	case OD_NOT_DECIDED: return "未決定";
	case OD_NOT_HANDED_OVER: return "未交付";
	case OD_RESUBMIT_LATE: return "再提出期限切れ";
	}
	return "";
}

/* yyyymmdd of an ISO timestamp's date part, or 0. */
static int
ts_ymd(const char *ts)
{
	struct date d;
	char buf[11];

	if (strlen(ts) < 10)
		return 0;
	memcpy(buf, ts, 10);
	buf[10] = '\0';
	if (date_parse(buf, &d, NULL) != 0)
		return 0;
	return date_to_ymd(&d);
}

static long
days_between(int from, int to)
{
	struct date a, b;

	if (date_from_ymd(from, &a) != 0 || date_from_ymd(to, &b) != 0)
		return 0;
	return date_to_days(&b) - date_to_days(&a);
}

/* When the application entered its current status (the last history row). */
static int
status_since(struct store *st, const struct application *a)
{
	struct status_row *h = NULL;
	size_t n = 0;
	int ymd = 0;

	if (store_application_history(st, a->uuid, &h, &n, NULL) == 0 && n > 0)
		ymd = ts_ymd(h[n - 1].at);
	free(h);
	return ymd ? ymd : ts_ymd(a->received_at);
}

static int
push(struct overdue_row **v, size_t *n, size_t *cap, const struct overdue_row *r)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		struct overdue_row *nv = realloc(*v, nc * sizeof(**v));
		if (nv == NULL)
			return ERR_NOMEM;
		*v = nv;
		*cap = nc;
	}
	(*v)[(*n)++] = *r;
	return 0;
}

static void
row_from(struct overdue_row *r, enum overdue_kind k, const struct application *a)
{
	memset(r, 0, sizeof(*r));
	r->kind = k;
	snprintf(r->uuid, sizeof(r->uuid), "%s", a->uuid);
	snprintf(r->receipt_no, sizeof(r->receipt_no), "%s", a->receipt_no);
	snprintf(r->procedure, sizeof(r->procedure), "%s", a->procedure);
	snprintf(r->type, sizeof(r->type), "%s", a->type);
	snprintf(r->atena, sizeof(r->atena), "%s", a->atena);
	snprintf(r->status, sizeof(r->status), "%s", a->status);
}

int
report_overdue(struct store *st, int today, const struct overdue_limits *lim,
    struct overdue_row **v, size_t *n, struct err *e)
{
	static const struct {
		const char *status;
		enum overdue_kind kind;
	} scan[] = {
		{ "received", OD_NOT_FORWARDED },
		{ "review", OD_NOT_FORWARDED },
		{ "forwarded", OD_NOT_DECIDED },
		{ "decided", OD_NOT_HANDED_OVER },
		{ "returned", OD_RESUBMIT_LATE },
	};
	size_t cap = 0;
	int r = 0;

	*v = NULL;
	*n = 0;
	for (size_t s = 0; s < sizeof(scan) / sizeof(scan[0]) && r == 0; s++) {
		struct ledger_query q = { scan[s].status, NULL, 0, 0, NULL };
		struct application_list l;
		if ((r = ledger_list(st, &q, &l, e)) != 0)
			break;
		for (size_t i = 0; i < l.n && r == 0; i++) {
			const struct application *a = &l.v[i];
			struct overdue_row row;
			int since = status_since(st, a), limit;
			long days;
			row_from(&row, scan[s].kind, a);
			row.since = since;
			if (scan[s].kind == OD_RESUBMIT_LATE) {
				struct app_return ret;
				if (store_return_get(st, a->uuid, &ret, NULL) != 0 ||
				    ret.deadline >= today)
					continue;
				row.deadline = ret.deadline;
				row.days = (int)days_between(ret.deadline, today);
			} else {
				limit = scan[s].kind == OD_NOT_FORWARDED ? lim->forward_days :
				    scan[s].kind == OD_NOT_DECIDED ? lim->decide_days :
				    lim->handover_days;
				days = days_between(since ? since : today, today);
				if (days < limit)
					continue;
				row.days = (int)days;
			}
			if (push(v, n, &cap, &row) != 0)
				r = err_set(e, ERR_NOMEM, "out of memory");
		}
		application_list_free(&l);
	}
	if (r != 0) {
		free(*v);
		*v = NULL;
		*n = 0;
		return r;
	}
	/* LOG-1: a report lists persons concerned (by 宛名番号) */
	{
		char detail[64];
		snprintf(detail, sizeof(detail), "overdue report: %zu rows", *n);
		store_audit_append(st, NULL, NULL, "report.overdue", NULL, "report",
		    detail, NULL);
	}
	return 0;
}

/* ------------------------------------------------------- inquiries */

static const struct {
	const char *word, *ja;
} kinds[] = {
	{ "inquiry", "問合せ" },
	{ "disclosure", "開示請求" },
	{ "correction", "訂正請求" },
	{ "stop", "利用停止請求" },
};

const char *
inquiry_kind_ja(const char *kind)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kind != NULL && strcmp(kind, kinds[i].word) == 0)
			return kinds[i].ja;
	return kind != NULL ? kind : "";
}

const char *
inquiry_kind_parse(const char *s)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (s != NULL && (strcmp(s, kinds[i].word) == 0 ||
		    strcmp(s, kinds[i].ja) == 0))
			return kinds[i].word;
	return NULL;
}

struct inq_tx {
	struct inquiry *q;
	const char *no, *response;
	struct err *e;
};

static int
receive_tx(struct store *st, void *arg)
{
	struct inq_tx *t = arg;
	char detail[96];
	int r;

	if ((r = store_inquiry_add(st, t->q, t->e)) != 0)
		return r;
	snprintf(detail, sizeof(detail), "%s %s", t->q->no, t->q->kind);
	return store_audit_append(st, NULL, NULL, "inquiry.add", t->q->atena,
	    "inquiry", detail, t->e);
}

int
inquiry_receive(struct store *st, struct inquiry *q, struct err *e)
{
	struct inq_tx t = { q, NULL, NULL, e };

	if (receipt_has_digit_run(q->summary, 12) || receipt_has_digit_run(q->requester, 12))
		return err_set_ja(e, ERR_INVAL, "個人番号は記録しないでください",
		    "inquiry text holds a run of 12 digits (LOG-5)");
	return store_tx(st, receive_tx, &t, e);
}

static int
answer_tx(struct store *st, void *arg)
{
	struct inq_tx *t = arg;
	struct inquiry q;
	int r;

	if ((r = store_inquiry_respond(st, t->no, t->response, t->e)) != 0 ||
	    (r = store_inquiry_get(st, t->no, &q, t->e)) != 0)
		return r;
	return store_audit_append(st, NULL, NULL, "inquiry.respond", q.atena,
	    "inquiry", t->no, t->e);
}

int
inquiry_answer(struct store *st, const char *no, const char *response,
    struct err *e)
{
	struct inq_tx t = { NULL, no, response, e };

	if (response != NULL && receipt_has_digit_run(response, 12))
		return err_set_ja(e, ERR_INVAL, "個人番号は記録しないでください",
		    "response holds a run of 12 digits (LOG-5)");
	return store_tx(st, answer_tx, &t, e);
}
