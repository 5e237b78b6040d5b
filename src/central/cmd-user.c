/*
 * cmd-user.c — `madoguchi-central user add|mod|revoke|list|review|history`:
 * the accounts of every terminal, issued, changed and revoked at the
 * central one by one against a recorded request (AC-1, AC-2, AC-3, AC-9).
 *
 * Every change goes through the same code as `import accounts` (a one-row
 * CSV through central_import_text_tx), so the validation and the change
 * record of the pull feed are the import's, and terminals apply it at their
 * next sync exactly as an imported row (a revoked account is disabled
 * there, its key slot with it).  In the same transaction a row is appended
 * to account_log: who (the operating system user, and the sudo caller),
 * when, which request, what action and the resulting account.  The log is
 * never updated or deleted (AC-2: kept).
 *
 * Individual accounts only (AC-1): a login name whose letters are nothing
 * but generic words ("admin", "user", "guest", "shared", "test", "madoguchi"
 * and the others in generic_words below, alone, combined or with digits
 * and separators, such as "admin01", "test_user", "2")
 * is refused, and so is a display name that is nothing but 窓口, 共用, 管理者,
 * テスト and the like with digits and spaces ("窓口1", "共用 ２").  Names are
 * letters, digits, '-' and '_' as for `import accounts`.
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acctrule.h"
#include "central-int.h"

#define USER_LOG_SQL \
	"CREATE TABLE IF NOT EXISTS account_log (" \
	" seq INTEGER PRIMARY KEY AUTOINCREMENT," \
	" name TEXT NOT NULL, action TEXT NOT NULL, request TEXT NOT NULL," \
	" operator TEXT NOT NULL, at TEXT NOT NULL, body TEXT NOT NULL);"

struct acct {
	char name[64];
	char display[512];
	char role[16];
	char perms[1100];
	int view, search, exp, until, disabled;
};

/* What the command line asks for; -1 / NULL = leave as it is. */
struct uopts {
	const char *display, *role, *until, *request, *format;
	const char *perm[32];
	int nperm;
	int view, search, exp, renew;
};

/* AC-1 names, AC-2 request references and AC-3 end dates: the shared
 * rules of every path (core acctrule.c). */

/* The same rule for the central's operators (operator.c, issue 16). */
int
central_name_individual(const char *name, const char *what, struct err *e)
{
	return account_rule_name(name, what, e);
}

/* ------------------------------------------------------- the account */

/* The account as the pull feed has it: 1 found, 0 none, or ERR_*. */
static int
acct_load(sqlite3 *db, const char *name, struct acct *a, char **body,
    struct err *e)
{
	sqlite3_stmt *st;
	struct json *j = NULL;
	const struct json *v;
	const char *s;
	int r;

	memset(a, 0, sizeof(*a));
	if (body != NULL)
		*body = NULL;
	if ((r = central_prepare(db, "SELECT body FROM changes WHERE kind = ?"
	    " AND op = ? AND key = ?", &st, e)) != 0)
		return r;
	sqlite3_bind_int(st, 1, CHG_ACCOUNT);
	sqlite3_bind_int(st, 2, CHG_UPSERT);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW || sqlite3_column_text(st, 0) == NULL) {
		sqlite3_finalize(st);
		return 0;
	}
	s = (const char *)sqlite3_column_text(st, 0);
	r = json_parse(s, strlen(s), &j, e);
	if (r == 0 && body != NULL && (*body = strdup(s)) == NULL)
		r = err_set(e, ERR_NOMEM, "out of memory");
	sqlite3_finalize(st);
	if (r != 0)
		return r;
#define STR(k, dst) snprintf(dst, sizeof(dst), "%s", \
	json_get_str(j, k) ? json_get_str(j, k) : "")
#define NUM(k) ((v = json_get(j, k)) != NULL && v->type == JSON_NUM ? (int)v->num : 0)
	STR("name", a->name);
	STR("display", a->display);
	STR("role", a->role);
	STR("perms", a->perms);
	a->view = NUM("view_mynumber");
	a->search = NUM("search_mynumber");
	a->exp = NUM("export");
	a->until = NUM("valid_until");
	a->disabled = NUM("disabled");
#undef STR
#undef NUM
	json_free(j);
	return 1;
}

/* Set proc's level in "proc:level;..." (none removes it). */
static int
perm_set(char *perms, size_t cap, const char *arg, struct err *e)
{
	char out[1100], cur[1100], *save = NULL, *tok;
	const char *colon = strrchr(arg, ':');
	size_t pl;
	int n = 0;

	if (colon == NULL || colon == arg || (strcmp(colon + 1, "read") != 0 &&
	    strcmp(colon + 1, "write") != 0 && strcmp(colon + 1, "none") != 0))
		return err_set(e, ERR_INVAL, "--perm \"%.64s\": PROCEDURE:read|write|none", arg);
	pl = (size_t)(colon - arg);
	out[0] = '\0';
	snprintf(cur, sizeof(cur), "%s", perms);
	for (tok = strtok_r(cur, ";", &save); tok != NULL; tok = strtok_r(NULL, ";", &save)) {
		if (strncmp(tok, arg, pl) == 0 && tok[pl] == ':')
			continue;
		n += snprintf(out + n, sizeof(out) - (size_t)n, "%s%s", n ? ";" : "", tok);
		if ((size_t)n >= sizeof(out))
			return err_set(e, ERR_RANGE, "too many permissions");
	}
	if (strcmp(colon + 1, "none") != 0)
		n += snprintf(out + n, sizeof(out) - (size_t)n, "%s%s", n ? ";" : "", arg);
	if ((size_t)n >= sizeof(out) || (size_t)n >= cap)
		return err_set(e, ERR_RANGE, "too many permissions");
	memcpy(perms, out, (size_t)n + 1);
	return 0;
}

#define fiscal_end account_fiscal_end

static void
csv_field(struct wbuf *w, const char *s, int first)
{
	if (!first)
		wbuf_put_u8(w, ',');
	wbuf_put_u8(w, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"')
			wbuf_put_u8(w, '"');
		wbuf_put_u8(w, (uint8_t)*s);
	}
	wbuf_put_u8(w, '"');
}

/* Who runs this command, for account_log. */
static void
operator_name(char op[160])
{
	struct passwd *pw = getpwuid(getuid());
	const char *sudo = getenv("SUDO_USER");

	/* SUDO_USER is only an environment variable: anyone can set it.  It
	 * names the caller only when this really runs as root under sudo,
	 * with SUDO_UID naming the same user (issue 15). */
	if (sudo != NULL && sudo[0] != '\0' && getuid() == 0) {
		const char *suid = getenv("SUDO_UID");
		struct passwd *sp = getpwnam(sudo);

		if (suid == NULL || sp == NULL ||
		    (unsigned long)sp->pw_uid != strtoul(suid, NULL, 10))
			sudo = NULL;
	} else
		sudo = NULL;
	if (sudo != NULL)
		snprintf(op, 160, "%.60s (sudo from %.60s)",
		    pw ? pw->pw_name : "?", sudo);
	else if (pw != NULL)
		snprintf(op, 160, "%.60s", pw->pw_name);
	else
		snprintf(op, 160, "uid %u", (unsigned)getuid());
}

int
central_account_log(sqlite3 *db, const char *actor, const char *name,
    const char *action, const char *request, const char *body, struct err *e)
{
	char op[160], now[32];
	const char *vals[6];
	sqlite3_stmt *st;
	int r, k;

	if ((r = central_sql(db, USER_LOG_SQL, e)) != 0)
		return r;
	if (actor != NULL && actor[0] != '\0')	/* the operator logged in (issue 16) */
		snprintf(op, sizeof(op), "%.64s", actor);
	else
		operator_name(op);
	central_now(now);
	vals[0] = name;
	vals[1] = action;
	vals[2] = request;
	vals[3] = op;
	vals[4] = now;
	vals[5] = body;
	if ((r = central_prepare(db, "INSERT INTO account_log (name, action,"
	    " request, operator, at, body) VALUES (?, ?, ?, ?, ?, ?)", &st, e)) == 0) {
		for (k = 0; k < 6; k++)
			sqlite3_bind_text(st, k + 1, vals[k], -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			r = err_set(e, ERR_IO, "central db: %s", sqlite3_errmsg(db));
		sqlite3_finalize(st);
	}
	if (r == 0)
		log_info("user %s %s (request %.128s) by %s", action, name, request, op);
	return r;
}

/* Apply a through the `import accounts` row code (validation and change
 * record), and log it: all in the caller's transaction. */
static int
acct_apply(struct central *c, const struct acct *a, const char *action,
    const char *request, struct err *e)
{
	struct import_report rep;
	struct wbuf w;
	char until[16] = "", num[8], why[512] = "", *body = NULL;
	struct acct back;
	FILE *rf;
	int r;

	if (a->until != 0)
		snprintf(until, sizeof(until), "%04d-%02d-%02d", a->until / 10000,
		    a->until / 100 % 100, a->until % 100);
	wbuf_init(&w, 8192);
	wbuf_printf(&w, "name,display,role,perms,view_mynumber,search_mynumber,"
	    "export,valid_until,disabled,request\n");
	csv_field(&w, a->name, 1);
	csv_field(&w, a->display, 0);
	csv_field(&w, a->role, 0);
	csv_field(&w, a->perms, 0);
	snprintf(num, sizeof(num), "%d", a->view);
	csv_field(&w, num, 0);
	snprintf(num, sizeof(num), "%d", a->search);
	csv_field(&w, num, 0);
	snprintf(num, sizeof(num), "%d", a->exp);
	csv_field(&w, num, 0);
	csv_field(&w, until, 0);
	snprintf(num, sizeof(num), "%d", a->disabled);
	csv_field(&w, num, 0);
	csv_field(&w, request, 0);
	wbuf_put_u8(&w, '\n');
	if (wbuf_str(&w) == NULL) {
		wbuf_free(&w);
		return err_set(e, ERR_RANGE, "account fields too long");
	}
	if ((rf = fmemopen(why, sizeof(why) - 1, "w")) == NULL) {
		wbuf_free(&w);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	r = central_import_text_tx(c, IMPORT_ACCOUNTS, "user", (const char *)w.p,
	    w.len, rf, &rep, e);
	fclose(rf);
	wbuf_free(&w);
	if (r != 0)
		return r;
	if (rep.rejected > 0) {
		char *nl = strchr(why, '\n');

		if (nl != NULL)
			*nl = '\0';
		return err_set(e, ERR_INVAL, "%s", strstr(why, "rejected: ") ?
		    strstr(why, "rejected: ") + 10 : why);
	}
	if (rep.changed == 0)
		return err_set(e, ERR_INVAL, "account %s: nothing changes", a->name);
	if ((r = acct_load(c->db, a->name, &back, &body, e)) < 0)
		return r;
	if (r == 0)
		return err_set(e, ERR_STATE, "account %s: not in the feed", a->name);
	r = central_account_log(c->db, c->actor, a->name, action, request, body, e);
	free(body);
	return r;
}

/* ------------------------------------------------------- the commands */

static int
parse_opts(int argc, char **argv, int from, struct uopts *o, struct err *e)
{
	int i;

	memset(o, 0, sizeof(*o));
	o->view = o->search = o->exp = -1;
	for (i = from; i < argc; i++) {
		const char *a = argv[i];
		const char **dst = NULL;

		if (strcmp(a, "--display") == 0)
			dst = &o->display;
		else if (strcmp(a, "--role") == 0)
			dst = &o->role;
		else if (strcmp(a, "--valid-until") == 0)
			dst = &o->until;
		else if (strcmp(a, "--request") == 0)
			dst = &o->request;
		else if (strcmp(a, "--format") == 0)
			dst = &o->format;
		else if (strcmp(a, "--perm") == 0) {
			if (i + 1 >= argc || o->nperm == 32)
				return err_set(e, ERR_INVAL, "--perm needs PROCEDURE:LEVEL");
			o->perm[o->nperm++] = argv[++i];
			continue;
		} else if (strcmp(a, "--view-mynumber") == 0 || strcmp(a, "--no-view-mynumber") == 0)
			o->view = a[2] != 'n';
		else if (strcmp(a, "--search-mynumber") == 0 || strcmp(a, "--no-search-mynumber") == 0)
			o->search = a[2] != 'n';
		else if (strcmp(a, "--export") == 0 || strcmp(a, "--no-export") == 0)
			o->exp = a[2] != 'n';
		else if (strcmp(a, "--renew") == 0)
			o->renew = 1;
		else
			return err_set(e, ERR_INVAL, "user: unknown argument \"%.64s\"", a);
		if (dst == NULL)
			continue;
		if (i + 1 >= argc)
			return err_set(e, ERR_INVAL, "%s needs a value", a);
		*dst = argv[++i];
	}
	return 0;
}

/* Fill a from the options; add = a new account (display and role needed). */
static int
apply_opts(struct acct *a, const struct uopts *o, int add, struct err *e)
{
	struct date today, d;
	int k, r;

	date_today(&today);
	if (o->display != NULL) {
		if ((r = account_rule_name(o->display, "display name", e)) != 0)
			return r;
		snprintf(a->display, sizeof(a->display), "%s", o->display);
	}
	if (o->role != NULL)
		snprintf(a->role, sizeof(a->role), "%s", o->role);
	if (add && (o->display == NULL || o->role == NULL))
		return err_set(e, ERR_INVAL, "user add needs --display and --role");
	for (k = 0; k < o->nperm; k++)
		if ((r = perm_set(a->perms, sizeof(a->perms), o->perm[k], e)) != 0)
			return r;
	if (o->view >= 0)
		a->view = o->view;
	if (o->search >= 0)
		a->search = o->search;
	if (o->exp >= 0)
		a->exp = o->exp;
	if (o->until != NULL && o->renew)
		return err_set(e, ERR_INVAL, "--valid-until or --renew, not both");
	if (o->until != NULL) {
		if (date_parse(o->until, &d, e) != 0)
			return err_set(e, ERR_INVAL, "--valid-until \"%.32s\" is not a date",
			    o->until);
		a->until = date_to_ymd(&d);
		if ((r = account_rule_until(&a->until, &today, 0, e)) != 0)
			return r;	/* AC-3: not past, not beyond next FY end */
	} else if (add) {
		a->until = 0;
		if ((r = account_rule_until(&a->until, &today, 0, e)) != 0)
			return r;	/* AC-3: the fiscal year end */
	} else if (o->renew) {
		/* To the end of the fiscal year after the current end date
		 * (or this fiscal year when it has already passed). */
		if (a->until != 0 && date_from_ymd(a->until, &d) == 0 &&
		    date_cmp(&d, &today) >= 0) {
			date_from_days(date_to_days(&d) + 1, &d);
			a->until = fiscal_end(&d);
		} else
			a->until = fiscal_end(&today);
		if ((r = account_rule_until(&a->until, &today, 0, e)) != 0)
			return r;
	}
	return 0;
}

static int
user_change(struct central *c, const char *verb, const char *name,
    const struct uopts *o, FILE *out, struct err *e)
{
	struct acct a;
	int r, found;

	{
		/* The one rule of every path (issue 14): the name on add, the
		 * request always; display and end date in apply_opts. */
		struct account_rule_args ra = { NULL, NULL, o->request, NULL, NULL, 0 };

		if (strcmp(verb, "add") == 0)
			ra.name = name;
		if ((r = account_rules_check(&ra, e)) != 0)
			return r;
	}
	if (strcmp(verb, "revoke") == 0 && (o->display || o->role || o->until ||
	    o->nperm || o->view >= 0 || o->search >= 0 || o->exp >= 0 || o->renew))
		return err_set(e, ERR_INVAL, "user revoke takes only --request");
	if ((r = central_sql(c->db, USER_LOG_SQL "BEGIN IMMEDIATE", e)) != 0)
		return r;
	if ((found = acct_load(c->db, name, &a, NULL, e)) < 0) {
		r = found;
		goto out;
	}
	if (strcmp(verb, "add") == 0) {
		if (found && !a.disabled) {
			r = err_set(e, ERR_EXISTS, "account %s exists (use user mod)", name);
			goto out;
		}
		/* A revoked name is issued again from scratch: nothing of the
		 * old grants carries over. */
		memset(&a, 0, sizeof(a));
		snprintf(a.name, sizeof(a.name), "%s", name);
		r = apply_opts(&a, o, 1, e);
	} else if (!found) {
		r = err_set(e, ERR_NOTFOUND, "no account %s", name);
	} else if (a.disabled) {
		r = err_set(e, ERR_STATE, "account %s is revoked (issue it again with"
		    " user add)", name);
	} else if (strcmp(verb, "revoke") == 0) {
		a.disabled = 1;
	} else
		r = apply_opts(&a, o, 0, e);
	if (r == 0)
		r = acct_apply(c, &a, verb, o->request, e);
out:
	if (r != 0) {
		central_sql(c->db, "ROLLBACK", NULL);
		return r;
	}
	if ((r = central_sql(c->db, "COMMIT", e)) != 0)
		return r;
	fprintf(out, "account %s: %s (valid until %04d-%02d-%02d, request %s)\n", name,
	    strcmp(verb, "add") == 0 ? "added" : strcmp(verb, "mod") == 0 ?
	    "changed" : "revoked; terminals disable it at their next sync",
	    a.until / 10000, a.until / 100 % 100, a.until % 100, o->request);
	return 0;
}

static const char *
acct_status(const struct acct *a, int today)
{
	if (a->disabled)
		return "revoked";
	if (a->until != 0 && a->until < today)
		return "expired";
	return "active";
}

static void
ymd_iso(int ymd, char out[16])
{
	if (ymd == 0)
		snprintf(out, 16, "-");
	else
		snprintf(out, 16, "%04d-%02d-%02d", ymd / 10000, ymd / 100 % 100, ymd % 100);
}

/* A CSV cell through the shared guard (core text.c): a leading = + - @
 * tab or CR is quoted with ' so that a spreadsheet opening the review
 * never evaluates a name as a formula; controls are made visible. */
static void
csv_out(FILE *out, const char *s, int first)
{
	struct wbuf w;

	if (!first)
		fputc(',', out);
	wbuf_init(&w, 0);
	csv_put_cell(&w, s);
	fputs(wbuf_str(&w), out);
	wbuf_free(&w);
}

/* The latest account_log row for name if it produced the account's current
 * state, else the feed row's time as an import. */
static void
last_change(sqlite3 *db, const char *name, const char *body, const char *fed_at,
    char at[32], char action[16], char request[130], char op[160])
{
	sqlite3_stmt *st;

	snprintf(at, 32, "%s", fed_at);
	snprintf(action, 16, "import");
	request[0] = op[0] = '\0';
	if (sqlite3_prepare_v2(db, "SELECT at, action, request, operator, body FROM"
	    " account_log WHERE name = ? ORDER BY seq DESC LIMIT 1", -1, &st,
	    NULL) != SQLITE_OK)
		return;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    strcmp((const char *)sqlite3_column_text(st, 4), body) == 0) {
		snprintf(at, 32, "%s", (const char *)sqlite3_column_text(st, 0));
		snprintf(action, 16, "%s", (const char *)sqlite3_column_text(st, 1));
		snprintf(request, 130, "%s", (const char *)sqlite3_column_text(st, 2));
		snprintf(op, 160, "%s", (const char *)sqlite3_column_text(st, 3));
	}
	sqlite3_finalize(st);
}

/* list (review = 0) or the annual access review (AC-9): one line per
 * account and permission. */
static int
user_report(struct central *c, int review, int csv, FILE *out, struct err *e)
{
	sqlite3_stmt *st;
	struct date d;
	int r, today, n = 0;

	date_today(&d);
	today = date_to_ymd(&d);
	if ((r = central_sql(c->db, USER_LOG_SQL, e)) != 0 ||
	    (r = central_prepare(c->db, "SELECT key, body, at FROM changes WHERE"
	    " kind = ? AND op = ? ORDER BY key", &st, e)) != 0)
		return r;
	sqlite3_bind_int(st, 1, CHG_ACCOUNT);
	sqlite3_bind_int(st, 2, CHG_UPSERT);
	if (review && csv)
		fprintf(out, "name,display,role,status,procedure,level,view_mynumber,"
		    "search_mynumber,export,valid_until,last_change_at,last_action,"
		    "last_request,last_operator\n");
	else if (review)
		fprintf(out, "# access review %04d-%02d-%02d: account, permission,"
		    " valid until, last change (AC-9)\n", d.y, d.m, d.d);
	else
		fprintf(out, "%-16s %-8s %-7s %-10s %-5s %s / %s\n", "NAME", "ROLE",
		    "STATUS", "UNTIL", "FLAGS", "PERMISSIONS", "DISPLAY");
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(st, 0);
		const char *body = (const char *)sqlite3_column_text(st, 1);
		const char *fed = (const char *)sqlite3_column_text(st, 2);
		char at[32], action[16], request[130], op[160], until[16], flags[8];
		char perms[1100], *save = NULL, *tok;
		struct acct a;

		if ((r = acct_load(c->db, key, &a, NULL, e)) < 0)
			break;
		n++;
		ymd_iso(a.until, until);
		snprintf(flags, sizeof(flags), "%c%c%c", a.view ? 'V' : '-',
		    a.search ? 'S' : '-', a.exp ? 'E' : '-');
		if (!review) {
			fprintf(out, "%-16s %-8s %-7s %-10s %-5s %s / %s\n", a.name, a.role,
			    acct_status(&a, today), until, flags,
			    a.perms[0] ? a.perms : "-", a.display);
			continue;
		}
		last_change(c->db, key, body, fed, at, action, request, op);
		snprintf(perms, sizeof(perms), "%s", a.perms[0] ? a.perms : ":");
		for (tok = strtok_r(perms, ";", &save); tok != NULL;
		    tok = strtok_r(NULL, ";", &save)) {
			char *colon = strchr(tok, ':');

			if (colon == NULL)	/* the import checked the form */
				continue;
			*colon = '\0';
			if (csv) {
				csv_out(out, a.name, 1);
				csv_out(out, a.display, 0);
				csv_out(out, a.role, 0);
				csv_out(out, acct_status(&a, today), 0);
				csv_out(out, tok, 0);
				csv_out(out, colon + 1, 0);
				fprintf(out, ",%d,%d,%d,", a.view, a.search, a.exp);
				csv_out(out, until, 1);
				csv_out(out, at, 0);
				csv_out(out, action, 0);
				csv_out(out, request, 0);
				csv_out(out, op, 0);
				fputc('\n', out);
			} else
				fprintf(out, "%s\t%s\t%s\t%s\t%s:%s\t%s\tuntil %s\tlast %s %s"
				    " request=%s by=%s\n", a.name, a.display, a.role,
				    acct_status(&a, today), tok[0] ? tok : "-",
				    colon[1] ? colon + 1 : "-", flags, until, action, at,
				    request[0] ? request : "-", op[0] ? op : "-");
		}
	}
	sqlite3_finalize(st);
	if (r != SQLITE_DONE)
		return r < 0 ? r : err_set(e, ERR_IO, "central db: %s", sqlite3_errmsg(c->db));
	if (!csv)
		fprintf(out, "# %d accounts\n", n);
	return 0;
}

/* Every recorded change (of name, or of all accounts), oldest first. */
static int
user_history(struct central *c, const char *name, FILE *out, struct err *e)
{
	sqlite3_stmt *st;
	int r;

	if ((r = central_sql(c->db, USER_LOG_SQL, e)) != 0 ||
	    (r = central_prepare(c->db, "SELECT at, name, action, request, operator,"
	    " body FROM account_log WHERE ?1 IS NULL OR name = ?1 ORDER BY seq",
	    &st, e)) != 0)
		return r;
	if (name != NULL)
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	while ((r = sqlite3_step(st)) == SQLITE_ROW)
		fprintf(out, "%s\t%s\t%s\trequest=%s\tby=%s\t%s\n",
		    sqlite3_column_text(st, 0), sqlite3_column_text(st, 1),
		    sqlite3_column_text(st, 2), sqlite3_column_text(st, 3),
		    sqlite3_column_text(st, 4), sqlite3_column_text(st, 5));
	sqlite3_finalize(st);
	if (r != SQLITE_DONE)
		return err_set(e, ERR_IO, "central db: %s", sqlite3_errmsg(c->db));
	return 0;
}

int
central_user_args(int argc, char **argv, struct err *e)
{
	struct uopts o;
	const char *verb = argc > 0 ? argv[0] : "";

	if (strcmp(verb, "list") == 0 || strcmp(verb, "review") == 0)
		return parse_opts(argc, argv, 1, &o, e);
	if (strcmp(verb, "history") == 0)
		return argc > 2 || (argc == 2 && argv[1][0] == '-') ?
		    err_set(e, ERR_INVAL, "user history [NAME]") : 0;
	if (strcmp(verb, "add") != 0 && strcmp(verb, "mod") != 0 &&
	    strcmp(verb, "revoke") != 0)
		return err_set(e, ERR_INVAL, "user add|mod|revoke|list|review|history"
		    " (madoguchi-central(8))");
	if (argc < 2 || argv[1][0] == '-')
		return err_set(e, ERR_INVAL, "user %s NAME ...", verb);
	return parse_opts(argc, argv, 2, &o, e);
}

int
central_user_cmd(struct central *c, int argc, char **argv, FILE *out,
    struct err *e)
{
	struct uopts o;
	const char *verb = argc > 0 ? argv[0] : "";
	int r;

	if (strcmp(verb, "list") == 0 || strcmp(verb, "review") == 0) {
		if ((r = parse_opts(argc, argv, 1, &o, e)) != 0)
			return r;
		if (o.format != NULL && strcmp(o.format, "csv") != 0 &&
		    strcmp(o.format, "text") != 0)
			return err_set(e, ERR_INVAL, "--format csv|text");
		return user_report(c, verb[0] == 'r', o.format != NULL &&
		    strcmp(o.format, "csv") == 0, out, e);
	}
	if (strcmp(verb, "history") == 0) {
		if (argc > 2)
			return err_set(e, ERR_INVAL, "user history [NAME]");
		return user_history(c, argc == 2 ? argv[1] : NULL, out, e);
	}
	if (strcmp(verb, "add") != 0 && strcmp(verb, "mod") != 0 &&
	    strcmp(verb, "revoke") != 0)
		return err_set(e, ERR_INVAL, "user add|mod|revoke|list|review|history"
		    " (madoguchi-central(8))");
	if (argc < 2 || argv[1][0] == '-')
		return err_set(e, ERR_INVAL, "user %s NAME ...", verb);
	if ((r = parse_opts(argc, argv, 2, &o, e)) != 0)
		return r;
	if (o.format != NULL)
		return err_set(e, ERR_INVAL, "--format is for list and review");
	return user_change(c, verb, argv[1], &o, out, e);
}
