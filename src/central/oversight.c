/*
 * oversight.c — oversight across terminals (issue 16; LOG-3):
 * `madoguchi-central audit person ATENA`, every view, search page, card
 * read, identity check and application concerning one resident at any
 * terminal, from what the terminals pushed (their audit rows, identity
 * check records and applications), with clerk, terminal and time: the
 * answer to a resident's disclosure request and to an investigation.
 */
#include <stdio.h>
#include <string.h>

#include "central.h"
#include "central-int.h"

/* One line per event, oldest first: time, terminal, clerk, source (audit,
 * idcheck, application), action, screen, detail. */
static const char person_sql[] =
	"SELECT json_extract(body, '$.at') AS at, terminal,"
	" json_extract(body, '$.who'), 'audit', json_extract(body, '$.action'),"
	" ifnull(json_extract(body, '$.screen'), ''), ifnull(json_extract(body, '$.detail'), '')"
	" FROM audit WHERE json_valid(body) AND (json_extract(body, '$.person') = ?1"
	" OR (json_extract(body, '$.action') = 'lookup.search'"
	" AND instr(json_extract(body, '$.detail'), ',' || ?1 || ',') > 0))"
	" UNION ALL SELECT json_extract(body, '$.at'), terminal,"
	" json_extract(body, '$.clerk'), 'idcheck', json_extract(body, '$.method'), '',"
	" ifnull(json_extract(body, '$.documents'), '')"
	" FROM received WHERE kind = 3 AND json_valid(body)"
	" AND json_extract(body, '$.atena') = ?1"
	" UNION ALL SELECT json_extract(body, '$.received_at'), terminal,"
	" json_extract(body, '$.entered_by'), 'application',"
	" json_extract(body, '$.procedure'), '', json_extract(body, '$.receipt_no')"
	" FROM received WHERE kind = 1 AND json_valid(body)"
	" AND json_extract(body, '$.atena') = ?1"
	" ORDER BY 1, 2";

int
central_audit_person(struct central *c, const char *atena, FILE *out, long *count,
    struct err *e)
{
	sqlite3_stmt *st;
	int r;

	*count = 0;
	if (atena == NULL || atena[0] == '\0' || strlen(atena) > 32)
		return err_set(e, ERR_INVAL, "audit person: a 宛名番号 is needed");
	for (const char *p = atena; *p; p++)
		if (*p < '0' || *p > '9')
			return err_set(e, ERR_INVAL, "audit person: the 宛名番号 is digits only");
	if ((r = central_prepare(c->db, person_sql, &st, e)) != 0)
		return r;
	sqlite3_bind_text(st, 1, atena, -1, SQLITE_STATIC);
	fprintf(out, "time\tterminal\tclerk\tsource\taction\tscreen\tdetail\n");
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		char f[7][1024];

		for (int i = 0; i < 7; i++) {
			const char *v = (const char *)sqlite3_column_text(st, i);
			text_visible(v ? v : "", f[i], sizeof(f[i]));
		}
		fprintf(out, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", f[0], f[1], f[2], f[3], f[4], f[5],
		    f[6]);
		(*count)++;
	}
	sqlite3_finalize(st);
	if (r != SQLITE_DONE)
		return err_set(e, ERR_IO, "central db: %s", sqlite3_errmsg(c->db));
	return 0;
}
