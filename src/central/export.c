/*
 * export.c — `madoguchi-central export applications`: the applications the
 * terminals pushed, in the order received, for the core business systems.
 * The cursor is the central's receive sequence number: pass the last one
 * printed to get only what arrived since.
 */
#include <stdio.h>
#include <string.h>

#include "central-int.h"

/* One CSV field, quoted when needed (RFC 4180). */
/* One cell through the shared guard (core text.c): controls visible, a
 * leading = + - @ tab or CR made text (issue 15 B). */
static void
csv_field(FILE *out, const char *s, int last)
{
	struct wbuf w;

	wbuf_init(&w, 0);
	csv_put_cell(&w, s);
	fputs(wbuf_str(&w), out);
	wbuf_free(&w);
	fputc(last ? '\n' : ',', out);
}

int
central_export_applications(struct central *c, int64_t since, int csv,
    FILE *out, int64_t *next, struct err *e)
{
	sqlite3_stmt *st;
	struct wbuf w;
	int r;

	*next = since;
	if ((r = central_prepare(c->db, "SELECT r.seq, r.uuid, r.terminal,"
	    " r.received_at, r.body, d.status, d.decided_at FROM received r"
	    " LEFT JOIN decisions d ON d.receipt_no = r.receipt_no AND d.terminal = r.terminal"
	    " WHERE r.kind = 1 AND r.seq > ? ORDER BY r.seq", &st, e)) != 0)
		return r;
	sqlite3_bind_int64(st, 1, since);
	if (csv)
		fprintf(out, "cursor,uuid,terminal,received_at,receipt_no,procedure,"
		    "atena,status,decision,decided_at,application\n");
	wbuf_init(&w, 0);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *body = (const char *)sqlite3_column_text(st, 4);
		const char *dec = (const char *)sqlite3_column_text(st, 5);
		const char *dat = (const char *)sqlite3_column_text(st, 6);
		char cur[32];

		*next = sqlite3_column_int64(st, 0);
		snprintf(cur, sizeof(cur), "%lld", (long long)*next);
		if (csv) {
			struct json *j = NULL;

			json_parse(body, strlen(body), &j, NULL);
			csv_field(out, cur, 0);
			csv_field(out, (const char *)sqlite3_column_text(st, 1), 0);
			csv_field(out, (const char *)sqlite3_column_text(st, 2), 0);
			csv_field(out, (const char *)sqlite3_column_text(st, 3), 0);
			csv_field(out, j ? json_get_str(j, "receipt_no") : "", 0);
			csv_field(out, j ? json_get_str(j, "procedure") : "", 0);
			csv_field(out, j ? json_get_str(j, "atena") : "", 0);
			csv_field(out, j ? json_get_str(j, "status") : "", 0);
			csv_field(out, dec, 0);
			csv_field(out, dat, 0);
			csv_field(out, body, 1);
			json_free(j);
			continue;
		}
		w.len = 0;
		wbuf_printf(&w, "{\"cursor\":%s,\"uuid\":", cur);
		json_put_str(&w, (const char *)sqlite3_column_text(st, 1),
		    (size_t)sqlite3_column_bytes(st, 1));
		wbuf_printf(&w, ",\"terminal\":");
		json_put_str(&w, (const char *)sqlite3_column_text(st, 2),
		    (size_t)sqlite3_column_bytes(st, 2));
		wbuf_printf(&w, ",\"received_at\":");
		json_put_str(&w, (const char *)sqlite3_column_text(st, 3),
		    (size_t)sqlite3_column_bytes(st, 3));
		if (dec != NULL) {
			wbuf_printf(&w, ",\"decision\":");
			json_put_str(&w, dec, strlen(dec));
			wbuf_printf(&w, ",\"decided_at\":");
			json_put_str(&w, dat, strlen(dat));
		}
		wbuf_printf(&w, ",\"application\":%s}\n", body);
		fwrite(w.p, 1, w.len, out);
	}
	wbuf_free(&w);
	sqlite3_finalize(st);
	if (r != SQLITE_DONE)
		return err_set(e, ERR_IO, "central db: %s", sqlite3_errmsg(c->db));
	return fflush(out) == 0 ? 0 : err_set(e, ERR_IO, "write failed");
}
