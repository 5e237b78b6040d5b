/*
 * acctlog.c — the terminal's account_log (issue 14, AC-2) and password age
 * (AC-4, [store] password_max_age).  The log is appended to, never updated
 * or deleted; each row names the account, the action, the request it was
 * made against, the logged-in operator and the time.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core.h"
#include "store.h"
#include "store-int.h"

int
store_account_log(struct store *st, const char *name, const char *action,
    const char *request, const char *detail, struct err *e)
{
	sqlite3_stmt *q;
	char now[32];
	int r, rc;

	store_now(now);
	if ((r = sql_prepare(st->db, "INSERT INTO account_log (name, action,"
	    " request, operator, at, detail) VALUES (?, ?, ?, ?, ?, ?)", &q,
	    e)) != 0)
		return r;
	sql_bind_text(q, 1, name);
	sql_bind_text(q, 2, action);
	sql_bind_text(q, 3, request != NULL ? request : "");
	sql_bind_text(q, 4, st->user.name);
	sql_bind_text(q, 5, now);
	sql_bind_text(q, 6, detail != NULL ? detail : "");
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return sql_err(st->db, sqlite3_extended_errcode(st->db), e,
		    "account_log");
	return 0;
}

int
store_account_log_list(struct store *st, const char *name,
    void (*row)(const char *at, const char *name, const char *action,
    const char *request, const char *operator, const char *detail, void *arg),
    void *arg, struct err *e)
{
	sqlite3_stmt *q;
	int r, rc;

	if ((r = sql_prepare(st->db, "SELECT at, name, action, request, operator,"
	    " detail FROM account_log WHERE ?1 IS NULL OR name = ?1 ORDER BY seq",
	    &q, e)) != 0)
		return r;
	if (name != NULL)
		sql_bind_text(q, 1, name);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		row((const char *)sqlite3_column_text(q, 0),
		    (const char *)sqlite3_column_text(q, 1),
		    (const char *)sqlite3_column_text(q, 2),
		    (const char *)sqlite3_column_text(q, 3),
		    (const char *)sqlite3_column_text(q, 4),
		    (const char *)sqlite3_column_text(q, 5), arg);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return sql_err(st->db, sqlite3_extended_errcode(st->db), e,
		    "account_log");
	return 0;
}

/* [store] password_max_age, set once at start-up (0 = no ageing). */
static int password_max_age;

void
store_password_max_age_set(int days)
{
	password_max_age = days > 0 ? days : 0;
}

int
store_password_expired(struct store *st)
{
	int days;

	if (st == NULL || password_max_age == 0 ||
	    store_password_age(st, st->user.name, &days, NULL) != 0)
		return 0;
	return days >= password_max_age;
}

int
store_password_age(struct store *st, const char *name, int *days,
    struct err *e)
{
	sqlite3_stmt *q;
	struct date d, today;
	const char *s;
	int r, rc;

	*days = -1;
	if ((r = sql_prepare(st->db, "SELECT password_changed_at FROM accounts"
	    " WHERE name = ?", &q, e)) != 0)
		return r;
	sql_bind_text(q, 1, name);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW && (s = (const char *)sqlite3_column_text(q, 0)) != NULL &&
	    strlen(s) >= 10 && sscanf(s, "%4d-%2d-%2d", &d.y, &d.m, &d.d) == 3 &&
	    date_valid(d.y, d.m, d.d)) {
		date_today(&today);
		*days = (int)(date_to_days(&today) - date_to_days(&d));
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sql_err(st->db, sqlite3_extended_errcode(st->db), e, "account");
	return 0;
}
