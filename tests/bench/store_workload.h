/*
 * store_workload.h — the store benchmark's workload, shared by bench_store
 * (encrypting VFS and plain SQLite) and bench_store_sqlcipher (SQLCipher,
 * which needs its own binary because it exports the same symbols as
 * libsqlite3).  Included once by each; everything is static.
 *
 * Per backend, one connection with the store schema: bulk load of N synthetic
 * residents (person + 個人番号 + certificates, transactions of 5000), then
 * lookups by 宛名番号 and by 個人番号 with the SQL of src/store/person.c, and
 * kana prefix and birth-date searches through store_person_search_db.  Results are printed
 * as "RESULT <name> <value>" lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "core.h"
#include "store.h"

#define WL_PASSES 3	/* read passes per backend; the best is kept */
#define WL_COLS "atena, name, kana, alias, alias_kana, alpha, birth, sex, " \
	"postal, address, household, relation, head, ward, dv, nondisclose, " \
	"updated_at, updated_by"

struct wl_result {
	double load_ops;		/* residents per second */
	double atena_ops, mynumber_ops;
	double kana_ops, kana_p50_us, kana_p95_us;
	double birth_ops, birth_p50_us, birth_p95_us;
	double kana_rows, birth_rows;	/* mean rows returned (sanity) */
	/* What each query returned, folded into one value per query kind
	 * (FNV-1a over the 宛名番号 of every row, in order, across a pass):
	 * the backends must agree exactly, or the bench compares unequal work
	 * (issue 18) and stops. */
	uint64_t sum_atena, sum_mynumber, sum_kana, sum_birth;
};

static void
wl_fold(uint64_t *h, const void *p, size_t n)
{
	const unsigned char *b = p;

	if (*h == 0)
		*h = 14695981039346656037ULL;
	for (size_t i = 0; i < n; i++) {
		*h ^= b[i];
		*h *= 1099511628211ULL;
	}
	*h ^= 0xff;	/* row separator */
	*h *= 1099511628211ULL;
}

static double
wl_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
wl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Deterministic sample keys: every k-th resident of the generated set. */
struct wl_keys {
	char (*atena)[16];
	char (*mynumber)[13];
	uint8_t (*mnidx)[16];		/* blind index of mynumber (issue 15) */
	char (*prefix)[64];
	int *birth;
	size_t n;
};

static int
wl_keys_make(uint64_t seed, size_t total, size_t want, struct wl_keys *k)
{
	struct synth *g = synth_new(seed);
	struct synth_resident r;
	size_t step = total / want ? total / want : 1, j = 0;

	memset(k, 0, sizeof(*k));
	k->atena = calloc(want, sizeof(*k->atena));
	k->mynumber = calloc(want, sizeof(*k->mynumber));
	k->mnidx = calloc(want, sizeof(*k->mnidx));
	k->prefix = calloc(want, sizeof(*k->prefix));
	k->birth = calloc(want, sizeof(*k->birth));
	if (g == NULL || !k->atena || !k->mynumber || !k->mnidx || !k->prefix ||
	    !k->birth)
		return -1;
	for (size_t i = 0; i < total && j < want; i++) {
		synth_next(g, &r);
		if (i % step != step / 2)
			continue;
		memcpy(k->atena[j], r.p.atena, 16);
		memcpy(k->mynumber[j], r.mynumber, 13);
		synth_mynumber_index(r.mynumber, k->mnidx[j]);
		k->birth[j] = r.p.birth;
		/* What a clerk types: the surname in kana and the first kana
		 * of the given name, normalised like the store's search key. */
		{
			char norm[256], *sp;
			size_t o = 0;
			int len = kana_normalize(r.p.kana, strlen(r.p.kana), norm,
			    sizeof(norm));
			if (len < 0)
				len = 0;
			norm[len] = '\0';
			sp = strchr(norm, ' ');
			for (char *p = norm; *p && o + 4 < sizeof(k->prefix[j]); p++) {
				if (*p == ' ')
					continue;
				k->prefix[j][o++] = *p;
				/* stop after the first character following the space */
				if (sp != NULL && p > sp && ((unsigned char)p[1] & 0xC0) != 0x80)
					break;
			}
			k->prefix[j][o] = '\0';
		}
		j++;
	}
	k->n = j;
	synth_free(g);
	return 0;
}

static void
wl_keys_free(struct wl_keys *k)
{
	free(k->atena);
	free(k->mynumber);
	free(k->mnidx);
	free(k->prefix);
	free(k->birth);
}

/* Step a prepared query to the end; returns rows or -1. */
static int
wl_rows(sqlite3_stmt *q, uint64_t *sum)
{
	int rc, n = 0;

	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		/* Touch the text as a caller would. */
		const unsigned char *atena = sqlite3_column_text(q, 0);
		(void)sqlite3_column_text(q, 1);
		(void)sqlite3_column_text(q, 9);
		wl_fold(sum, atena, atena ? strlen((const char *)atena) : 0);
		n++;
	}
	sqlite3_reset(q);
	return rc == SQLITE_DONE ? n : -1;
}

static int
wl_lookup(sqlite3 *db, const char *sql, char (*keys)[16], size_t stride_bytes,
    const void *base, size_t n, size_t reps, double *ops, uint64_t *sum)
{
	sqlite3_stmt *q;
	double t0;

	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
		return -1;
	t0 = wl_now();
	for (size_t i = 0; i < reps; i++) {
		const char *key = (const char *)base + (i * 7919 % n) * stride_bytes;
		if (keys != NULL)	/* 16-byte blind indexes (issue 15) */
			sqlite3_bind_blob(q, 1, key, 16, SQLITE_STATIC);
		else
			sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
		if (wl_rows(q, sum) != 1) {
			sqlite3_finalize(q);
			return -1;
		}
	}
	*ops = (double)reps / (wl_now() - t0);
	sqlite3_finalize(q);
	return 0;
}

/* Searches through the store's own search function (the SQL the lookup
 * screen runs), limit 100. */
static int
wl_search(sqlite3 *db, const struct wl_keys *k, int kana, size_t reps,
    double *ops, double *p50, double *p95, double *mean_rows, uint64_t *sum)
{
	double *lat = calloc(reps, sizeof(double)), t0, total = 0, rows = 0;
	struct person_query q;
	struct person_list l;
	struct err e;

	if (lat == NULL)
		return -1;
	for (size_t i = 0; i < reps; i++) {
		size_t j = i * 7919 % k->n;

		memset(&q, 0, sizeof(q));
		if (kana)
			q.kana_prefix = k->prefix[j];
		else
			q.birth = k->birth[j];
		t0 = wl_now();
		if (store_person_search_db(db, &q, &l, &e) != 0) {
			fprintf(stderr, "search: %s\n", e.msg);
			free(lat);
			return -1;
		}
		lat[i] = wl_now() - t0;
		total += lat[i];
		rows += (double)l.n;
		for (size_t r = 0; r < l.n; r++)
			wl_fold(sum, l.v[r].atena, strlen(l.v[r].atena));
		wl_fold(sum, "", 0);	/* query separator */
		person_list_free(&l);
	}
	*ops = (double)reps / total;
	*mean_rows = rows / (double)reps;
	qsort(lat, reps, sizeof(double), wl_cmp);
	*p50 = lat[reps / 2] * 1e6;
	*p95 = lat[reps * 95 / 100] * 1e6;
	free(lat);
	return 0;
}

/* One backend under test: its connection, its generator and its results.
 * The bench interleaves backends chunk by chunk and pass by pass, so that
 * other load on the (shared) machine falls on all of them alike. */
struct wl_db {
	sqlite3 *db;
	struct synth *g;
	double load_s;
	size_t loaded;
	struct wl_result res;
};

static int
wl_begin(struct wl_db *w, sqlite3 *db, uint64_t seed)
{
	struct err e;

	memset(w, 0, sizeof(*w));
	w->db = db;
	if (store_schema_apply(db, &e) != 0) {
		fprintf(stderr, "schema: %s\n", e.msg);
		return -1;
	}
	return (w->g = synth_new(seed)) != NULL ? 0 : -1;
}

static int
wl_load_chunk(struct wl_db *w, size_t n)
{
	struct err e;
	double t0 = wl_now();

	if (synth_load_more(w->db, w->g, n, &e) != 0) {
		fprintf(stderr, "load: %s\n", e.msg);
		return -1;
	}
	w->load_s += wl_now() - t0;
	w->loaded += n;
	return 0;
}

/* Making the data durable (the checkpoint) counts as part of the load. */
static int
wl_load_finish(struct wl_db *w)
{
	double t0 = wl_now();

	sqlite3_exec(w->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
	w->load_s += wl_now() - t0;
	w->res.load_ops = (double)w->loaded / w->load_s;
	synth_free(w->g);
	w->g = NULL;
	return 0;
}

/* One pass of every read measurement; the best pass is kept. */
static int
wl_read_pass(struct wl_db *w, const struct wl_keys *k)
{
	struct wl_result t = w->res, *res = &w->res;
	size_t reps = k->n, sreps = k->n < 2000 ? k->n : 2000;

	t.sum_atena = t.sum_mynumber = t.sum_kana = t.sum_birth = 0;

	if (wl_lookup(w->db, "SELECT " WL_COLS " FROM persons WHERE atena = ?",
	    NULL, sizeof(k->atena[0]), k->atena, k->n, reps, &t.atena_ops,
	    &t.sum_atena) != 0 ||
	    wl_lookup(w->db, "SELECT " WL_COLS " FROM persons WHERE atena = "
	    "(SELECT atena FROM mynumbers WHERE idx = ?)", (char (*)[16])k->mnidx,
	    sizeof(k->mnidx[0]), k->mnidx, k->n, reps, &t.mynumber_ops,
	    &t.sum_mynumber) != 0 ||
	    wl_search(w->db, k, 1, sreps, &t.kana_ops, &t.kana_p50_us,
	    &t.kana_p95_us, &t.kana_rows, &t.sum_kana) != 0 ||
	    wl_search(w->db, k, 0, sreps, &t.birth_ops, &t.birth_p50_us,
	    &t.birth_p95_us, &t.birth_rows, &t.sum_birth) != 0) {
		fprintf(stderr, "query failed: %s\n", sqlite3_errmsg(w->db));
		return -1;
	}
	/* Every pass runs the same queries: the sums do not change. */
	res->sum_atena = t.sum_atena;
	res->sum_mynumber = t.sum_mynumber;
	res->sum_kana = t.sum_kana;
	res->sum_birth = t.sum_birth;
	if (t.atena_ops > res->atena_ops)
		res->atena_ops = t.atena_ops;
	if (t.mynumber_ops > res->mynumber_ops)
		res->mynumber_ops = t.mynumber_ops;
	if (t.kana_ops > res->kana_ops) {
		res->kana_ops = t.kana_ops;
		res->kana_p50_us = t.kana_p50_us;
		res->kana_p95_us = t.kana_p95_us;
		res->kana_rows = t.kana_rows;
	}
	if (t.birth_ops > res->birth_ops) {
		res->birth_ops = t.birth_ops;
		res->birth_p50_us = t.birth_p50_us;
		res->birth_p95_us = t.birth_p95_us;
		res->birth_rows = t.birth_rows;
	}
	return 0;
}

/* Sample keys for n residents: 20000 (or n) of them. */
static int
wl_keys_for(uint64_t seed, size_t n, struct wl_keys *k)
{
	return wl_keys_make(seed, n, n < 20000 ? n : 20000, k);
}

#define WL_CHUNK 50000

static void
wl_print(const char *backend, const struct wl_result *r)
{
	printf("RESULT store_%s load_ops %.1f\n", backend, r->load_ops);
	printf("RESULT store_%s atena_ops %.1f\n", backend, r->atena_ops);
	printf("RESULT store_%s mynumber_ops %.1f\n", backend, r->mynumber_ops);
	printf("RESULT store_%s kana_ops %.1f\n", backend, r->kana_ops);
	printf("RESULT store_%s kana_p50_us %.1f\n", backend, r->kana_p50_us);
	printf("RESULT store_%s kana_p95_us %.1f\n", backend, r->kana_p95_us);
	printf("RESULT store_%s birth_ops %.1f\n", backend, r->birth_ops);
	printf("RESULT store_%s birth_p50_us %.1f\n", backend, r->birth_p50_us);
	printf("RESULT store_%s birth_p95_us %.1f\n", backend, r->birth_p95_us);
	printf("RESULT store_%s kana_rows %.1f\n", backend, r->kana_rows);
	printf("RESULT store_%s birth_rows %.1f\n", backend, r->birth_rows);
	printf("ROWS %s atena %016llx\n", backend, (unsigned long long)r->sum_atena);
	printf("ROWS %s mynumber %016llx\n", backend, (unsigned long long)r->sum_mynumber);
	printf("ROWS %s kana %016llx\n", backend, (unsigned long long)r->sum_kana);
	printf("ROWS %s birth %016llx\n", backend, (unsigned long long)r->sum_birth);
	fflush(stdout);
}
