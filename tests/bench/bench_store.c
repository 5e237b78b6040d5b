/*
 * bench_store.c — the encrypted store against plain SQLite and SQLCipher,
 * side by side in one run (SPEC 9; issue 3's benchmark).
 *
 *   bench_store [N [DIR]]  N residents (default $BENCH_N, else 1000000),
 *                          databases in a new directory under DIR ($TMPDIR, /tmp)
 *
 * Runs the workload of store_workload.h on the encrypting VFS and on the
 * default VFS (same schema, same pragmas, same SQL), then starts
 * bench_store_sqlcipher from the same directory for the SQLCipher column,
 * and prints ops/s with the time ratios encrypted/plain and
 * encrypted/SQLCipher (below 1.00 = the encrypted store is faster).
 * Not a test: nothing passes or fails on a number.
 */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store_workload.h"

#define SEED 20250401

struct row { const char *key, *label; int lower_is_better; };

static const struct row rows[] = {
	{ "load_ops", "bulk load (residents/s)", 0 },
	{ "atena_ops", "lookup by 宛名番号 (ops/s)", 0 },
	{ "mynumber_ops", "lookup by 個人番号 (ops/s)", 0 },
	{ "kana_ops", "kana prefix search (ops/s)", 0 },
	{ "kana_p50_us", "  kana p50 (us)", 1 },
	{ "kana_p95_us", "  kana p95 (us)", 1 },
	{ "birth_ops", "birth-date search (ops/s)", 0 },
	{ "birth_p50_us", "  birth p50 (us)", 1 },
	{ "birth_p95_us", "  birth p95 (us)", 1 },
};
#define NROWS (sizeof(rows) / sizeof(rows[0]))

static double
field(const struct wl_result *r, const char *key)
{
	if (!strcmp(key, "load_ops")) return r->load_ops;
	if (!strcmp(key, "atena_ops")) return r->atena_ops;
	if (!strcmp(key, "mynumber_ops")) return r->mynumber_ops;
	if (!strcmp(key, "kana_ops")) return r->kana_ops;
	if (!strcmp(key, "kana_p50_us")) return r->kana_p50_us;
	if (!strcmp(key, "kana_p95_us")) return r->kana_p95_us;
	if (!strcmp(key, "birth_ops")) return r->birth_ops;
	if (!strcmp(key, "birth_p50_us")) return r->birth_p50_us;
	if (!strcmp(key, "birth_p95_us")) return r->birth_p95_us;
	return 0;
}

static void
set_field(struct wl_result *r, const char *key, double v)
{
	if (!strcmp(key, "load_ops")) r->load_ops = v;
	else if (!strcmp(key, "atena_ops")) r->atena_ops = v;
	else if (!strcmp(key, "mynumber_ops")) r->mynumber_ops = v;
	else if (!strcmp(key, "kana_ops")) r->kana_ops = v;
	else if (!strcmp(key, "kana_p50_us")) r->kana_p50_us = v;
	else if (!strcmp(key, "kana_p95_us")) r->kana_p95_us = v;
	else if (!strcmp(key, "birth_ops")) r->birth_ops = v;
	else if (!strcmp(key, "birth_p50_us")) r->birth_p50_us = v;
	else if (!strcmp(key, "birth_p95_us")) r->birth_p95_us = v;
}

static double
time_ratio(double a, double b, int lower_is_better)
{
	if (a <= 0 || b <= 0)
		return 0;
	/* time of a / time of b */
	return lower_is_better ? a / b : b / a;
}

static void
remove_db(const char *path)
{
	char p[4200];

	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

static off_t
file_size(const char *path)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (f == NULL)
		return 0;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fclose(f);
	return n;
}

int
main(int argc, char **argv)
{
	const char *env = getenv("BENCH_N");
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) :
	    env ? strtoul(env, NULL, 10) : 1000000;
	const char *parent = argc > 2 ? argv[2] : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char dir[4096], enc[4200], plain[4200], cmd[8192 + 4096];
	char self[4096];
	uint8_t *key;
	sqlite3 *db;
	struct err e;
	struct wl_result re, rp, rc;
	int have_sqlcipher = 0;
	off_t enc_size, plain_size;
	FILE *p;

	if (n == 0) {
		fprintf(stderr, "bench_store: N must be > 0\n");
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s/mdg-bench-store-XXXXXX", parent);
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(enc, sizeof(enc), "%s/enc.db", dir);
	snprintf(plain, sizeof(plain), "%s/plain.db", dir);
	printf("store benchmark: N = %zu residents (BENCH_N), seed %d, page %d\n",
	    n, SEED, STORE_PAGE_SIZE);
	fflush(stdout);

	if ((key = store_key_new(&e)) == NULL ||
	    store_db_open_key(enc, key, &db, &e) != 0) {
		fprintf(stderr, "bench_store: %s\n", e.msg);
		return 1;
	}
	if (wl_run(db, SEED, n, &re) != 0)
		return 1;
	sqlite3_close(db);
	store_key_free(key);
	enc_size = file_size(enc);
	remove_db(enc);
	fprintf(stderr, "  encrypted done\n");

	if (store_db_open_plain(plain, &db, &e) != 0) {
		fprintf(stderr, "bench_store: %s\n", e.msg);
		return 1;
	}
	if (wl_run(db, SEED, n, &rp) != 0)
		return 1;
	sqlite3_close(db);
	plain_size = file_size(plain);
	remove_db(plain);
	fprintf(stderr, "  plain done\n");

	/* The SQLCipher column comes from its own binary next to this one. */
	memset(&rc, 0, sizeof(rc));
	snprintf(self, sizeof(self), "%s", argv[0]);
	snprintf(cmd, sizeof(cmd), "%s/bench_store_sqlcipher %zu %s/sqlcipher.db",
	    dirname(self), n, dir);
	if ((p = popen(cmd, "r")) != NULL) {
		char line[256], be[32], k[64];
		double v;

		while (fgets(line, sizeof(line), p) != NULL)
			if (sscanf(line, "RESULT %31s %63s %lf", be, k, &v) == 3) {
				set_field(&rc, k, v);
				have_sqlcipher = 1;
			}
		pclose(p);
	}
	fprintf(stderr, "  sqlcipher %s\n", have_sqlcipher ? "done" : "not available");
	rmdir(dir);

	wl_print("encrypted", &re);
	wl_print("plain", &rp);
	if (have_sqlcipher)
		wl_print("sqlcipher", &rc);
	printf("\n%-30s %12s %12s %12s %10s %10s\n", "operation", "encrypted",
	    "plain", "sqlcipher", "enc/plain", "enc/sqlc");
	for (size_t i = 0; i < NROWS; i++) {
		double a = field(&re, rows[i].key), b = field(&rp, rows[i].key),
		    c = field(&rc, rows[i].key);
		printf("%-30s %12.1f %12.1f %12.1f %9.2fx %9.2fx\n", rows[i].label,
		    a, b, c, time_ratio(a, b, rows[i].lower_is_better),
		    time_ratio(a, c, rows[i].lower_is_better));
	}
	printf("\nratios are time ratios: enc/plain 1.20x = the encrypted store "
	    "takes 20%% longer;\nenc/sqlc below 1.00x = the encrypted store is "
	    "faster than SQLCipher.\n");
	printf("mean rows per search: kana %.1f, birth %.1f (limit 100)\n",
	    re.kana_rows, re.birth_rows);
	printf("database size: encrypted %lld bytes, plain %lld bytes\n",
	    (long long)enc_size, (long long)plain_size);
	return 0;
}
