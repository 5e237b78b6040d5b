/*
 * report.c — the central's oversight reports (issue 16; LOG-3, AC-6) and
 * the national holidays they need:
 *
 *   import holidays FILE       the Cabinet Office's 国民の祝日 CSV
 *                              (syukujitsu.csv: "YYYY/M/D,名称", Shift_JIS
 *                              as published, or UTF-8)
 *   report access --month M    the monthly misuse review
 *   report daily --date D      the 日報
 *
 * The events are what the terminals pushed: their audit rows (table audit),
 * identity-check records and applications (table received).  Times are
 * judged in [report] timezone (JST by default) against [report]
 * office_hours on working days: not Saturday, Sunday, a national holiday
 * or 29 December to 3 January (the municipal year-end closure).
 */
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "central.h"
#include "central-int.h"

/* ------------------------------------------------------------ holidays */

/* Shift_JIS (CP932) text to UTF-8 (malloc'd), when it is not UTF-8. */
static char *
to_utf8(const char *p, size_t n, size_t *outn)
{
	char *out, *in = (char *)p, *o;
	size_t cap = n * 3 + 1, left = n, room;
	iconv_t cd;

	if (utf8_valid(p, n)) {
		if ((out = malloc(n + 1)) == NULL)
			return NULL;
		memcpy(out, p, n);
		out[n] = '\0';
		*outn = n;
		return out;
	}
	if ((cd = iconv_open("UTF-8", "CP932")) == (iconv_t)-1)
		return NULL;
	if ((out = malloc(cap)) == NULL) {
		iconv_close(cd);
		return NULL;
	}
	o = out;
	room = cap - 1;
	if (iconv(cd, &in, &left, &o, &room) == (size_t)-1) {
		iconv_close(cd);
		free(out);
		return NULL;
	}
	iconv_close(cd);
	*o = '\0';
	*outn = (size_t)(o - out);
	return out;
}

int
central_import_holidays(struct central *c, const char *path, FILE *rep, long *added,
    long *rejected, struct err *e)
{
	size_t n = 0, un = 0;
	char *raw, *text = NULL, **f;
	struct csv *cv = NULL;
	sqlite3_stmt *st = NULL;
	size_t nf;
	int line, r;

	*added = *rejected = 0;
	{
		FILE *fp = fopen(path, "rb");
		if (fp == NULL)
			return err_set(e, ERR_IO, "%s: cannot open", path);
		if ((raw = malloc(1 << 20)) == NULL) {
			fclose(fp);
			return err_set(e, ERR_NOMEM, "out of memory");
		}
		n = fread(raw, 1, (1 << 20) - 1, fp);
		if (!feof(fp)) {
			fclose(fp);
			free(raw);
			return err_set(e, ERR_RANGE, "%s: larger than 1 MiB", path);
		}
		fclose(fp);
	}
	text = to_utf8(raw, n, &un);
	free(raw);
	if (text == NULL)
		return err_set(e, ERR_FORMAT, "%s: neither UTF-8 nor Shift_JIS text", path);
	if ((cv = csv_new(text, un)) == NULL) {
		free(text);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	if ((r = central_sql(c->db, "BEGIN IMMEDIATE", e)) != 0)
		goto out;
	if ((r = central_prepare(c->db, "INSERT OR REPLACE INTO holidays (date, name)"
	    " VALUES (?, ?)", &st, e)) != 0)
		goto rollback;
	while ((r = csv_next(cv, &f, &nf, &line, e)) == 1) {
		int y, m, d, k = 0;
		char date[48];

		if (line == 1 && nf >= 1 && strstr(f[0], "月日") != NULL)
			continue;	/* the header 国民の祝日・休日月日,国民の祝日・休日名称 */
		if (nf < 2 || sscanf(f[0], "%d/%d/%d%n", &y, &m, &d, &k) != 3 ||
		    f[0][k] != '\0' || y < 1948 || y > 2200 || m < 1 || m > 12 || d < 1 ||
		    d > 31 || f[1][0] == '\0' || strlen(f[1]) > 100) {
			fprintf(rep, "%s:%d: rejected: expected YYYY/M/D,名称\n", path, line);
			(*rejected)++;
			continue;
		}
		snprintf(date, sizeof(date), "%04d-%02d-%02d", y, m, d);
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, date, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, f[1], -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) != SQLITE_DONE) {
			r = err_set(e, ERR_IO, "central db: %s", sqlite3_errmsg(c->db));
			goto rollback;
		}
		(*added)++;
	}
	if (r < 0)
		goto rollback;
	sqlite3_finalize(st);
	st = NULL;
	r = central_sql(c->db, "COMMIT", e);
	goto out;
rollback:
	{
		struct err e2;
		err_clear(&e2);
		central_sql(c->db, "ROLLBACK", &e2);
	}
out:
	sqlite3_finalize(st);
	csv_free(cv);
	free(text);
	return r;
}

/* ---------------------------------------------------------- local time */

struct rules {
	int from, to;		/* office hours, minutes of the day */
	long rate;		/* lookups per clerk-hour above which flagged */
	long visit;		/* seconds either side of a view */
	const char *tz;
};

/* "2026-12-03T09:30:00+0900" to seconds since the epoch; -1 if malformed. */
static int64_t
iso_epoch(const char *s)
{
	struct tm tm;
	const char *p;
	int sign, hh, mm;

	if (s == NULL)
		return -1;
	memset(&tm, 0, sizeof(tm));
	if ((p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
		return -1;
	if (*p == 'Z')
		return (int64_t)timegm(&tm);
	if ((*p != '+' && *p != '-') || sscanf(p + 1, "%2d%2d", &hh, &mm) != 2)
		return -1;
	sign = *p == '-' ? -1 : 1;
	return (int64_t)timegm(&tm) - sign * (hh * 3600 + mm * 60);
}

/* Local broken-down time in the report's zone. */
static void
local_tm(int64_t t, struct tm *tm)
{
	time_t tt = (time_t)t;

	localtime_r(&tt, tm);
}

static int
is_holiday(sqlite3 *db, const struct tm *tm)
{
	char date[48];
	sqlite3_stmt *st;
	int h = 0;

	if ((tm->tm_mon == 11 && tm->tm_mday >= 29) || (tm->tm_mon == 0 && tm->tm_mday <= 3))
		return 1;
	snprintf(date, sizeof(date), "%04d-%02d-%02d", tm->tm_year + 1900, tm->tm_mon + 1,
	    tm->tm_mday);
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM holidays WHERE date = ?", -1, &st, NULL)
	    != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, date, -1, SQLITE_TRANSIENT);
	h = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return h;
}

/* Why t is out of hours ("" when within). */
static const char *
out_of_hours(sqlite3 *db, const struct rules *ru, int64_t t)
{
	struct tm tm;
	int min;

	local_tm(t, &tm);
	if (tm.tm_wday == 0 || tm.tm_wday == 6)
		return "土日";
	if (is_holiday(db, &tm))
		return "祝日・年末年始";
	min = tm.tm_hour * 60 + tm.tm_min;
	if (min < ru->from || min >= ru->to)
		return "時間外";
	return "";
}

/* ----------------------------------------------------------- the flags */

struct flag_out {
	FILE *out;
	int csv;
	long n;
};

static void
flag(struct flag_out *fo, const char *rule, int64_t t, const char *terminal,
    const char *clerk, const char *person, const char *detail)
{
	char when[32], cells[5][512];
	struct tm tm;
	const char *v[5] = { terminal, clerk, person, detail, rule };

	local_tm(t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
	for (int i = 0; i < 5; i++)
		text_visible(v[i] ? v[i] : "", cells[i], sizeof(cells[i]));
	if (fo->csv) {
		struct wbuf w;
		const char *row[6] = { cells[4], when, cells[0], cells[1], cells[2], cells[3] };

		wbuf_init(&w, 0);
		for (int i = 0; i < 6; i++) {
			if (i > 0)
				wbuf_put(&w, ",", 1);
			csv_put_cell(&w, row[i]);
		}
		fprintf(fo->out, "%s\n", wbuf_str(&w) ? wbuf_str(&w) : "");
		wbuf_free(&w);
	} else
		fprintf(fo->out, "%-14s %-16s %-8s %-12s %-10s %s\n", cells[4], when, cells[0],
		    cells[1], cells[2], cells[3]);
	fo->n++;
}

/* A view (lookup.view*) at terminal term of person at t has an identity
 * check or an application of the same person at the same terminal within
 * the visit window. */
static int
same_visit(sqlite3 *db, const struct rules *ru, const char *term, const char *person,
    int64_t t)
{
	sqlite3_stmt *st;
	int found = 0;

	if (sqlite3_prepare_v2(db,
	    "SELECT json_extract(body, '$.at') FROM audit WHERE terminal = ?1"
	    " AND json_valid(body) AND json_extract(body, '$.person') = ?2"
	    " AND json_extract(body, '$.action') IN ('idcheck.read', 'idcheck.save',"
	    " 'idcheck.agent')"
	    " UNION ALL SELECT json_extract(body, '$.at') FROM received WHERE terminal = ?1"
	    " AND kind = 3 AND json_valid(body) AND json_extract(body, '$.atena') = ?2"
	    " UNION ALL SELECT json_extract(body, '$.received_at') FROM received"
	    " WHERE terminal = ?1 AND kind = 1 AND json_valid(body)"
	    " AND json_extract(body, '$.atena') = ?2", -1, &st, NULL) != SQLITE_OK)
		return 1;	/* cannot tell: not flagged */
	sqlite3_bind_text(st, 1, term, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, person, -1, SQLITE_TRANSIENT);
	while (!found && sqlite3_step(st) == SQLITE_ROW) {
		int64_t u = iso_epoch((const char *)sqlite3_column_text(st, 0));
		found = u >= 0 && llabs(u - t) <= ru->visit;
	}
	sqlite3_finalize(st);
	return found;
}

/* The person is restricted (DV/不開示) in the master data. */
static int
restricted(sqlite3 *db, const char *person)
{
	sqlite3_stmt *st;
	int r = 0;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM persons WHERE atena = ? AND json_valid(body)"
	    " AND (json_extract(body, '$.dv') = 1 OR json_extract(body, '$.nondisclose') = 1)",
	    -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, person, -1, SQLITE_TRANSIENT);
	r = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return r;
}

/* The clerk's own household: someone in person's household (世帯) bears the
 * clerk's display name (spaces ignored). */
static int
own_household(sqlite3 *db, const char *clerk, const char *person)
{
	sqlite3_stmt *st;
	int r = 0;

	if (sqlite3_prepare_v2(db,
	    "SELECT 1 FROM persons p JOIN persons q"
	    " ON json_extract(q.body, '$.household') = json_extract(p.body, '$.household')"
	    " JOIN changes a ON a.kind = ?3 AND a.key = ?1 AND json_valid(a.body)"
	    " WHERE p.atena = ?2 AND json_valid(p.body) AND json_valid(q.body)"
	    " AND ifnull(json_extract(p.body, '$.household'), '') <> ''"
	    " AND replace(replace(json_extract(q.body, '$.name'), ' ', ''), '　', '') ="
	    " replace(replace(json_extract(a.body, '$.display'), ' ', ''), '　', '')"
	    " LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, clerk, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, person, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 3, 4);	/* account changes (kind 4) */
	r = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return r;
}

static int
rules_load(const struct central *c, struct rules *ru, struct err *e)
{
	const struct conf *cf = c->conf;

	memset(ru, 0, sizeof(*ru));
	if (central_office_hours(cf ? conf_str(cf, "report", "office_hours") : "08:30-17:15",
	    &ru->from, &ru->to) != 0)
		return err_set(e, ERR_INVAL, "[report] office_hours");
	ru->rate = cf ? conf_int(cf, "report", "lookup_rate") : 60;
	ru->visit = (cf ? conf_int(cf, "report", "visit_minutes") : 30) * 60;
	ru->tz = cf ? conf_str(cf, "report", "timezone") : "Asia/Tokyo";
	/* The report's zone for every local time below. */
	setenv("TZ", ru->tz, 1);
	tzset();
	return 0;
}

int
central_report_access(struct central *c, const char *month, int csv, FILE *out,
    long *flags, struct err *e)
{
	struct flag_out fo = { out, csv, 0 };
	struct rules ru;
	sqlite3_stmt *st;
	int y, m, k = 0, r;
	char prev_clerk[128] = "", prev_hour[32] = "";
	long in_hour = 0;

	*flags = 0;
	if (month == NULL || sscanf(month, "%4d-%2d%n", &y, &m, &k) != 2 || month[k] != '\0' ||
	    strlen(month) != 7 || m < 1 || m > 12)
		return err_set(e, ERR_INVAL, "report access --month YYYY-MM");
	if ((r = rules_load(c, &ru, e)) != 0)
		return r;
	if (csv)
		fprintf(out, "rule,time,terminal,clerk,atena,detail\n");
	else
		fprintf(out, "%-14s %-16s %-8s %-12s %-10s %s\n", "rule", "time", "terminal",
		    "clerk", "atena", "detail");
	/* Every lookup-like event of the month (a day either side: offsets),
	 * by clerk and time for the rate rule. */
	if ((r = central_prepare(c->db,
	    "SELECT json_extract(body, '$.at') AS at, terminal, json_extract(body, '$.who') AS who,"
	    " json_extract(body, '$.action'), ifnull(json_extract(body, '$.person'), ''),"
	    " ifnull(json_extract(body, '$.detail'), '')"
	    " FROM audit WHERE json_valid(body) AND (json_extract(body, '$.action') LIKE 'lookup.%'"
	    " OR json_extract(body, '$.action') LIKE 'idcheck.%'"
	    " OR json_extract(body, '$.action') = 'mynumber.view')"
	    " ORDER BY who, at", &st, e)) != 0)
		return r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *at = (const char *)sqlite3_column_text(st, 0);
		const char *term = (const char *)sqlite3_column_text(st, 1);
		const char *who = (const char *)sqlite3_column_text(st, 2);
		const char *action = (const char *)sqlite3_column_text(st, 3);
		const char *person = (const char *)sqlite3_column_text(st, 4);
		int64_t t = iso_epoch(at);
		struct tm tm;
		char ym[32], hour[32];
		const char *why;
		int view;

		if (t < 0 || who == NULL || action == NULL)
			continue;
		local_tm(t, &tm);
		snprintf(ym, sizeof(ym), "%04d-%02d", tm.tm_year + 1900, tm.tm_mon + 1);
		if (strcmp(ym, month) != 0)
			continue;
		view = strncmp(action, "lookup.view", 11) == 0;
		/* 1. out of hours */
		if ((why = out_of_hours(c->db, &ru, t))[0] != '\0')
			flag(&fo, "out-of-hours", t, term, who, person, why);
		/* 2. lookups above the rate, per clerk and hour */
		if (strncmp(action, "lookup.", 7) == 0) {
			strftime(hour, sizeof(hour), "%Y-%m-%d %H", &tm);
			if (strcmp(prev_clerk, who) != 0 || strcmp(prev_hour, hour) != 0) {
				snprintf(prev_clerk, sizeof(prev_clerk), "%s", who);
				snprintf(prev_hour, sizeof(prev_hour), "%s", hour);
				in_hour = 0;
			}
			if (++in_hour == ru.rate + 1) {
				char d[96];
				snprintf(d, sizeof(d), "%s時台 照会%ld件超", hour + 11, ru.rate);
				flag(&fo, "bulk", t, term, who, "", d);
			}
		}
		if (!view || person[0] == '\0')
			continue;
		/* 3. DV/不開示 persons viewed */
		if (strcmp(action, "lookup.view.restricted") == 0 || restricted(c->db, person))
			flag(&fo, "dv-view", t, term, who, person, "DV等・不開示の記録照会");
		/* 4. a view with no identity check or application in the visit */
		if (!same_visit(c->db, &ru, term, person, t))
			flag(&fo, "no-visit", t, term, who, person, "本人確認・申請なしの照会");
		/* 5. the clerk's own household */
		if (own_household(c->db, who, person))
			flag(&fo, "own-household", t, term, who, person, "職員本人の世帯の照会");
	}
	sqlite3_finalize(st);
	if (r != SQLITE_DONE)
		return err_set(e, ERR_IO, "central db: %s", sqlite3_errmsg(c->db));
	*flags = fo.n;
	return 0;
}

int
central_report_daily(struct central *c, const char *date, FILE *out, struct err *e)
{
	struct rules ru;
	sqlite3_stmt *st;
	int y, m, d, k = 0, r;

	if (date == NULL || sscanf(date, "%4d-%2d-%2d%n", &y, &m, &d, &k) != 3 ||
	    date[k] != '\0' || strlen(date) != 10)
		return err_set(e, ERR_INVAL, "report daily --date YYYY-MM-DD");
	if ((r = rules_load(c, &ru, e)) != 0)
		return r;
	/* Counts per terminal, procedure and clerk: identity checks, lookups
	 * (audit rows), applications and corrections (later versions of an
	 * application), and the central's exports by operator. */
	if ((r = central_prepare(c->db,
	    "WITH ev(terminal, proc, clerk, kind, at) AS ("
	    " SELECT terminal, '', json_extract(body, '$.who'),"
	    "  CASE WHEN json_extract(body, '$.action') LIKE 'idcheck.%' THEN 'idcheck'"
	    "  ELSE 'lookup' END, json_extract(body, '$.at')"
	    " FROM audit WHERE json_valid(body) AND (json_extract(body, '$.action') LIKE 'lookup.%'"
	    "  OR json_extract(body, '$.action') IN ('idcheck.read', 'idcheck.save'))"
	    " UNION ALL SELECT terminal, json_extract(body, '$.procedure'),"
	    "  json_extract(body, '$.entered_by'),"
	    "  CASE WHEN EXISTS (SELECT 1 FROM received o WHERE o.kind = 1 AND o.app = r.app"
	    "   AND o.terminal = r.terminal AND o.seq < r.seq) THEN 'correction'"
	    "  ELSE 'application' END, received_at"
	    " FROM received r WHERE kind = 1 AND json_valid(body)"
	    " UNION ALL SELECT 'central', '', actor, 'export', at FROM central_audit"
	    "  WHERE action = 'export')"
	    " SELECT terminal, proc, clerk, sum(kind = 'idcheck'), sum(kind = 'lookup'),"
	    " sum(kind = 'application'), sum(kind = 'correction'), sum(kind = 'export')"
	    " FROM ev WHERE substr(at, 1, 10) = ?1 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
	    &st, e)) != 0)
		return r;
	sqlite3_bind_text(st, 1, date, -1, SQLITE_STATIC);
	fprintf(out, "日報 %s\n%-10s %-16s %-12s %6s %6s %6s %6s %6s\n", date, "端末", "手続",
	    "職員", "本人確認", "照会", "申請", "補正", "提供");
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		char v[3][256];
		for (int i = 0; i < 3; i++) {
			const char *s = (const char *)sqlite3_column_text(st, i);
			text_visible(s ? s : "", v[i], sizeof(v[i]));
		}
		fprintf(out, "%-10s %-16s %-12s %6d %6d %6d %6d %6d\n", v[0], v[1][0] ? v[1] : "-",
		    v[2], sqlite3_column_int(st, 3), sqlite3_column_int(st, 4),
		    sqlite3_column_int(st, 5), sqlite3_column_int(st, 6), sqlite3_column_int(st, 7));
	}
	sqlite3_finalize(st);
	return r == SQLITE_DONE ? 0 : err_set(e, ERR_IO, "central db: %s", sqlite3_errmsg(c->db));
}
