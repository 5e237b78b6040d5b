/*
 * check.c — a central that trusts no terminal (issue 15 B, NET-3, AC-6,
 * AC-7): every pushed item is checked against the enrolment record of the
 * terminal that pushed it, whatever its key-holder claims.
 *
 *   application  procedure within the terminal's procedures; 宛名番号 of a
 *                person known here, in one of its wards; receipt number
 *                under its own terminal ID; entered_by an account that
 *                exists, is active and may write the procedure;
 *                confirmed_by (when given, and required from 確認済 on) a
 *                different, active reviewer; the application UUID not
 *                another terminal's; status reachable from the last one
 *                this terminal sent.
 *   status       the application is one this terminal pushed; the change
 *                from its last status is legal; `by` exists, is active and
 *                may make it (確認 by a reviewer who did not enter it).
 *   idcheck      宛名番号 within the wards; clerk an active account.
 *
 * "Active": not revoked or disabled now, and within valid_until on the
 * date the item names.  A refusal is a reason in English for the ack, the
 * central log and the `rejects` table (`madoguchi-central terminal
 * rejects`).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "central-int.h"

#define REFUSE(...) (snprintf(why, whylen, __VA_ARGS__), 1)

int
central_list_has(const char *list, const char *v)
{
	size_t vl = strlen(v);
	const char *p;

	if (list == NULL || list[0] == '\0')
		return 1;
	if (vl == 0)
		return 0;
	for (p = list; *p != '\0';) {
		size_t n = strcspn(p, ",");

		if (n == vl && memcmp(p, v, n) == 0)
			return 1;
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

/* The receipt number a terminal makes (store_receipt_next):
 * first 12 characters of its ID, '-', yyyymmdd, '-', digits. */
int
central_receipt_of(const char *terminal, const char *rno)
{
	size_t n = strlen(terminal), i;

	if (n > 12)
		n = 12;
	if (strncmp(rno, terminal, n) != 0 || rno[n] != '-')
		return 0;
	rno += n + 1;
	for (i = 0; i < 8; i++)
		if (rno[i] < '0' || rno[i] > '9')
			return 0;
	if (rno[8] != '-' || rno[9] == '\0')
		return 0;
	for (rno += 9; *rno != '\0'; rno++)
		if (*rno < '0' || *rno > '9')
			return 0;
	return 1;
}

struct acct {
	int found, disabled;
	long valid_until;	/* yyyymmdd, 0 = open */
	char role[16];
	char perms[1100];
};

static int
acct_get(sqlite3 *db, const char *name, struct acct *a, struct err *e)
{
	sqlite3_stmt *st;
	struct json *j = NULL;
	int r;

	memset(a, 0, sizeof(*a));
	if (name == NULL || name[0] == '\0')
		return 0;
	if ((r = central_prepare(db, "SELECT body FROM changes WHERE kind = 4 AND"
	    " op = 1 AND key = ?", &st, e)) != 0)
		return r;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *b = (const char *)sqlite3_column_text(st, 0);

		if (b != NULL && json_parse(b, strlen(b), &j, NULL) == 0 &&
		    j->type == JSON_OBJ) {
			const struct json *m;

			a->found = 1;
			snprintf(a->role, sizeof(a->role), "%s",
			    json_get_str(j, "role") ? json_get_str(j, "role") : "");
			snprintf(a->perms, sizeof(a->perms), "%s",
			    json_get_str(j, "perms") ? json_get_str(j, "perms") : "");
			if ((m = json_get(j, "disabled")) != NULL && m->type == JSON_NUM)
				a->disabled = m->num != 0;
			if ((m = json_get(j, "valid_until")) != NULL && m->type == JSON_NUM)
				a->valid_until = (long)m->num;
		}
		json_free(j);
	}
	sqlite3_finalize(st);
	return 0;
}

/* "proc:level;..." -> 0 none, 1 read, 2 write */
static int
acct_perm(const struct acct *a, const char *proc)
{
	size_t pl = strlen(proc);
	const char *p = a->perms;

	while (*p != '\0') {
		size_t n = strcspn(p, ";");
		const char *colon = memchr(p, ':', n);

		if (colon != NULL && (size_t)(colon - p) == pl &&
		    memcmp(p, proc, pl) == 0) {
			size_t ln = n - pl - 1;

			if (ln == 5 && memcmp(colon + 1, "write", 5) == 0)
				return 2;
			if (ln == 4 && memcmp(colon + 1, "read", 4) == 0)
				return 1;
			return 0;
		}
		p += n;
		if (*p == ';')
			p++;
	}
	return 0;
}

/* yyyymmdd of an ISO date-time "2025-04-01T..." or 0. */
static long
ymd_of(const char *s)
{
	if (s == NULL || strlen(s) < 10 || s[4] != '-' || s[7] != '-')
		return 0;
	return atol(s) * 10000 + atol(s + 5) * 100 + atol(s + 8);
}

/* An account that exists and is active on the date of at. */
static int
acct_active(sqlite3 *db, const char *what, const char *name, const char *at,
    struct acct *a, char *why, size_t whylen, struct err *e)
{
	long day = ymd_of(at);
	int r;

	if ((r = acct_get(db, name, a, e)) != 0)
		return r;
	if (name == NULL || name[0] == '\0')
		return REFUSE("%s is missing", what);
	if (!a->found)
		return REFUSE("%s \"%.63s\" is no account at the central", what, name);
	if (a->disabled)
		return REFUSE("%s \"%.63s\" is revoked or disabled", what, name);
	if (a->valid_until != 0 && (day == 0 || day > a->valid_until))
		return REFUSE("%s \"%.63s\" had expired on that date", what, name);
	return 0;
}

static const char *const statuses[] = { "received", "review", "forwarded",
	"decided", "issued", "rejected", "returned", "withdrawn", NULL };

static int
status_known(const char *s)
{
	size_t i;

	for (i = 0; statuses[i] != NULL; i++)
		if (s != NULL && strcmp(s, statuses[i]) == 0)
			return 1;
	return 0;
}

/* The changes a terminal can make (intake.h: review_confirm, batches,
 * review_return, ledger_set_status, a correction back to received, and a
 * decision pulled from here being corrected). */
int
central_status_legal(const char *from, const char *to)
{
	static const char *const ok[][2] = {
		{ "received", "review" }, { "received", "returned" },
		{ "received", "withdrawn" },
		{ "review", "forwarded" }, { "review", "returned" },
		{ "review", "withdrawn" }, { "review", "received" },
		{ "forwarded", "decided" }, { "forwarded", "rejected" },
		{ "forwarded", "returned" }, { "forwarded", "received" },
		{ "decided", "issued" }, { "decided", "received" },
		{ "rejected", "received" }, { "issued", "received" },
		{ "returned", "received" }, { "returned", "withdrawn" },
	};
	size_t i;

	if (!status_known(from) || !status_known(to))
		return 0;
	if (strcmp(from, to) == 0)
		return 1;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strcmp(from, ok[i][0]) == 0 && strcmp(to, ok[i][1]) == 0)
			return 1;
	return 0;
}

/* The last thing known here about application app: which terminal sent
 * it, its procedure, entered_by, status (latest application or status
 * item), and a decision imported for it.  found 0 when never received. */
struct appstate {
	int found;
	char terminal[17], procedure[64], entered_by[64], status[16];
	char decision[16];
};

static int
app_state(sqlite3 *db, const char *app, struct appstate *s, struct err *e)
{
	sqlite3_stmt *st;
	int r;

	memset(s, 0, sizeof(*s));
	if ((r = central_prepare(db, "SELECT terminal, body FROM received WHERE"
	    " app = ? AND kind = 1 ORDER BY seq DESC LIMIT 1", &st, e)) != 0)
		return r;
	sqlite3_bind_text(st, 1, app, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *b = (const char *)sqlite3_column_text(st, 1);
		struct json *j = NULL;

		s->found = 1;
		snprintf(s->terminal, sizeof(s->terminal), "%s",
		    sqlite3_column_text(st, 0));
		if (b != NULL && json_parse(b, strlen(b), &j, NULL) == 0) {
			const char *p = json_get_str(j, "procedure"),
			    *en = json_get_str(j, "entered_by");

			snprintf(s->procedure, sizeof(s->procedure), "%s", p ? p : "");
			snprintf(s->entered_by, sizeof(s->entered_by), "%s", en ? en : "");
		}
		json_free(j);
	}
	sqlite3_finalize(st);
	if (!s->found)
		return 0;
	if ((r = central_prepare(db, "SELECT status FROM received WHERE app = ?"
	    " AND terminal = ? AND status IS NOT NULL ORDER BY seq DESC LIMIT 1",
	    &st, e)) != 0)
		return r;
	sqlite3_bind_text(st, 1, app, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, s->terminal, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(s->status, sizeof(s->status), "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if ((r = central_prepare(db, "SELECT d.status FROM decisions d JOIN received"
	    " r ON r.receipt_no = d.receipt_no AND r.terminal = d.terminal WHERE"
	    " r.app = ? LIMIT 1", &st, e)) != 0)
		return r;
	sqlite3_bind_text(st, 1, app, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(s->decision, sizeof(s->decision), "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return 0;
}

static int
legal_from(const struct appstate *s, const char *to)
{
	return central_status_legal(s->status, to) ||
	    (s->decision[0] != '\0' && central_status_legal(s->decision, to));
}

static int
person_in_scope(sqlite3 *db, const struct central_terminal *t,
    const char *atena, char *why, size_t whylen, struct err *e)
{
	sqlite3_stmt *st;
	char ward[64] = "";
	int r, found = 0;

	if ((r = central_prepare(db, "SELECT ward FROM persons WHERE atena = ?",
	    &st, e)) != 0)
		return r;
	sqlite3_bind_text(st, 1, atena, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		found = 1;
		snprintf(ward, sizeof(ward), "%s", sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	if (!found)
		return REFUSE("宛名番号 %.15s is not a person known at the central", atena);
	if (!central_list_has(t->wards, ward))
		return REFUSE("宛名番号 %.15s is in ward %.15s, outside this terminal's"
		    " wards", atena, ward);
	return 0;
}

static int
check_application(sqlite3 *db, const struct central_terminal *t,
    const struct json *j, char *why, size_t whylen, struct err *e)
{
	const char *proc = json_get_str(j, "procedure"),
	    *atena = json_get_str(j, "atena"), *rno = json_get_str(j, "receipt_no"),
	    *app = json_get_str(j, "uuid"), *status = json_get_str(j, "status"),
	    *by = json_get_str(j, "entered_by"),
	    *conf = json_get_str(j, "confirmed_by"),
	    *at = json_get_str(j, "received_at");
	struct acct a;
	struct appstate s;
	int r;

	if (!central_list_has(t->procedures, proc))
		return REFUSE("procedure %.63s is not one of this terminal's", proc);
	if ((r = person_in_scope(db, t, atena, why, whylen, e)) != 0)
		return r;
	if (!central_receipt_of(t->id, rno))
		return REFUSE("receipt number %.31s is not under this terminal's ID %s",
		    rno, t->id);
	if (!status_known(status))
		return REFUSE("unknown status \"%.15s\"", status);
	if ((r = app_state(db, app, &s, e)) != 0)
		return r;
	if (s.found && strcmp(s.terminal, t->id) != 0)
		return REFUSE("application %.36s was received from another terminal", app);
	if (s.found ? !legal_from(&s, status) :
	    strcmp(status, "received") != 0 && strcmp(status, "review") != 0 &&
	    strcmp(status, "returned") != 0)
		return REFUSE("status %.15s cannot follow %s", status,
		    s.found ? s.status : "a new application");
	if ((r = acct_active(db, "entered_by", by, at, &a, why, whylen, e)) != 0)
		return r;
	if (acct_perm(&a, proc) != 2)
		return REFUSE("entered_by \"%.63s\" may not enter %.63s", by, proc);
	if (conf != NULL && conf[0] != '\0') {
		const char *cat = json_get_str(j, "updated_at");

		if ((r = acct_active(db, "confirmed_by", conf, cat && cat[0] ? cat : at,
		    &a, why, whylen, e)) != 0)
			return r;
		if (strcmp(a.role, "reviewer") != 0)
			return REFUSE("confirmed_by \"%.63s\" is not a reviewer", conf);
		if (strcmp(conf, by) == 0)
			return REFUSE("entered and confirmed by the same account \"%.63s\""
			    " (four eyes)", by);
	} else if (strcmp(status, "review") == 0 || strcmp(status, "forwarded") == 0)
		return REFUSE("status %s without confirmed_by (four eyes)", status);
	return 0;
}

static int
check_status(sqlite3 *db, const struct central_terminal *t,
    const struct json *j, char *why, size_t whylen, struct err *e)
{
	const char *app = json_get_str(j, "uuid"), *to = json_get_str(j, "status"),
	    *by = json_get_str(j, "by"), *at = json_get_str(j, "at"),
	    *rno = json_get_str(j, "receipt_no");
	struct appstate s;
	struct acct a;
	int r;

	if (rno != NULL && rno[0] != '\0' && !central_receipt_of(t->id, rno))
		return REFUSE("receipt number %.31s is not under this terminal's ID %s",
		    rno, t->id);
	if ((r = app_state(db, app, &s, e)) != 0)
		return r;
	if (!s.found)
		return REFUSE("status of application %.36s, which the central never"
		    " received", app);
	if (strcmp(s.terminal, t->id) != 0)
		return REFUSE("application %.36s was received from another terminal", app);
	if (!legal_from(&s, to))
		return REFUSE("status %.15s cannot follow %s", to, s.status);
	if ((r = acct_active(db, "by", by, at, &a, why, whylen, e)) != 0)
		return r;
	if (strcmp(to, "review") == 0 || strcmp(to, "forwarded") == 0) {
		if (strcmp(a.role, "reviewer") != 0)
			return REFUSE("\"%.63s\" is not a reviewer and may not set %s", by, to);
		if (strcmp(to, "review") == 0 && strcmp(by, s.entered_by) == 0)
			return REFUSE("\"%.63s\" confirmed their own entry (four eyes)", by);
	} else if (strcmp(to, "returned") == 0) {
		if (strcmp(a.role, "reviewer") != 0 && acct_perm(&a, s.procedure) != 2)
			return REFUSE("\"%.63s\" may not return %.63s applications", by,
			    s.procedure);
	} else if (strcmp(to, s.status) != 0 && acct_perm(&a, s.procedure) != 2 &&
	    !(strcmp(to, "received") == 0 && strcmp(a.role, "reviewer") == 0))
		return REFUSE("\"%.63s\" may not change %.63s applications", by,
		    s.procedure);
	return 0;
}

static int
check_idcheck(sqlite3 *db, const struct central_terminal *t,
    const struct json *j, char *why, size_t whylen, struct err *e)
{
	struct acct a;
	int r;

	if ((r = person_in_scope(db, t, json_get_str(j, "atena"), why, whylen, e)) != 0)
		return r;
	return acct_active(db, "clerk", json_get_str(j, "clerk"),
	    json_get_str(j, "at"), &a, why, whylen, e);
}

int
central_item_allowed(sqlite3 *db, const struct central_terminal *t, int kind,
    const struct json *j, char *why, size_t whylen, struct err *e)
{
	switch (kind) {
	case ITEM_APPLICATION:
		return check_application(db, t, j, why, whylen, e);
	case ITEM_STATUS:
		return check_status(db, t, j, why, whylen, e);
	case ITEM_IDCHECK:
		return check_idcheck(db, t, j, why, whylen, e);
	default:
		return 0;	/* audit rows and heads: checked as a chain */
	}
}

int
central_reject_note(sqlite3 *db, const char *terminal, const char *uuid,
    int kind, const char *reason, struct err *e)
{
	sqlite3_stmt *st;
	char now[32];
	int r;

	central_now(now);
	if ((r = central_prepare(db, "INSERT INTO rejects (terminal, uuid, kind,"
	    " reason, first_at, last_at, times) VALUES (?1, ?2, ?3, ?4, ?5, ?5, 1)"
	    " ON CONFLICT(terminal, uuid) DO UPDATE SET reason = ?4, last_at = ?5,"
	    " times = times + 1", &st, e)) != 0)
		return r;
	sqlite3_bind_text(st, 1, terminal, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, uuid, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, kind);
	sqlite3_bind_text(st, 4, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? 0 : err_set(e, ERR_IO, "central db: %s",
	    sqlite3_errmsg(db));
}

int
central_rejects_list(struct central *c, const char *terminal, FILE *out,
    struct err *e)
{
	static const char *const kinds[] = { "?", "application", "status",
		"idcheck", "audit", "head", "purge", "erasure" };
	sqlite3_stmt *st;
	int r, n = 0;

	if ((r = central_prepare(c->db, "SELECT terminal, uuid, kind, times, first_at,"
	    " last_at, reason FROM rejects WHERE ?1 IS NULL OR terminal = ?1"
	    " ORDER BY last_at, terminal, uuid", &st, e)) != 0)
		return r;
	if (terminal != NULL)
		sqlite3_bind_text(st, 1, terminal, -1, SQLITE_STATIC);
	fprintf(out, "%-16s %-36s %-11s %5s %-25s %s\n", "TERMINAL", "ITEM", "KIND",
	    "TIMES", "LAST", "REASON");
	while (sqlite3_step(st) == SQLITE_ROW) {
		int k = sqlite3_column_int(st, 2);
		char reason[512];

		/* the reason quotes what the terminal sent: never raw controls */
		text_visible((const char *)sqlite3_column_text(st, 6), reason,
		    sizeof(reason));
		fprintf(out, "%-16s %-36s %-11s %5d %-25s %s\n",
		    sqlite3_column_text(st, 0), sqlite3_column_text(st, 1),
		    k >= 1 && k <= ITEM_ERASURE ? kinds[k] : "?", sqlite3_column_int(st, 3),
		    sqlite3_column_text(st, 5), reason);
		n++;
	}
	sqlite3_finalize(st);
	fprintf(out, "# %d rejected item(s)\n", n);
	return 0;
}
