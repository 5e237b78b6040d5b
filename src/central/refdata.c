/*
 * refdata.c — reference data imported at the central and fed to the
 * terminals (issue 19): 全銀 bank and branch codes in the JSON that npm's
 * `zengin-code` ships, and Japan Post's KEN_ALL.CSV (Shift_JIS).  Both are
 * outside input: read through the bounded JSON and CSV readers, every
 * field checked, and an import replaces the whole set in one transaction
 * that writes a change (upsert or tombstone) for each key that differs.
 *
 * KEN_ALL (郵便番号データの説明, Japan Post): 15 columns — 全国地方公共団体
 * コード, 旧郵便番号, 郵便番号, 都道府県名/市区町村名/町域名 in half-width
 * katakana, the same in kanji, then six flags (一町域が二以上の郵便番号,
 * 小字毎に番地が起番, 丁目を有する, 一つの郵便番号で二以上の町域,
 * 更新の表示, 変更理由).  A 町域名 longer than 38 full-width characters
 * (or a reading longer than 76 half-width ones) is split over consecutive
 * records of the same 郵便番号; the split falls inside the parenthesised
 * part, so a record whose 町域名 leaves a "（" open continues in the next
 * one.  Such records are joined here before anything else.  A 町域名 of
 * "以下に掲載がない場合", "…の次に番地がくる場合" or "…一円" means the
 * address has no 町域 part; a parenthesised note (ranges, "次のビルを
 * 除く") is kept as published but not filled into an address, except a
 * building's floor ("（１階）").
 */
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "central.h"
#include "central-int.h"
#include "store.h"
#include "sync.h"

#define KENALL_COLS 15

/* ------------------------------------------------------------ KEN_ALL */

int
kenall_to_utf8(const void *p, size_t n, char **out, size_t *outn,
    struct err *e)
{
	iconv_t cd;
	char *in = (char *)(uintptr_t)p, *o, *buf;
	size_t inleft = n, cap, oleft;

	*out = NULL;
	*outn = 0;
	if (n > KENALL_MAX)
		return err_set(e, ERR_RANGE, "KEN_ALL: file larger than %u bytes",
		    (unsigned)KENALL_MAX);
	/* Shift_JIS as Windows writes it (CP932): a byte (half-width kana)
	 * or two become at most three of UTF-8. */
	cap = n * 3 + 1;
	if ((buf = malloc(cap)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	if ((cd = iconv_open("UTF-8", "CP932")) == (iconv_t)-1) {
		free(buf);
		return err_set(e, ERR_IO, "iconv: CP932 is not available: %s",
		    strerror(errno));
	}
	o = buf;
	oleft = cap - 1;
	if (iconv(cd, &in, &inleft, &o, &oleft) == (size_t)-1) {
		size_t at = n - inleft, line = 1, i;
		const unsigned char *b = p;

		for (i = 0; i < at; i++)
			if (b[i] == '\n')
				line++;
		iconv_close(cd);
		free(buf);
		return err_set(e, ERR_FORMAT, "KEN_ALL:%zu: not Shift_JIS (byte %zu)",
		    line, at);
	}
	iconv_close(cd);
	*o = '\0';
	*out = buf;
	*outn = (size_t)(o - buf);
	return 0;
}

static int
digits_only(const char *s, size_t n)
{
	size_t i;

	if (strlen(s) != n)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int
ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);

	return a >= b && memcmp(s + a - b, suf, b) == 0;
}

/* Opening minus closing parentheses: full-width （） in the kanji 町域,
 * ASCII () in the half-width reading. */
static int
paren_depth(const char *s, const char *open, const char *close)
{
	int d = 0;
	size_t lo = strlen(open), lc = strlen(close);

	while (*s != '\0') {
		if (strncmp(s, open, lo) == 0) {
			d++;
			s += lo;
		} else if (strncmp(s, close, lc) == 0) {
			d--;
			s += lc;
		} else
			s++;
	}
	return d;
}

static int
append(char *dst, size_t cap, const char *src)
{
	size_t a = strlen(dst), b = strlen(src);

	if (a + b + 1 > cap)
		return ERR_RANGE;
	memcpy(dst + a, src, b + 1);
	return 0;
}

/* The 町域 as it is written in an address (see the top of the file). */
static void
town_fill(const char *full, const char *city, char *out, size_t cap)
{
	const char *p;
	size_t n;

	out[0] = '\0';
	if (strcmp(full, "以下に掲載がない場合") == 0 ||
	    ends_with(full, "の次に番地がくる場合") ||
	    (ends_with(full, "一円") && strcmp(full, "一円") != 0 &&
	    strncmp(full, city, strlen(city)) == 0))
		return;
	if ((p = strstr(full, "（")) == NULL) {
		n = strlen(full);
		if (n >= cap)
			n = 0;		/* no 町域 that long: nothing filled */
		memcpy(out, full, n);
		out[n] = '\0';
		return;
	}
	n = (size_t)(p - full);
	if (n >= cap)
		n = 0;
	memcpy(out, full, n);
	out[n] = '\0';
	/* A building's floor: "…ビル（１階）" is written "…ビル１階". */
	if (ends_with(full, "階）") && strstr(full, "階層不明") == NULL &&
	    strstr(p + 3, "（") == NULL && strstr(p, "、") == NULL &&
	    strstr(p, "～") == NULL) {
		size_t in = strlen(p) - 6;	/* without （ and ） */

		if (n + in + 1 <= cap) {
			memcpy(out + n, p + 3, in);
			out[n + in] = '\0';
		}
	}
}

static void
kana_fill(const char *kana, char *out, size_t cap)
{
	const char *p = strchr(kana, '(');
	size_t n = p != NULL ? (size_t)(p - kana) : strlen(kana);

	if (n >= cap)
		n = cap - 1;
	memcpy(out, kana, n);
	out[n] = '\0';
}

/* Half-width katakana reading to full-width. */
static void
reading(const char *pref, const char *city, const char *town, char *out,
    size_t cap)
{
	char raw[1024];
	int r;

	snprintf(raw, sizeof(raw), "%s%s%s", pref, city, town);
	if (cap < strlen(raw) + 1 || (r = kana_normalize(raw, strlen(raw), out, cap)) < 0)
		out[0] = '\0';
}

static int
entry_emit(struct kenall_entry *k, char *kana_town, kenall_cb cb, void *ctx,
    struct err *e)
{
	char tk[512];
	int r;

	town_fill(k->town_full, k->city, k->town, sizeof(k->town));
	if (k->town[0] == '\0')
		tk[0] = '\0';
	else
		kana_fill(kana_town, tk, sizeof(tk));
	reading(k->pref_kana, k->city_kana, tk, k->kana, sizeof(k->kana));
	r = cb(ctx, k, e);
	return r;
}

int
kenall_parse(const char *utf8, size_t n, kenall_cb cb, void *ctx, struct err *e)
{
	struct csv *c;
	struct kenall_entry *k;
	char **f, kana_town[1024];
	size_t nf;
	int line, r, pending = 0, entries = 0;

	if ((c = csv_new(utf8, n)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		csv_free(c);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	while ((r = csv_next(c, &f, &nf, &line, e)) == 1) {
		int i, flag;

		if (nf != KENALL_COLS) {
			r = err_set(e, ERR_FORMAT, "KEN_ALL:%d: %zu columns, not %d", line,
			    nf, KENALL_COLS);
			break;
		}
		if (!digits_only(f[0], 5) || !digits_only(f[2], 7)) {
			r = err_set(e, ERR_FORMAT, "KEN_ALL:%d: not a 郵便番号 row", line);
			break;
		}
		for (i = 9; i < 15; i++)
			if (strlen(f[i]) != 1 || f[i][0] < '0' || f[i][0] > '9')
				break;
		if (i < 15) {
			r = err_set(e, ERR_FORMAT, "KEN_ALL:%d: column %d is not a flag",
			    line, i + 1);
			break;
		}
		if (f[6][0] == '\0' || f[7][0] == '\0') {
			r = err_set(e, ERR_FORMAT, "KEN_ALL:%d: 都道府県名 or 市区町村名 empty",
			    line);
			break;
		}
		/* The continuation of a split 町域名: same code and city, and
		 * the parenthesis opened before is still open. */
		if (pending && strcmp(k->postal, f[2]) == 0 &&
		    strcmp(k->city, f[7]) == 0 &&
		    paren_depth(k->town_full, "（", "）") > 0) {
			if (append(k->town_full, sizeof(k->town_full), f[8]) != 0) {
				r = err_set(e, ERR_RANGE, "KEN_ALL:%d: 町域名 too long", line);
				break;
			}
			/* The reading is split on its own; a reading that was
			 * not split is repeated whole, so add it only while
			 * its own parenthesis is open. */
			if (paren_depth(kana_town, "(", ")") > 0 &&
			    append(kana_town, sizeof(kana_town), f[5]) != 0) {
				r = err_set(e, ERR_RANGE, "KEN_ALL:%d: 町域名 too long", line);
				break;
			}
			continue;
		}
		if (pending) {
			if ((r = entry_emit(k, kana_town, cb, ctx, e)) != 0)
				break;
			entries++;
		}
		memset(k, 0, sizeof(*k));
		k->line = line;
		snprintf(k->jis, sizeof(k->jis), "%s", f[0]);
		snprintf(k->postal, sizeof(k->postal), "%s", f[2]);
		if (strlen(f[6]) >= sizeof(k->pref) || strlen(f[7]) >= sizeof(k->city) ||
		    strlen(f[8]) >= sizeof(k->town_full) ||
		    strlen(f[3]) >= sizeof(k->pref_kana) ||
		    strlen(f[4]) >= sizeof(k->city_kana) ||
		    strlen(f[5]) >= sizeof(kana_town)) {
			r = err_set(e, ERR_RANGE, "KEN_ALL:%d: a name is too long", line);
			break;
		}
		snprintf(k->pref, sizeof(k->pref), "%s", f[6]);
		snprintf(k->city, sizeof(k->city), "%s", f[7]);
		snprintf(k->town_full, sizeof(k->town_full), "%s", f[8]);
		snprintf(k->pref_kana, sizeof(k->pref_kana), "%s", f[3]);
		snprintf(k->city_kana, sizeof(k->city_kana), "%s", f[4]);
		snprintf(kana_town, sizeof(kana_town), "%s", f[5]);
		for (i = 0; i < 6; i++) {
			flag = f[9 + i][0] - '0';
			k->flags[i] = flag;
		}
		pending = 1;
	}
	if (r == 0 && pending) {
		if ((r = entry_emit(k, kana_town, cb, ctx, e)) == 0)
			entries++;
	}
	if (r == 0 && entries == 0)
		r = err_set(e, ERR_FORMAT, "KEN_ALL: no rows");
	free(k);
	csv_free(c);
	return r;
}

/* ---------------------------------------------------------- zengin-code */

static int
zg_str(const struct json *o, const char *k, int req, const char **out,
    const char *what, struct err *e)
{
	const struct json *m = json_get(o, k);

	*out = "";
	if (m == NULL)
		return req ? err_set(e, ERR_FORMAT, "zengin: %s: \"%s\" missing", what, k) : 0;
	if (m->type != JSON_STR || m->slen != strlen(m->str) || m->slen > ZENGIN_NAME_MAX)
		return err_set(e, ERR_FORMAT, "zengin: %s: \"%s\" is not a name", what, k);
	*out = m->str;
	return 0;
}

int
zengin_parse(const char *text, size_t n, zengin_cb cb, void *ctx, struct err *e)
{
	struct json *root = NULL;
	const struct json *b, *br, *brs;
	const char *name, *kana, *code;
	size_t i = 0, end = n;
	long banks = 0;
	int r;

	/* The npm package's lib/zengin-data.js is the object behind
	 * "module.exports = " with an optional ";"; a .json file is the
	 * object alone. */
	if (n >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < n && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' ||
	    text[i] == '\n'))
		i++;
	if (n - i >= 14 && memcmp(text + i, "module.exports", 14) == 0) {
		i += 14;
		while (i < n && (text[i] == ' ' || text[i] == '\t'))
			i++;
		if (i >= n || text[i] != '=')
			return err_set(e, ERR_FORMAT, "zengin: \"module.exports\" without \"=\"");
		i++;
		while (end > i && (text[end - 1] == ' ' || text[end - 1] == '\t' ||
		    text[end - 1] == '\r' || text[end - 1] == '\n'))
			end--;
		if (end > i && text[end - 1] == ';')
			end--;
	}
	if ((r = json_parse(text + i, end - i, &root, e)) != 0) {
		err_prefix(e, "zengin: ");
		return r;
	}
	if (root->type != JSON_OBJ) {
		json_free(root);
		return err_set(e, ERR_FORMAT, "zengin: not an object of banks");
	}
	for (b = root->child; b != NULL && r == 0; b = b->next) {
		if (!digits_only(b->key, 4)) {
			r = err_set(e, ERR_FORMAT, "zengin: bank code \"%.8s\" is not 4 digits",
			    b->key);
			break;
		}
		if (b->type != JSON_OBJ) {
			r = err_set(e, ERR_FORMAT, "zengin: bank %s is not an object", b->key);
			break;
		}
		if ((r = zg_str(b, "code", 0, &code, b->key, e)) != 0 ||
		    (r = zg_str(b, "name", 1, &name, b->key, e)) != 0 ||
		    (r = zg_str(b, "kana", 0, &kana, b->key, e)) != 0)
			break;
		if ((code[0] != '\0' && strcmp(code, b->key) != 0) || name[0] == '\0') {
			r = err_set(e, ERR_FORMAT, "zengin: bank %s: code or name wrong", b->key);
			break;
		}
		if ((r = cb(ctx, b->key, NULL, name, kana, e)) != 0)
			break;
		banks++;
		if ((brs = json_get(b, "branches")) == NULL)
			continue;
		if (brs->type != JSON_OBJ) {
			r = err_set(e, ERR_FORMAT, "zengin: bank %s: branches is not an object",
			    b->key);
			break;
		}
		for (br = brs->child; br != NULL; br = br->next) {
			char what[16];

			if (!digits_only(br->key, 3) || br->type != JSON_OBJ) {
				r = err_set(e, ERR_FORMAT, "zengin: bank %s: branch \"%.8s\" is"
				    " not 3 digits and an object", b->key, br->key);
				break;
			}
			snprintf(what, sizeof(what), "%s-%s", b->key, br->key);
			if ((r = zg_str(br, "code", 0, &code, what, e)) != 0 ||
			    (r = zg_str(br, "name", 1, &name, what, e)) != 0 ||
			    (r = zg_str(br, "kana", 0, &kana, what, e)) != 0)
				break;
			if ((code[0] != '\0' && strcmp(code, br->key) != 0) ||
			    name[0] == '\0') {
				r = err_set(e, ERR_FORMAT, "zengin: branch %s: code or name wrong",
				    what);
				break;
			}
			if ((r = cb(ctx, b->key, br->key, name, kana, e)) != 0)
				break;
		}
	}
	json_free(root);
	if (r == 0 && banks == 0)
		r = err_set(e, ERR_FORMAT, "zengin: no banks");
	return r;
}

/* ------------------------------------------------------------- import */

/* The import: rows staged in a temporary table, then compared with what
 * the central holds; a new or changed key becomes an upsert change, a key
 * no longer in the file a tombstone. */
struct stage {
	sqlite3 *db;
	sqlite3_stmt *ins;
	long entries;
	long seq;
};

static int
stage_put(struct stage *s, int kind, const char *key, const char *item,
    struct err *e)
{
	sqlite3_reset(s->ins);
	sqlite3_bind_int(s->ins, 1, kind);
	sqlite3_bind_text(s->ins, 2, key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s->ins, 3, s->seq++);
	sqlite3_bind_text(s->ins, 4, item, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s->ins) != SQLITE_DONE)
		return err_set(e, ERR_IO, "central db: %s", sqlite3_errmsg(s->db));
	s->entries++;
	return 0;
}

static int
jput(struct wbuf *w, const char *k, const char *v, int first)
{
	if (!first)
		wbuf_put(w, ",", 1);
	json_put_str(w, k, strlen(k));
	wbuf_put(w, ":", 1);
	return json_put_str(w, v, strlen(v));
}

static int
zengin_stage(void *ctx, const char *bank, const char *branch, const char *name,
    const char *kana, struct err *e)
{
	struct stage *s = ctx;
	char key[16], kn[1024];
	struct wbuf w;
	int r;

	if (kana_normalize(kana, strlen(kana), kn, sizeof(kn)) < 0)
		kn[0] = '\0';
	wbuf_init(&w, 4096);
	wbuf_put(&w, "{", 1);
	jput(&w, "name", name, 1);
	jput(&w, "kana", kn, 0);
	wbuf_put(&w, "}", 2);
	if (w.err != 0) {
		wbuf_free(&w);
		return err_set(e, ERR_FORMAT, "zengin: %s: a name is not text", bank);
	}
	if (branch == NULL)
		snprintf(key, sizeof(key), "%s", bank);
	else
		snprintf(key, sizeof(key), "%s-%s", bank, branch);
	r = stage_put(s, branch == NULL ? CHG_BANK : CHG_BRANCH, key, (char *)w.p, e);
	wbuf_free(&w);
	return r;
}

static int
kenall_stage(void *ctx, const struct kenall_entry *k, struct err *e)
{
	struct stage *s = ctx;
	struct wbuf w;
	int r;

	wbuf_init(&w, 8192);
	wbuf_put(&w, "{", 1);
	jput(&w, "pref", k->pref, 1);
	jput(&w, "city", k->city, 0);
	jput(&w, "town", k->town, 0);
	jput(&w, "town_full", k->town_full, 0);
	jput(&w, "kana", k->kana, 0);
	wbuf_put(&w, "}", 2);
	if (w.err != 0) {
		wbuf_free(&w);
		return err_set(e, ERR_FORMAT, "KEN_ALL:%d: not text", k->line);
	}
	r = stage_put(s, CHG_POSTAL, k->postal, (char *)w.p, e);
	wbuf_free(&w);
	return r;
}

/* Compare the staged keys of kinds lo..hi with ref_data and write the
 * differences with their change records. */
static int
stage_apply(sqlite3 *db, int lo, int hi, struct import_report *rep,
    long *removed, FILE *rep_out, struct err *e)
{
	sqlite3_stmt *q = NULL, *get = NULL, *put = NULL;
	struct wbuf body;
	char key[64] = "";
	int kind = 0, r = 0, rc, nitems = 0;

	wbuf_init(&body, SYNC_BODY_MAX);
	if ((r = central_prepare(db, "SELECT kind, key, item FROM ref_stage"
	    " ORDER BY kind, key, seq", &q, e)) != 0 ||
	    (r = central_prepare(db, "SELECT body FROM ref_data WHERE kind = ?"
	    " AND key = ?", &get, e)) != 0 ||
	    (r = central_prepare(db, "INSERT OR REPLACE INTO ref_data (kind, key,"
	    " body) VALUES (?, ?, ?)", &put, e)) != 0)
		goto out;
	for (;;) {
		int k = 0;
		const char *ky = NULL, *item = NULL;

		rc = sqlite3_step(q);
		if (rc == SQLITE_ROW) {
			k = sqlite3_column_int(q, 0);
			ky = (const char *)sqlite3_column_text(q, 1);
			item = (const char *)sqlite3_column_text(q, 2);
		} else if (rc != SQLITE_DONE) {
			r = err_set(e, ERR_IO, "central db: %s", sqlite3_errmsg(db));
			goto out;
		}
		/* The end of one key's group: write it. */
		if (key[0] != '\0' && (rc == SQLITE_DONE || k != kind ||
		    strcmp(ky, key) != 0)) {
			const char *old;

			if (kind == CHG_POSTAL)
				wbuf_put(&body, "]}", 2);
			wbuf_put(&body, "", 1);
			if (body.err != 0) {
				r = err_set(e, ERR_RANGE, "%s: too much data", key);
				goto out;
			}
			sqlite3_reset(get);
			sqlite3_bind_int(get, 1, kind);
			sqlite3_bind_text(get, 2, key, -1, SQLITE_STATIC);
			old = sqlite3_step(get) == SQLITE_ROW ?
			    (const char *)sqlite3_column_text(get, 0) : NULL;
			rep->accepted++;
			if (old != NULL && strcmp(old, (char *)body.p) == 0)
				rep->unchanged++;
			else {
				sqlite3_reset(put);
				sqlite3_bind_int(put, 1, kind);
				sqlite3_bind_text(put, 2, key, -1, SQLITE_STATIC);
				sqlite3_bind_text(put, 3, (char *)body.p, -1, SQLITE_STATIC);
				if (sqlite3_step(put) != SQLITE_DONE) {
					r = err_set(e, ERR_IO, "central db: %s", sqlite3_errmsg(db));
					goto out;
				}
				if ((r = central_change_put(db, kind, CHG_UPSERT, key, NULL,
				    NULL, NULL, (char *)body.p, e)) != 0)
					goto out;
				rep->changed++;
			}
			sqlite3_reset(get);
			key[0] = '\0';
		}
		if (rc == SQLITE_DONE)
			break;
		if (key[0] == '\0') {
			kind = k;
			snprintf(key, sizeof(key), "%s", ky);
			body.len = 0;
			body.err = 0;
			nitems = 0;
			if (kind == CHG_POSTAL)
				wbuf_put(&body, "{\"addresses\":[", 14);
		}
		if (kind == CHG_POSTAL) {
			if (nitems >= REF_POSTAL_MAX) {
				if (rep_out != NULL && nitems == REF_POSTAL_MAX)
					fprintf(rep_out, "%s: more than %d addresses; the rest"
					    " left out\n", key, REF_POSTAL_MAX);
				nitems++;
				continue;
			}
			if (nitems > 0)
				wbuf_put(&body, ",", 1);
			nitems++;
		}
		wbuf_put(&body, item, strlen(item));
	}
	sqlite3_finalize(q);
	q = NULL;
	/* Keys no longer published: tombstones. */
	if ((r = central_prepare(db, "SELECT kind, key FROM ref_data d WHERE kind"
	    " BETWEEN ?1 AND ?2 AND NOT EXISTS (SELECT 1 FROM ref_stage s WHERE"
	    " s.kind = d.kind AND s.key = d.key)", &q, e)) != 0)
		goto out;
	sqlite3_bind_int(q, 1, lo);
	sqlite3_bind_int(q, 2, hi);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int k = sqlite3_column_int(q, 0);
		char ky[64];

		snprintf(ky, sizeof(ky), "%s", (const char *)sqlite3_column_text(q, 1));
		if ((r = central_change_put(db, k, CHG_DELETE, ky, NULL, NULL, NULL,
		    NULL, e)) != 0)
			goto out;
		(*removed)++;
	}
	if (rc != SQLITE_DONE) {
		r = err_set(e, ERR_IO, "central db: %s", sqlite3_errmsg(db));
		goto out;
	}
	sqlite3_finalize(q);
	q = NULL;
	if ((r = central_prepare(db, "DELETE FROM ref_data WHERE kind BETWEEN ?1"
	    " AND ?2 AND NOT EXISTS (SELECT 1 FROM ref_stage s WHERE s.kind ="
	    " ref_data.kind AND s.key = ref_data.key)", &q, e)) != 0)
		goto out;
	sqlite3_bind_int(q, 1, lo);
	sqlite3_bind_int(q, 2, hi);
	if (sqlite3_step(q) != SQLITE_DONE)
		r = err_set(e, ERR_IO, "central db: %s", sqlite3_errmsg(db));
out:
	sqlite3_finalize(q);
	sqlite3_finalize(get);
	sqlite3_finalize(put);
	wbuf_free(&body);
	return r;
}

static int
read_all(const char *path, char **out, size_t *n, struct err *e)
{
	FILE *f;
	char *buf = NULL, *t;
	size_t cap = 0, got;

	*out = NULL;
	*n = 0;
	if ((f = fopen(path, "rb")) == NULL)
		return err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
	for (;;) {
		if (*n == cap) {
			if (cap >= KENALL_MAX) {
				fclose(f);
				free(buf);
				return err_set(e, ERR_RANGE, "%s: file too large", path);
			}
			cap = cap ? cap * 2 : 1 << 20;
			if ((t = realloc(buf, cap + 1)) == NULL) {
				fclose(f);
				free(buf);
				return err_set(e, ERR_NOMEM, "out of memory");
			}
			buf = t;
		}
		if ((got = fread(buf + *n, 1, cap - *n, f)) == 0)
			break;
		*n += got;
	}
	if (ferror(f)) {
		fclose(f);
		free(buf);
		return err_set(e, ERR_IO, "%s: read error", path);
	}
	fclose(f);
	buf[*n] = '\0';
	*out = buf;
	return 0;
}

int
central_import_refdata(struct central *c, enum refdata_kind kind,
    const char *name, const char *text, size_t n, struct import_report *rep,
    long *removed, FILE *rep_out, struct err *e)
{
	struct stage s;
	char *utf8 = NULL;
	size_t un = 0;
	int r;

	memset(rep, 0, sizeof(*rep));
	*removed = 0;
	memset(&s, 0, sizeof(s));
	s.db = c->db;
	if ((r = central_sql(c->db, "BEGIN IMMEDIATE", e)) != 0)
		return r;
	if ((r = central_sql(c->db, "CREATE TEMP TABLE IF NOT EXISTS ref_stage ("
	    " kind INTEGER NOT NULL, key TEXT NOT NULL, seq INTEGER NOT NULL,"
	    " item TEXT NOT NULL);"
	    " CREATE INDEX IF NOT EXISTS temp.ref_stage_key ON ref_stage(kind, key);"
	    " DELETE FROM ref_stage;", e)) != 0 ||
	    (r = central_prepare(c->db, "INSERT INTO ref_stage (kind, key, seq, item)"
	    " VALUES (?, ?, ?, ?)", &s.ins, e)) != 0)
		goto out;
	if (kind == REFDATA_BANKS)
		r = zengin_parse(text, n, zengin_stage, &s, e);
	else if ((r = kenall_to_utf8(text, n, &utf8, &un, e)) == 0)
		r = kenall_parse(utf8, un, kenall_stage, &s, e);
	sqlite3_finalize(s.ins);
	s.ins = NULL;
	if (r != 0) {
		err_prefix(e, "%s: ", name);
		goto out;
	}
	rep->rows = s.entries;
	if (kind == REFDATA_BANKS)
		r = stage_apply(c->db, CHG_BANK, CHG_BRANCH, rep, removed, rep_out, e);
	else
		r = stage_apply(c->db, CHG_POSTAL, CHG_POSTAL, rep, removed, rep_out, e);
out:
	free(utf8);
	if (s.ins != NULL)
		sqlite3_finalize(s.ins);
	central_sql(c->db, "DELETE FROM ref_stage", NULL);
	if (r != 0) {
		central_sql(c->db, "ROLLBACK", NULL);
		return r;
	}
	return central_sql(c->db, "COMMIT", e);
}

int
central_import_refdata_file(struct central *c, enum refdata_kind kind,
    const char *path, struct import_report *rep, long *removed, FILE *rep_out,
    struct err *e)
{
	char *buf;
	size_t n;
	int r;

	if ((r = read_all(path, &buf, &n, e)) != 0)
		return r;
	r = central_import_refdata(c, kind, path, buf, n, rep, removed, rep_out, e);
	free(buf);
	return r;
}
