/*
 * outbox.c — what the terminal queues for the central, in the form the
 * central's definition of each item accepts (src/central/serve.c).  The
 * intake workflow calls these right after saving, inside its transaction
 * when it has one, so an application and its outbox item commit together.
 *
 * An application may be queued again after a correction.  Its outbox item
 * therefore gets a UUID derived from the application's UUID and the
 * content: the same content queued twice is one item (the central stores
 * it once), a corrected version is a new item (the central stores it as a
 * new version instead of answering "duplicate"), and a version still
 * waiting in the outbox is replaced by the newer one.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "store.h"
#include "sync.h"

static void
jstr(struct wbuf *w, const char *k, const char *v, int first)
{
	if (!first)
		wbuf_put_u8(w, ',');
	json_put_str(w, k, strlen(k));
	wbuf_put_u8(w, ':');
	json_put_str(w, v, strlen(v));
}

/* The application uuid inside an outbox payload, NULL when not JSON. */
#define APP_UUID_SQL "(CASE WHEN json_valid(CAST(payload AS TEXT)) THEN" \
	" json_extract(CAST(payload AS TEXT), '$.uuid') END)"

/* Name-based UUID of kind + key + content. */
static void
content_uuid(const char *kind, const char *key, const uint8_t *p, size_t n,
    char out[37])
{
	crypto_generichash_state h;
	uint8_t d[16];
	char hex[33];

	crypto_generichash_init(&h, NULL, 0, sizeof(d));
	crypto_generichash_update(&h, (const uint8_t *)kind, strlen(kind) + 1);
	crypto_generichash_update(&h, (const uint8_t *)key, strlen(key) + 1);
	crypto_generichash_update(&h, p, n);
	crypto_generichash_final(&h, d, sizeof(d));
	d[6] = (uint8_t)((d[6] & 0x0f) | 0x50);
	d[8] = (uint8_t)((d[8] & 0x3f) | 0x80);
	hex_encode(d, sizeof(d), hex);
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12,
	    hex + 16, hex + 20);
}

/* Drop versions of this application still waiting in the outbox. */
static int
drop_waiting(struct store *st, const char *app_uuid, struct err *e)
{
	sqlite3_stmt *q;
	int r;

	/* CASE: a payload that is not JSON (queued by something else) must
	 * not make the whole statement fail. */
	if (sqlite3_prepare_v2(store_db(st), "DELETE FROM outbox WHERE kind ="
	    " 'application' AND (uuid = ?1 OR " APP_UUID_SQL " = ?1)", -1, &q,
	    NULL) != SQLITE_OK)
		return err_set(e, ERR_IO, "outbox: %s", sqlite3_errmsg(store_db(st)));
	sqlite3_bind_text(q, 1, app_uuid, -1, SQLITE_STATIC);
	r = sqlite3_step(q);
	sqlite3_finalize(q);
	if (r != SQLITE_DONE)
		return err_set(e, ERR_IO, "outbox: %s", sqlite3_errmsg(store_db(st)));
	return 0;
}

int
sync_outbox_application(struct store *st, const char *uuid, struct err *e)
{
	char item[37];
	struct application a;
	struct wbuf w;
	int r;

	memset(&a, 0, sizeof(a));
	/* as stored: a 個人番号 stays sealed in the outbox (issue 15); the
	 * push opens it (client.c) */
	if ((r = store_application_get_sealed(st, uuid, &a, e)) != 0)
		return r;
	wbuf_init(&w, SYNC_BODY_MAX);
	wbuf_put_u8(&w, '{');
	jstr(&w, "uuid", a.uuid, 1);
	jstr(&w, "receipt_no", a.receipt_no, 0);
	jstr(&w, "procedure", a.procedure, 0);
	jstr(&w, "type", a.type, 0);
	jstr(&w, "atena", a.atena, 0);
	wbuf_printf(&w, ",\"form\":%s", a.form_json != NULL && a.form_json[0] ?
	    a.form_json : "{}");
	wbuf_printf(&w, ",\"agent\":%s", a.agent_json != NULL && a.agent_json[0] ?
	    a.agent_json : "null");
	jstr(&w, "idcheck", a.idcheck, 0);
	jstr(&w, "entered_by", a.entered_by, 0);
	jstr(&w, "confirmed_by", a.confirmed_by, 0);
	jstr(&w, "status", a.status, 0);
	jstr(&w, "received_at", a.received_at, 0);
	jstr(&w, "updated_at", a.updated_at, 0);
	wbuf_put_u8(&w, '}');
	application_clear(&a);
	if (w.err != 0)
		r = err_set(e, ERR_RANGE, "application too large to send");
	else if ((r = drop_waiting(st, uuid, e)) == 0) {
		content_uuid("application", uuid, w.p, w.len, item);
		r = store_outbox_add(st, item, "application", w.p, w.len, NULL, e);
	}
	wbuf_free(&w);
	return r;
}

int
sync_outbox_status(struct store *st, const char *app_uuid, const char *status,
    const char *note, struct err *e)
{
	struct application a;
	struct wbuf w;
	char now[32];
	int r;

	memset(&a, 0, sizeof(a));
	if ((r = store_application_get(st, app_uuid, &a, e)) != 0)
		return r;
	{
		time_t t = time(NULL);
		struct tm tm;

		localtime_r(&t, &tm);
		strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%S%z", &tm);
	}
	wbuf_init(&w, 4096);
	wbuf_put_u8(&w, '{');
	jstr(&w, "uuid", app_uuid, 1);
	jstr(&w, "receipt_no", a.receipt_no, 0);
	jstr(&w, "status", status, 0);
	jstr(&w, "at", now, 0);
	jstr(&w, "by", store_user(st)->name, 0);
	jstr(&w, "note", note != NULL ? note : "", 0);
	wbuf_put_u8(&w, '}');
	application_clear(&a);
	r = store_outbox_add(st, NULL, "status", w.p, w.len, NULL, e);
	wbuf_free(&w);
	return r;
}

int
sync_is_pending(struct store *st, const char *uuid)
{
	sqlite3_stmt *q;
	int r = 0;

	/* NET-7: provisional while its outbox item waits for the central. */
	if (sqlite3_prepare_v2(store_db(st), "SELECT 1 FROM outbox WHERE uuid = ?1"
	    " OR (kind = 'application' AND " APP_UUID_SQL " = ?1)", -1, &q,
	    NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(q, 1, uuid, -1, SQLITE_STATIC);
	r = sqlite3_step(q) == SQLITE_ROW;
	sqlite3_finalize(q);
	return r;
}
