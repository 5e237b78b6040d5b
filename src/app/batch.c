/*
 * batch.c — 進達 (INT-9): a reviewer sends confirmed applications to the
 * centre in a batch, by carrier (搬送) or post (郵送), and prints the
 * transmittal list (送付書) that goes in the bag.  The list is built from
 * the batch's items and checked against the batch's recorded count.
 */
#include <stdio.h>
#include <string.h>

#include "intake.h"
#include "sync.h"
#include "visit.h"

const char *
batch_method_ja(const char *method)
{
	if (method != NULL && strcmp(method, "carry") == 0)
		return "搬送";
	if (method != NULL && strcmp(method, "post") == 0)
		return "郵送";
	return method != NULL ? method : "";
}

const char *
batch_method_parse(const char *s)
{
	if (s == NULL)
		return NULL;
	if (strcmp(s, "carry") == 0 || strcmp(s, "搬送") == 0)
		return "carry";
	if (strcmp(s, "post") == 0 || strcmp(s, "郵送") == 0)
		return "post";
	return NULL;
}

struct make_tx {
	struct batch *b;
	const char *const *uuids;
	size_t n;
	struct err *e;
};

static int
make_tx(struct store *st, void *arg)
{
	struct make_tx *t = arg;
	char note[96], detail[160];
	int r;

	if ((r = store_batch_create(st, t->b, t->uuids, t->n, t->e)) != 0)
		return r;
	snprintf(note, sizeof(note), "進達 %s", t->b->id);
	for (size_t i = 0; i < t->n; i++)
		if ((r = sync_outbox_status(st, t->uuids[i], "forwarded", note, t->e)) != 0)
			return r;
	snprintf(detail, sizeof(detail), "batch %s: %d documents, %s, bag %s",
	    t->b->id, t->b->count, t->b->method, t->b->bag);
	return store_audit_append(st, NULL, NULL, "batch.create", NULL, "batch",
	    detail, t->e);
}

int
batch_make(struct store *st, struct batch *b, const char *const *uuids, size_t n,
    struct err *e)
{
	struct make_tx t = { b, uuids, n, e };

	if (store_user(st)->role != ROLE_REVIEWER)
		return err_set_ja(e, ERR_PERM, "進達は確認者が行います",
		    "only reviewers forward batches");
	/* issue 19: one batch is one 事務 going to one 進達先 */
	{
		char first[64] = "";
		for (size_t i = 0; i < n; i++) {
			struct application a;
			int r = store_application_get(st, uuids[i], &a, e);
			if (r != 0)
				return r;
			if (i == 0)
				snprintf(first, sizeof(first), "%s", a.procedure);
			else if (strcmp(first, a.procedure) != 0) {
				char ja[256];
				snprintf(ja, sizeof(ja), "進達は事務ごとに作成してください（%s と %s が混在しています）",
				    procedure_name_ja(first), procedure_name_ja(a.procedure));
				application_clear(&a);
				return err_set_ja(e, ERR_INVAL, ja, "a batch holds one procedure");
			}
			application_clear(&a);
		}
	}
	return store_tx(st, make_tx, &t, e);
}

static void
ymd_text(int ymd, char *out, size_t cap)
{
	struct date d;
	char wa[32], iso[16];

	if (date_from_ymd(ymd, &d) != 0) {
		snprintf(out, cap, "%d", ymd);
		return;
	}
	date_format_iso(&d, iso, sizeof(iso));
	if (date_format_wareki(&d, wa, sizeof(wa)) < 0)
		snprintf(wa, sizeof(wa), "%s", iso);
	snprintf(out, cap, "%s", wa);	/* 和暦 only (issue 19) */
}

int
batch_transmittal(struct store *st, const struct screen_set *set, const char *id,
    struct wbuf *w, struct err *e)
{
	struct application_list items;
	struct batch b;
	char date[64];
	size_t nboard = 0;
	int rw = 20;
	int r;

	if ((r = store_batch_get(st, id, &b, e)) != 0)
		return r;
	if ((r = store_batch_items(st, id, &items, e)) != 0)
		return r;
	if ((int)items.n != b.count) {
		application_list_free(&items);
		return err_set_ja(e, ERR_CORRUPT, "進達の件数が記録と一致しません",
		    "batch %s: %zu documents but %d recorded (INT-9)", id, items.n,
		    b.count);
	}
	ymd_text(b.date, date, sizeof(date));
	wbuf_printf(w, "進達書（送付書）\n");
	wbuf_printf(w, "進達番号 %s\n", b.id);
	wbuf_printf(w, "進達日   %s\n", date);
	wbuf_printf(w, "送付方法 %s\n", batch_method_ja(b.method));
	wbuf_printf(w, "袋番号   %s\n", b.bag);
	wbuf_printf(w, "宛先     %s 御中\n", b.destination[0] != '\0' ? b.destination :
	    "（宛先未設定：[intake] forward_to）");
	{
		/* the reviewer by name, not only the account */
		struct account acc;
		if (store_account_get(st, b.clerk, &acc, NULL) == 0 && acc.display[0] != '\0')
			wbuf_printf(w, "進達者   %s（%s）\n", acc.display, b.clerk);
		else
			wbuf_printf(w, "進達者   %s\n", b.clerk);
	}
	wbuf_printf(w, "------------------------------------------------------------\n");
	/* the receipt column fits the longest number: a terminal ID is up
	 * to 16 characters, so TERMINAL-YYYYMMDD-NNNNN is not fixed width */
	for (size_t i = 0; i < items.n; i++)
		if ((int)strlen(items.v[i].receipt_no) > rw)
			rw = (int)strlen(items.v[i].receipt_no);
	wbuf_printf(w, "No. 受付番号%*s 受付日     宛名番号     申請書\n", rw - 8, "");
	for (size_t i = 0; i < items.n; i++) {
		const struct application *a = &items.v[i];
		const struct screen *s = set != NULL ? screen_set_find(set, a->type) : NULL;
		/* INT-4: types whose screen carries "flag review-board" (自立支援
		 * 医療 新規/再開/更新) go to the 審査会 at the centre; the list
		 * says so on the line, so the centre routes them on arrival. */
		int board = s != NULL && screen_has_flag(s, "review-board");
		if (board)
			nboard++;
		char day[48];
		when_text(a->received_at, WHEN_SHORT_DATE, day, sizeof(day));
		wbuf_printf(w, "%3zu %-*s %-10s %-12s %s%s\n", i + 1, rw, a->receipt_no,
		    day, a->atena, s != NULL ? s->title : a->type,
		    board ? "　【審査会】" : "");
	}
	wbuf_printf(w, "------------------------------------------------------------\n");
	wbuf_printf(w, "件数 %zu 件\n", items.n);
	if (nboard > 0)
		wbuf_printf(w, "うち審査会付議 %zu 件\n", nboard);
	/* 受領欄: the receiving office signs and dates the copy it returns */
	wbuf_printf(w, "------------------------------------------------------------\n");
	wbuf_printf(w, "受領欄（上記 %zu 件を受領しました）\n", items.n);
	wbuf_printf(w, "  受領日  令和　　年　　月　　日\n");
	wbuf_printf(w, "  受領者  ＿＿＿＿＿＿＿＿＿＿＿＿＿＿  印\n");
	application_list_free(&items);
	if (w->err != 0)
		return err_set(e, ERR_RANGE, "transmittal list too long");
	return 0;
}
