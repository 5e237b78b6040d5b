/*
 * audit.c — the append-only audit chain (LOG-1, LOG-2, LOG-5).
 *
 * Row n holds prev = hash of row n-1 (32 zero bytes for row 1) and
 * hash = BLAKE2b-256(prev || canonical content), where the canonical
 * content is the id as u64 and each text field as u32 length + bytes, all
 * big-endian, in the order at, who, terminal, action, person, screen,
 * detail.  The head (last id and hash) is also kept in the settings table
 * in the same transaction, so cutting rows off the end is noticed as well.
 * Edits, deletions, insertions and reordering all break the chain at the
 * first row affected; store_audit_verify reports that row.
 *
 * Issue 13: the chain runs over each row's hash, which is kept when a
 * purge redacts a row (its body replaced by the redaction marker: person,
 * screen and detail emptied, redacted_at and redacted_why set).  A
 * redacted row is checked by its links (its prev is the hash before it,
 * and the next row's prev is its hash, and the head signed at each sync
 * covers them all); its content can no longer be recomputed, which is the
 * point.  Rows purged from the front of the chain leave a base ("id:prev
 * hex" in settings, audit.base) where verification starts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core.h"
#include "store.h"
#include "store-int.h"

#define HEAD_KEY "audit.head"
#define BASE_KEY "audit.base"

void
store_terminal_id(struct store *st, char out[64])
{
	if (store_setting_get(st, "terminal.id", out, 64, NULL) != 0)
		snprintf(out, 64, "T000");
}

static void
put_field(crypto_generichash_state *h, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	uint8_t len[4] = { (uint8_t)(n >> 24), (uint8_t)(n >> 16),
		(uint8_t)(n >> 8), (uint8_t)n };

	crypto_generichash_update(h, len, 4);
	if (n > 0)
		crypto_generichash_update(h, (const uint8_t *)s, n);
}

static void
row_hash(const struct audit_row *r, uint8_t out[32])
{
	crypto_generichash_state h;
	uint8_t id[8];

	for (int i = 0; i < 8; i++)
		id[i] = (uint8_t)((uint64_t)r->id >> (56 - 8 * i));
	crypto_generichash_init(&h, NULL, 0, 32);
	crypto_generichash_update(&h, r->prev, 32);
	crypto_generichash_update(&h, id, 8);
	put_field(&h, r->at);
	put_field(&h, r->who);
	put_field(&h, r->terminal);
	put_field(&h, r->action);
	put_field(&h, r->person);
	put_field(&h, r->screen);
	put_field(&h, r->detail);
	crypto_generichash_final(&h, out, 32);
}

/* LOG-5: does s contain 12 consecutive digits (ASCII or full-width) that
 * form a valid 個人番号? */
static int
has_mynumber(const char *s)
{
	char run[MYNUMBER_LEN + 1];
	size_t n = 0;

	if (s == NULL)
		return 0;
	for (const char *p = s; *p;) {
		uint32_t cp;
		int l = utf8_decode(p, strlen(p), &cp);
		char d = 0;

		if (l <= 0) {
			p++;
			n = 0;
			continue;
		}
		if (cp >= '0' && cp <= '9')
			d = (char)cp;
		else if (cp >= 0xFF10 && cp <= 0xFF19)
			d = (char)('0' + (cp - 0xFF10));
		if (d) {
			if (n == MYNUMBER_LEN) {
				memmove(run, run + 1, MYNUMBER_LEN - 1);
				n--;
			}
			run[n++] = d;
			if (n == MYNUMBER_LEN &&
			    mynumber_validate(run, MYNUMBER_LEN, NULL) == 0)
				return 1;
		} else {
			n = 0;
		}
		p += l;
	}
	return 0;
}

static int
read_head(sqlite3 *db, int64_t *id, uint8_t hash[32], struct err *e)
{
	sqlite3_stmt *q;
	int rc, r;

	*id = 0;
	memset(hash, 0, 32);
	if ((r = sql_prepare(db, "SELECT id, hash FROM audit ORDER BY id DESC "
	    "LIMIT 1", &q, e)) != 0)
		return r;
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(q, 0);
		if (sqlite3_column_bytes(q, 1) == 32)
			memcpy(hash, sqlite3_column_blob(q, 1), 32);
		rc = SQLITE_DONE;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return sql_err(db, sqlite3_extended_errcode(db), e, "audit head");
	return 0;
}

int
store_audit_append(struct store *st, const char *who, const char *terminal,
    const char *action, const char *person, const char *screen,
    const char *detail, struct err *e)
{
	struct audit_row row;
	char term[64], head[128], hex[65];
	sqlite3_stmt *q;
	int r, rc;

	if (action == NULL || *action == '\0')
		return err_set(e, ERR_INVAL, "audit: no action");
	if (has_mynumber(detail) || has_mynumber(screen) || has_mynumber(action) ||
	    has_mynumber(who))
		return err_set(e, ERR_INVAL,
		    "audit: refusing a full 個人番号 in an audit row (LOG-5)");
	memset(&row, 0, sizeof(row));
	if (terminal == NULL) {
		store_terminal_id(st, term);
		terminal = term;
	}
	store_now(row.at);
	snprintf(row.who, sizeof(row.who), "%s", who ? who : st->user.name);
	snprintf(row.terminal, sizeof(row.terminal), "%s", terminal);
	snprintf(row.action, sizeof(row.action), "%s", action);
	snprintf(row.person, sizeof(row.person), "%s", person ? person : "");
	snprintf(row.screen, sizeof(row.screen), "%s", screen ? screen : "");
	snprintf(row.detail, sizeof(row.detail), "%s", detail ? detail : "");
	if ((r = sql_tx_begin(st->db, e)) != 0)
		return r;
	if ((r = read_head(st->db, &row.id, row.prev, e)) != 0)
		goto out;
	row.id++;
	row_hash(&row, row.hash);
	if ((r = sql_prepare(st->db, "INSERT INTO audit (id, at, who, terminal, "
	    "action, person, screen, detail, prev, hash) VALUES "
	    "(?,?,?,?,?,?,?,?,?,?)", &q, e)) != 0)
		goto out;
	sqlite3_bind_int64(q, 1, row.id);
	sql_bind_text(q, 2, row.at);
	sql_bind_text(q, 3, row.who);
	sql_bind_text(q, 4, row.terminal);
	sql_bind_text(q, 5, row.action);
	sql_bind_text(q, 6, row.person);
	sql_bind_text(q, 7, row.screen);
	sql_bind_text(q, 8, row.detail);
	sqlite3_bind_blob(q, 9, row.prev, 32, SQLITE_TRANSIENT);
	sqlite3_bind_blob(q, 10, row.hash, 32, SQLITE_TRANSIENT);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		r = sql_err(st->db, sqlite3_extended_errcode(st->db), e, "audit");
		goto out;
	}
	hex_encode(row.hash, 32, hex);
	snprintf(head, sizeof(head), "%lld:%s", (long long)row.id, hex);
	r = store_setting_set(st, HEAD_KEY, head, e);
out:
	sql_tx_end(st->db, r == 0, r == 0 ? e : NULL);
	return r;
}

static void
read_row(sqlite3_stmt *q, struct audit_row *row)
{
	memset(row, 0, sizeof(*row));
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
	sql_col_text(q, 10, row->redacted_at, sizeof(row->redacted_at));
	sql_col_text(q, 11, row->redacted_why, sizeof(row->redacted_why));
}

#define ROW_COLS "id, at, who, terminal, action, person, screen, detail, prev, " \
	"hash, redacted_at, redacted_why"

int
store_audit_verify(struct store *st, int64_t *bad_id, int64_t *rows,
    struct err *e)
{
	sqlite3_stmt *q;
	struct audit_row row;
	uint8_t expect_prev[32], h[32];
	int64_t expect_id = 1, n = 0;
	char head[128];
	int rc, r;

	*bad_id = 0;
	if (rows)
		*rows = 0;
	memset(expect_prev, 0, 32);
	/* Rows purged from the front: start where the purge left the base. */
	if (store_setting_get(st, BASE_KEY, head, sizeof(head), NULL) == 0) {
		const char *colon = strchr(head, ':');

		expect_id = atoll(head);
		if (expect_id < 1 || colon == NULL ||
		    hex_decode(colon + 1, strlen(colon + 1), expect_prev, 32) != 32)
			return err_set(e, ERR_CORRUPT, "audit chain base record is damaged");
	}
	if ((r = sql_prepare(st->db, "SELECT " ROW_COLS " FROM audit ORDER BY id",
	    &q, e)) != 0)
		return r;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		read_row(q, &row);
		if (row.redacted_at[0] != '\0')
			memcpy(h, row.hash, 32);	/* links only: see the top */
		else
			row_hash(&row, h);
		/* A missing row shows as a gap (reported as the missing id); an
		 * edited or moved row as a hash or link mismatch. */
		if (row.id != expect_id || sodium_memcmp(row.prev, expect_prev, 32) != 0 ||
		    sodium_memcmp(row.hash, h, 32) != 0) {
			*bad_id = row.id != expect_id && row.id > expect_id ?
			    expect_id : row.id;
			sqlite3_finalize(q);
			return err_set_ja(e, ERR_CORRUPT, "監査ログの改ざんを検出しました",
			    "audit chain broken at row %lld", (long long)*bad_id);
		}
		memcpy(expect_prev, row.hash, 32);
		expect_id++;
		n++;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return sql_err(st->db, sqlite3_extended_errcode(st->db), e, "audit");
	/* Rows cut off the end: the recorded head is further on. */
	if (store_setting_get(st, HEAD_KEY, head, sizeof(head), NULL) == 0) {
		long long hid = atoll(head);
		char hex[65];
		const char *colon = strchr(head, ':');

		hex_encode(expect_prev, 32, hex);
		if (hid != expect_id - 1 || colon == NULL || strcmp(colon + 1, hex) != 0) {
			*bad_id = hid > expect_id - 1 ? expect_id :
			    (expect_id > 1 ? expect_id - 1 : 1);
			return err_set_ja(e, ERR_CORRUPT, "監査ログの改ざんを検出しました",
			    "audit chain broken at row %lld (head mismatch)",
			    (long long)*bad_id);
		}
	} else if (n > 0) {
		*bad_id = 1;
		return err_set(e, ERR_CORRUPT, "audit chain head record missing");
	}
	if (rows)
		*rows = n;
	return 0;
}

int
store_audit_list(struct store *st, int64_t after_id, size_t limit,
    struct audit_row **v, size_t *n, struct err *e)
{
	sqlite3_stmt *q;
	struct audit_row *arr;
	size_t cnt = 0;
	int r, rc;

	*v = NULL;
	*n = 0;
	if (limit == 0 || limit > 100000)
		limit = 1000;
	if ((arr = calloc(limit, sizeof(*arr))) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	if ((r = sql_prepare(st->db, "SELECT " ROW_COLS " FROM audit WHERE id > ? "
	    "ORDER BY id LIMIT ?", &q, e)) != 0) {
		free(arr);
		return r;
	}
	sqlite3_bind_int64(q, 1, after_id);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)limit);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		read_row(q, &arr[cnt++]);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		free(arr);
		return sql_err(st->db, sqlite3_extended_errcode(st->db), e, "audit");
	}
	*v = arr;
	*n = cnt;
	return 0;
}

int
store_audit_head(struct store *st, int64_t *id, uint8_t hash[32],
    struct err *e)
{
	return read_head(st->db, id, hash, e);
}
