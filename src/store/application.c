/*
 * application.c — applications taken in at the counter (INT-8: the receipt
 * ledger with its status history), their identity-check records (ID-1,
 * ID-2) and receipt numbers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "store.h"
#include "store-int.h"

#define APP_COLS "uuid, receipt_no, procedure, type, atena, form_json, " \
	"agent_json, idcheck, entered_by, confirmed_by, status, received_at, " \
	"updated_at"

static const char *const statuses[] = { "received", "review", "forwarded",
	"decided", "issued", "rejected", "returned", "withdrawn", NULL };

static int
status_ok(const char *s)
{
	for (int i = 0; statuses[i] != NULL; i++)
		if (s != NULL && strcmp(s, statuses[i]) == 0)
			return 1;
	return 0;
}

static int
step_done(sqlite3 *db, sqlite3_stmt *q, struct err *e, const char *what)
{
	int rc = sqlite3_step(q);

	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return sql_err(db, sqlite3_extended_errcode(db), e, what);
	return 0;
}

/* --------------------------------------------------------- id checks */

int
store_idcheck_save(struct store *st, struct idcheck *ic, struct err *e)
{
	sqlite3_stmt *q;
	int r;

	if (ic->method[0] == '\0')
		return err_set(e, ERR_INVAL, "identity check: no method (ID-1)");
	if (ic->uuid[0] == '\0' && uuid_v4(ic->uuid) != 0)
		return err_set(e, ERR_IO, "uuid");
	if (ic->at[0] == '\0')
		store_now(ic->at);
	if (ic->clerk[0] == '\0')
		snprintf(ic->clerk, sizeof(ic->clerk), "%s", st->user.name);
	if ((r = sql_prepare(st->db, "INSERT OR REPLACE INTO idchecks VALUES "
	    "(?,?,?,?,?,?,?,?)", &q, e)) != 0)
		return r;
	sql_bind_text(q, 1, ic->uuid);
	sql_bind_text(q, 2, ic->atena);
	sql_bind_text(q, 3, ic->method);
	sql_bind_text(q, 4, ic->documents);
	sql_bind_text(q, 5, ic->clerk);
	sql_bind_text(q, 6, ic->at);
	sqlite3_bind_int(q, 7, ic->digest_result);
	sql_bind_text(q, 8, ic->detail);
	if ((r = step_done(st->db, q, e, "idcheck")) != 0 || ic->authenticity[0] == '\0')
		return r;
	/* The card's verdicts (migration 4, issue 11). */
	if ((r = sql_prepare(st->db, "INSERT OR REPLACE INTO idcheck_verdicts VALUES "
	    "(?,?,?,?,?)", &q, e)) != 0)
		return r;
	sql_bind_text(q, 1, ic->uuid);
	sql_bind_text(q, 2, ic->authenticity);
	sql_bind_text(q, 3, ic->authenticity_detail);
	sql_bind_text(q, 4, ic->issuer_key_id);
	sql_bind_text(q, 5, ic->chip);
	return step_done(st->db, q, e, "idcheck verdicts");
}

int
store_idcheck_get(struct store *st, const char *uuid, struct idcheck *out,
    struct err *e)
{
	sqlite3_stmt *q;
	int r, rc;

	memset(out, 0, sizeof(*out));
	if ((r = sql_prepare(st->db, "SELECT i.uuid, atena, method, documents, "
	    "clerk, at, digest_result, detail, coalesce(v.authenticity, ''), "
	    "coalesce(v.authenticity_detail, ''), coalesce(v.issuer_key_id, ''), "
	    "coalesce(v.chip, '') FROM idchecks i LEFT JOIN idcheck_verdicts v "
	    "ON v.uuid = i.uuid WHERE i.uuid = ?",
	    &q, e)) != 0)
		return r;
	sql_bind_text(q, 1, uuid);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		sql_col_text(q, 0, out->uuid, sizeof(out->uuid));
		sql_col_text(q, 1, out->atena, sizeof(out->atena));
		sql_col_text(q, 2, out->method, sizeof(out->method));
		sql_col_text(q, 3, out->documents, sizeof(out->documents));
		sql_col_text(q, 4, out->clerk, sizeof(out->clerk));
		sql_col_text(q, 5, out->at, sizeof(out->at));
		out->digest_result = sqlite3_column_int(q, 6);
		sql_col_text(q, 7, out->detail, sizeof(out->detail));
		sql_col_text(q, 8, out->authenticity, sizeof(out->authenticity));
		sql_col_text(q, 9, out->authenticity_detail, sizeof(out->authenticity_detail));
		sql_col_text(q, 10, out->issuer_key_id, sizeof(out->issuer_key_id));
		sql_col_text(q, 11, out->chip, sizeof(out->chip));
	}
	sqlite3_finalize(q);
	if (rc == SQLITE_DONE)
		return err_set(e, ERR_NOTFOUND, "no identity check %s", uuid);
	if (rc != SQLITE_ROW)
		return sql_err(st->db, sqlite3_extended_errcode(st->db), e, "idcheck");
	return 0;
}

/* ----------------------------------------------------- receipt numbers */

int
store_receipt_next(struct store *st, char out[32], struct err *e)
{
	char term[64], key[96], val[32];
	int today = store_today_ymd(), r;
	long seq = 0;

	store_terminal_id(st, term);
	snprintf(key, sizeof(key), "receipt.seq.%d", today);
	if ((r = sql_tx_begin(st->db, e)) != 0)
		return r;
	if (store_setting_get(st, key, val, sizeof(val), NULL) == 0)
		seq = atol(val);
	seq++;
	snprintf(val, sizeof(val), "%ld", seq);
	r = store_setting_set(st, key, val, e);
	sql_tx_end(st->db, r == 0, r == 0 ? e : NULL);
	if (r != 0)
		return r;
	if (snprintf(out, 32, "%.12s-%d-%05ld", term, today, seq) >= 32)
		return err_set(e, ERR_RANGE, "receipt number too long");
	return 0;
}

/* -------------------------------------------------------- applications */

void
application_clear(struct application *a)
{
	if (a == NULL)
		return;
	if (a->form_json != NULL) {
		mem_wipe(a->form_json, strlen(a->form_json));
		free(a->form_json);
	}
	if (a->agent_json != NULL) {
		mem_wipe(a->agent_json, strlen(a->agent_json));
		free(a->agent_json);
	}
	a->form_json = a->agent_json = NULL;
}

static int
add_status(struct store *st, const char *uuid, const char *status,
    const char *note, struct err *e)
{
	sqlite3_stmt *q;
	char now[32];
	int r;

	store_now(now);
	if ((r = sql_prepare(st->db, "INSERT INTO application_status (uuid, "
	    "status, at, by, note) VALUES (?,?,?,?,?)", &q, e)) != 0)
		return r;
	sql_bind_text(q, 1, uuid);
	sql_bind_text(q, 2, status);
	sql_bind_text(q, 3, now);
	sql_bind_text(q, 4, st->user.name);
	sql_bind_text(q, 5, note);
	return step_done(st->db, q, e, "status");
}

static int app_get(struct store *st, const char *uuid,
    struct application *out, int raw, struct err *e);

int
store_application_save(struct store *st, struct application *a,
    struct err *e)
{
	sqlite3_stmt *q;
	char now[32], *form = NULL, *agent = NULL;
	struct application old;
	int r, isnew;

	if (a->procedure[0] == '\0' || a->type[0] == '\0')
		return err_set(e, ERR_INVAL, "application: procedure and type required");
	if (a->status[0] == '\0')
		snprintf(a->status, sizeof(a->status), "received");
	if (!status_ok(a->status))
		return err_set(e, ERR_INVAL, "application: unknown status \"%s\"",
		    a->status);
	if (a->entered_by[0] == '\0')
		snprintf(a->entered_by, sizeof(a->entered_by), "%s", st->user.name);
	if (a->confirmed_by[0] != '\0' &&
	    strcmp(a->confirmed_by, a->entered_by) == 0)
		return err_set_ja(e, ERR_PERM, "入力者本人は確認者になれません",
		    "the person who entered an application cannot confirm it (AC-7)");
	if (a->form_json != NULL) {
		struct json *j = NULL;
		if (json_parse(a->form_json, strlen(a->form_json), &j, e) != 0)
			return err_prefix(e, "application form: ");
		json_free(j);
	}
	if ((r = sql_tx_begin(st->db, e)) != 0)
		return r;
	memset(&old, 0, sizeof(old));
	isnew = a->uuid[0] == '\0';
	if (!isnew) {
		isnew = app_get(st, a->uuid, &old, 1, NULL) != 0;
	} else if (uuid_v4(a->uuid) != 0) {
		r = err_set(e, ERR_IO, "uuid");
		goto out;
	}
	/* issue 15: numbers sealed inside the bodies (mnseal.c); a masked
	 * value keeps the stored version's token */
	if ((r = mnseal_body(st, a->form_json ? a->form_json : "{}",
	    old.form_json, &form, e)) != 0 ||
	    (a->agent_json != NULL && (r = mnseal_body(st, a->agent_json,
	    old.agent_json, &agent, e)) != 0))
		goto out;
	if (isnew && a->receipt_no[0] == '\0' &&
	    (r = store_receipt_next(st, a->receipt_no, e)) != 0)
		goto out;
	store_now(now);
	if (a->received_at[0] == '\0')
		snprintf(a->received_at, sizeof(a->received_at), "%s", now);
	snprintf(a->updated_at, sizeof(a->updated_at), "%s", now);
	if ((r = sql_prepare(st->db, "INSERT INTO applications VALUES "
	    "(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13) ON CONFLICT(uuid) DO "
	    "UPDATE SET procedure=?3, type=?4, atena=?5, form_json=?6, "
	    "agent_json=?7, idcheck=?8, confirmed_by=?10, status=?11, "
	    "updated_at=?13", &q, e)) != 0)
		goto out;
	sql_bind_text(q, 1, a->uuid);
	sql_bind_text(q, 2, a->receipt_no);
	sql_bind_text(q, 3, a->procedure);
	sql_bind_text(q, 4, a->type);
	sql_bind_text(q, 5, a->atena);
	sql_bind_text(q, 6, form);
	if (agent != NULL)
		sql_bind_text(q, 7, agent);
	sql_bind_text(q, 8, a->idcheck);
	sql_bind_text(q, 9, a->entered_by);
	sql_bind_text(q, 10, a->confirmed_by);
	sql_bind_text(q, 11, a->status);
	sql_bind_text(q, 12, a->received_at);
	sql_bind_text(q, 13, a->updated_at);
	if ((r = step_done(st->db, q, e, "application")) != 0)
		goto out;
	if (isnew)
		r = add_status(st, a->uuid, a->status, "", e);
out:
	sql_tx_end(st->db, r == 0, r == 0 ? e : NULL);
	application_clear(&old);
	if (form != NULL) {
		mem_wipe(form, strlen(form));
		free(form);
	}
	if (agent != NULL) {
		mem_wipe(agent, strlen(agent));
		free(agent);
	}
	return r;
}

static char *
col_dup(sqlite3_stmt *q, int i)
{
	const unsigned char *s = sqlite3_column_text(q, i);

	return s ? strdup((const char *)s) : NULL;
}

static int
read_app(struct store *st, sqlite3_stmt *q, struct application *a, int raw)
{
	memset(a, 0, sizeof(*a));
	sql_col_text(q, 0, a->uuid, sizeof(a->uuid));
	sql_col_text(q, 1, a->receipt_no, sizeof(a->receipt_no));
	sql_col_text(q, 2, a->procedure, sizeof(a->procedure));
	sql_col_text(q, 3, a->type, sizeof(a->type));
	sql_col_text(q, 4, a->atena, sizeof(a->atena));
	a->form_json = col_dup(q, 5);
	a->agent_json = sqlite3_column_type(q, 6) == SQLITE_NULL ? NULL :
	    col_dup(q, 6);
	sql_col_text(q, 7, a->idcheck, sizeof(a->idcheck));
	sql_col_text(q, 8, a->entered_by, sizeof(a->entered_by));
	sql_col_text(q, 9, a->confirmed_by, sizeof(a->confirmed_by));
	sql_col_text(q, 10, a->status, sizeof(a->status));
	sql_col_text(q, 11, a->received_at, sizeof(a->received_at));
	sql_col_text(q, 12, a->updated_at, sizeof(a->updated_at));
	if (a->form_json == NULL) {
		application_clear(a);
		return ERR_NOMEM;
	}
	/* issue 15: the 個人番号 inside the bodies are tokens (mnseal.c):
	 * the number for a session with the right, else the masked form */
	if (!raw) {
		char *f = NULL, *g = NULL;

		if (mnseal_open_body(st, a->form_json, &f, NULL) != 0 ||
		    (a->agent_json != NULL &&
		    mnseal_open_body(st, a->agent_json, &g, NULL) != 0)) {
			free(f);
			application_clear(a);
			return ERR_NOMEM;
		}
		mem_wipe(a->form_json, strlen(a->form_json));
		free(a->form_json);
		a->form_json = f;
		if (g != NULL) {
			mem_wipe(a->agent_json, strlen(a->agent_json));
			free(a->agent_json);
			a->agent_json = g;
		}
	}
	return 0;
}

static int
app_get(struct store *st, const char *uuid, struct application *out, int raw,
    struct err *e)
{
	sqlite3_stmt *q;
	int r, rc;

	memset(out, 0, sizeof(*out));
	if ((r = sql_prepare(st->db, "SELECT " APP_COLS " FROM applications "
	    "WHERE uuid = ?", &q, e)) != 0)
		return r;
	sql_bind_text(q, 1, uuid);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW && read_app(st, q, out, raw) != 0)
		rc = SQLITE_NOMEM;
	sqlite3_finalize(q);
	if (rc == SQLITE_DONE)
		return err_set(e, ERR_NOTFOUND, "no application %s", uuid);
	if (rc == SQLITE_NOMEM)
		return err_set(e, ERR_NOMEM, "out of memory");
	if (rc != SQLITE_ROW)
		return sql_err(st->db, sqlite3_extended_errcode(st->db), e, "application");
	return 0;
}

int
store_application_get(struct store *st, const char *uuid,
    struct application *out, struct err *e)
{
	return app_get(st, uuid, out, 0, e);
}

int
store_application_get_sealed(struct store *st, const char *uuid,
    struct application *out, struct err *e)
{
	return app_get(st, uuid, out, 1, e);
}

void
application_list_free(struct application_list *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		application_clear(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

int
store_application_list(struct store *st, const struct application_query *qy,
    struct application_list *out, struct err *e)
{
	sqlite3_stmt *q;
	size_t cap = 0, limit = qy->limit ? qy->limit : 100;
	int r, rc;

	memset(out, 0, sizeof(*out));
	if ((r = sql_prepare(st->db, "SELECT " APP_COLS " FROM applications WHERE "
	    "(?1 IS NULL OR status = ?1) AND (?2 IS NULL OR procedure = ?2) AND "
	    "(?3 IS NULL OR atena = ?3) AND (?4 IS NULL OR entered_by = ?4) AND "
	    "(?5 IS NULL OR received_at >= ?5) AND "
	    "(?6 IS NULL OR received_at <= ?6) "
	    "ORDER BY received_at, receipt_no LIMIT ?7 OFFSET ?8", &q, e)) != 0)
		return r;
	if (qy->status) sql_bind_text(q, 1, qy->status);
	if (qy->procedure) sql_bind_text(q, 2, qy->procedure);
	if (qy->atena) sql_bind_text(q, 3, qy->atena);
	if (qy->entered_by) sql_bind_text(q, 4, qy->entered_by);
	if (qy->received_from) sql_bind_text(q, 5, qy->received_from);
	if (qy->received_to) sql_bind_text(q, 6, qy->received_to);
	sqlite3_bind_int64(q, 7, (sqlite3_int64)limit);
	sqlite3_bind_int64(q, 8, (sqlite3_int64)qy->offset);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (out->n == cap) {
			size_t nc = cap ? cap * 2 : 16;
			struct application *v = realloc(out->v, nc * sizeof(*v));
			if (v == NULL) {
				rc = SQLITE_NOMEM;
				break;
			}
			out->v = v;
			cap = nc;
		}
		if (read_app(st, q, &out->v[out->n], 0) != 0) {
			rc = SQLITE_NOMEM;
			break;
		}
		out->n++;
	}
	sqlite3_finalize(q);
	if (rc == SQLITE_NOMEM) {
		application_list_free(out);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	if (rc != SQLITE_DONE) {
		application_list_free(out);
		return sql_err(st->db, sqlite3_extended_errcode(st->db), e, "application");
	}
	return 0;
}

int
store_application_set_status(struct store *st, const char *uuid,
    const char *status, const char *note, struct err *e)
{
	sqlite3_stmt *q;
	char now[32];
	int r;

	if (!status_ok(status))
		return err_set(e, ERR_INVAL, "unknown status \"%s\"", status ? status : "");
	store_now(now);
	if ((r = sql_tx_begin(st->db, e)) != 0)
		return r;
	if ((r = sql_prepare(st->db, "UPDATE applications SET status = ?, "
	    "updated_at = ? WHERE uuid = ?", &q, e)) == 0) {
		sql_bind_text(q, 1, status);
		sql_bind_text(q, 2, now);
		sql_bind_text(q, 3, uuid);
		r = step_done(st->db, q, e, "application");
	}
	if (r == 0 && sqlite3_changes(st->db) == 0)
		r = err_set(e, ERR_NOTFOUND, "no application %s", uuid);
	if (r == 0)
		r = add_status(st, uuid, status, note, e);
	sql_tx_end(st->db, r == 0, r == 0 ? e : NULL);
	return r;
}

int
store_application_history(struct store *st, const char *uuid,
    struct status_row **v, size_t *n, struct err *e)
{
	sqlite3_stmt *q;
	struct status_row *arr = NULL;
	size_t cnt = 0, cap = 0;
	int r, rc;

	*v = NULL;
	*n = 0;
	if ((r = sql_prepare(st->db, "SELECT status, at, by, note FROM "
	    "application_status WHERE uuid = ? ORDER BY id", &q, e)) != 0)
		return r;
	sql_bind_text(q, 1, uuid);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (cnt == cap) {
			size_t nc = cap ? cap * 2 : 8;
			struct status_row *na = realloc(arr, nc * sizeof(*na));
			if (na == NULL) {
				rc = SQLITE_NOMEM;
				break;
			}
			arr = na;
			cap = nc;
		}
		sql_col_text(q, 0, arr[cnt].status, sizeof(arr[cnt].status));
		sql_col_text(q, 1, arr[cnt].at, sizeof(arr[cnt].at));
		sql_col_text(q, 2, arr[cnt].by, sizeof(arr[cnt].by));
		sql_col_text(q, 3, arr[cnt].note, sizeof(arr[cnt].note));
		cnt++;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		free(arr);
		return rc == SQLITE_NOMEM ? err_set(e, ERR_NOMEM, "out of memory") :
		    sql_err(st->db, sqlite3_extended_errcode(st->db), e, "history");
	}
	*v = arr;
	*n = cnt;
	return 0;
}
