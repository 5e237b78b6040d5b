/*
 * audit-person.c — the audit rows about one person (LOG-3: "who viewed this
 * person"), for the administrator's screen and `madoguchi audit person`:
 * the rows whose person concerned is them (partial index audit_person) and
 * the search pages that listed them (a scan of the search rows).  Reads
 * only; the chain is untouched.
 */
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "store.h"
#include "store-int.h"

int
store_audit_person(struct store *st, const char *atena, size_t limit,
    struct audit_row **v, size_t *n, struct err *e)
{
	sqlite3_stmt *q;
	struct audit_row *arr;
	size_t cnt = 0;
	int r, rc;

	*v = NULL;
	*n = 0;
	if (atena == NULL || atena[0] == '\0')
		return err_set(e, ERR_INVAL, "audit person: no 宛名番号 given");
	if (limit == 0 || limit > 100000)
		limit = 1000;
	if ((arr = calloc(limit, sizeof(*arr))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	/* The rows about the person, and the search pages that listed them
	 * (their detail carries "shown=,a,b," — see lookup_search). */
	if ((r = sql_prepare(st->db, "SELECT id, at, who, terminal, action, "
	    "person, screen, detail, prev, hash FROM audit WHERE person = ?1 "
	    "UNION SELECT id, at, who, terminal, action, person, screen, detail, "
	    "prev, hash FROM audit WHERE action = 'lookup.search' AND "
	    "instr(detail, ',' || ?1 || ',') > 0 "
	    "ORDER BY id DESC LIMIT ?2", &q, e)) != 0) {
		free(arr);
		return r;
	}
	sql_bind_text(q, 1, atena);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)limit);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct audit_row *row = &arr[cnt++];

		row->id = sqlite3_column_int64(q, 0);
		sql_col_text(q, 1, row->at, sizeof(row->at));
		sql_col_text(q, 2, row->who, sizeof(row->who));
		sql_col_text(q, 3, row->terminal, sizeof(row->terminal));
		sql_col_text(q, 4, row->action, sizeof(row->action));
		sql_col_text(q, 5, row->person, sizeof(row->person));
		sql_col_text(q, 6, row->screen, sizeof(row->screen));
		sql_col_text(q, 7, row->detail, sizeof(row->detail));
		if (sqlite3_column_bytes(q, 8) == 32)
			memcpy(row->prev, sqlite3_column_blob(q, 8), 32);
		if (sqlite3_column_bytes(q, 9) == 32)
			memcpy(row->hash, sqlite3_column_blob(q, 9), 32);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		free(arr);
		return sql_err(st->db, sqlite3_extended_errcode(st->db), e, "audit");
	}
	*v = arr;
	*n = cnt;
	return 0;
}
