/*
 * lifecycle.c — the central's side of the local copies' lifecycle (issue
 * 13): the purge records terminals report at sync (RET-2), listed per
 * terminal by `madoguchi-central report purges [ID]`.
 *
 * A purge record arrives as a pushed item of kind ITEM_PURGE (protocol
 * version 3) and is kept in `received` like every pushed item, so the
 * central holds it exactly once per terminal and UUID.
 */
#include <stdio.h>
#include <string.h>

#include "central-int.h"

int
central_purge_report(struct central *c, const char *terminal, FILE *out,
    struct err *e)
{
	sqlite3_stmt *st;
	int r, n = 0;

	if ((r = central_prepare(c->db, "SELECT terminal,"
	    " json_extract(body, '$.at'), json_extract(body, '$.who'),"
	    " json_extract(body, '$.category'), json_extract(body, '$.how'),"
	    " json_extract(body, '$.count'), coalesce(json_extract(body, '$.oldest'), ''),"
	    " coalesce(json_extract(body, '$.newest'), ''),"
	    " coalesce(json_extract(body, '$.ids'), ''), received_at"
	    " FROM received WHERE kind = ?2 AND json_valid(body) AND"
	    " (?1 IS NULL OR terminal = ?1) ORDER BY terminal, seq", &st, e)) != 0)
		return r;
	if (terminal != NULL)
		sqlite3_bind_text(st, 1, terminal, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, ITEM_PURGE);
	fprintf(out, "%-16s %-25s %-12s %-16s %-9s %7s %-10s %-10s %s\n", "TERMINAL",
	    "AT", "WHO", "CATEGORY", "HOW", "COUNT", "OLDEST", "NEWEST", "IDS");
	while (sqlite3_step(st) == SQLITE_ROW) {
		char f[9][512];

		/* what a terminal sent: never raw controls on the operator's
		 * terminal */
		for (int i = 0; i < 9; i++)
			text_visible(sqlite3_column_text(st, i) != NULL ?
			    (const char *)sqlite3_column_text(st, i) : "", f[i], sizeof(f[i]));
		fprintf(out, "%-16s %-25s %-12s %-16s %-9s %7s %-10s %-10s %s\n",
		    f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8]);
		n++;
	}
	sqlite3_finalize(st);
	fprintf(out, "# %d purge record(s)\n", n);
	return 0;
}
