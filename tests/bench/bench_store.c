/*
 * bench_store.c — the encrypted store against plain SQLite and SQLCipher,
 * side by side in one run (SPEC 9; issue 3's benchmark).
 *
 *   bench_store [N [DIR]]  N residents (default $BENCH_N, else 1000000),
 *                          databases in a new directory under DIR ($TMPDIR, /tmp)
 *
 * Runs the workload of store_workload.h on the encrypting VFS, on the
 * default VFS (same schema, same pragmas, same SQL) and, through
 * bench_store_sqlcipher started from the same directory, on SQLCipher.  The
 * three are interleaved (load chunks of 50000, then read passes in turn) so
 * that whatever else the machine is doing weighs on all of them alike.
 * Prints ops/s with the time ratios encrypted/plain and encrypted/SQLCipher
 * (below 1.00 = the encrypted store is faster).
 * Not a test: nothing passes or fails on a number.
 */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
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
#define BIG_CACHE_MIB 512

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

/* Issue 18: the back ends must return the same rows for the same queries,
 * or their columns compare unequal work.  Names each query that differs. */
static int
rows_agree(const char *name_a, const struct wl_result *a, const char *name_b,
    const struct wl_result *b)
{
	static const char *const what[] = { "lookup by 宛名番号",
	    "lookup by 個人番号", "kana prefix search", "birth-date search" };
	const uint64_t x[] = { a->sum_atena, a->sum_mynumber, a->sum_kana,
	    a->sum_birth };
	const uint64_t y[] = { b->sum_atena, b->sum_mynumber, b->sum_kana,
	    b->sum_birth };
	int ok = 1;

	for (size_t i = 0; i < 4; i++)
		if (x[i] != y[i] || x[i] == 0) {
			fprintf(stderr, "bench_store: %s returned other rows on %s "
			    "than on %s (%016llx, %016llx): the comparison would "
			    "be of unequal work; stopping\n", what[i], name_a,
			    name_b, (unsigned long long)x[i],
			    (unsigned long long)y[i]);
			ok = 0;
		}
	return ok;
}

/* Print s left-aligned in a column of width cells (display width, so that
 * 宛名番号 takes two cells a character, as a terminal draws it). */
static void
put_padded(const char *s, int width)
{
	int w = utf8_width(s, strlen(s));

	fputs(s, stdout);
	for (; w < width; w++)
		putchar(' ');
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

/* The SQLCipher backend: a child process spoken to line by line. */
struct child {
	pid_t pid;
	FILE *to, *from;
};

static int
child_start(struct child *c, const char *prog, size_t n, const char *path)
{
	int in[2], out[2];
	char num[32];

	if (access(prog, X_OK) != 0 || pipe(in) != 0 || pipe(out) != 0)
		return -1;
	snprintf(num, sizeof(num), "%zu", n);
	if ((c->pid = fork()) < 0)
		return -1;
	if (c->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execl(prog, prog, num, path, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	c->to = fdopen(in[1], "w");
	c->from = fdopen(out[0], "r");
	return c->to && c->from ? 0 : -1;
}

/* Send a command, wait for its "OK". */
static int
child_cmd(struct child *c, const char *cmd)
{
	char line[256];

	if (c->to == NULL)
		return -1;
	fprintf(c->to, "%s\n", cmd);
	fflush(c->to);
	if (fgets(line, sizeof(line), c->from) == NULL)
		return -1;
	return strcmp(line, "OK\n") == 0 ? 0 : -1;
}

/* "quit", then read the RESULT lines into r. */
static int
child_finish(struct child *c, struct wl_result *r)
{
	char line[256], be[32], k[64];
	double v;
	int got = 0;

	fprintf(c->to, "quit\n");
	fclose(c->to);
	unsigned long long h;

	while (fgets(line, sizeof(line), c->from) != NULL) {
		if (sscanf(line, "RESULT %31s %63s %lf", be, k, &v) == 3) {
			set_field(r, k, v);
			if (strcmp(k, "kana_rows") == 0)
				r->kana_rows = v;
			else if (strcmp(k, "birth_rows") == 0)
				r->birth_rows = v;
			got = 1;
		} else if (sscanf(line, "ROWS %31s %63s %llx", be, k, &h) == 3) {
			if (strcmp(k, "atena") == 0)
				r->sum_atena = h;
			else if (strcmp(k, "mynumber") == 0)
				r->sum_mynumber = h;
			else if (strcmp(k, "kana") == 0)
				r->sum_kana = h;
			else if (strcmp(k, "birth") == 0)
				r->sum_birth = h;
		}
	}
	fclose(c->from);
	waitpid(c->pid, NULL, 0);
	return got ? 0 : -1;
}

int
main(int argc, char **argv)
{
	const char *env = getenv("BENCH_N");
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) :
	    env ? strtoul(env, NULL, 10) : 1000000;
	const char *parent = argc > 2 ? argv[2] : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char dir[4096], enc[4200], plain[4200], sqlc[4200], prog[4200], self[4096];
	uint8_t *key;
	sqlite3 *edb, *pdb;
	struct err e;
	struct wl_db we, wp, big;
	struct wl_result rc;
	struct wl_keys k;
	struct child ch = { 0, NULL, NULL };
	int have_sqlcipher;
	off_t enc_size, plain_size;

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
	snprintf(sqlc, sizeof(sqlc), "%s/sqlcipher.db", dir);
	snprintf(self, sizeof(self), "%s", argv[0]);
	snprintf(prog, sizeof(prog), "%s/bench_store_sqlcipher", dirname(self));
	printf("store benchmark: N = %zu residents (BENCH_N), seed %d, page %d, "
	    "cache %d KiB\n", n, SEED, STORE_PAGE_SIZE, STORE_CACHE_KIB);
	fflush(stdout);

	if ((key = store_key_new(&e)) == NULL ||
	    store_db_open_key(enc, key, &edb, &e) != 0 ||
	    store_db_open_plain(plain, &pdb, &e) != 0) {
		fprintf(stderr, "bench_store: %s\n", e.msg);
		return 1;
	}
	store_key_free(key);
	if (wl_begin(&we, edb, SEED) != 0 || wl_begin(&wp, pdb, SEED) != 0)
		return 1;
	have_sqlcipher = child_start(&ch, prog, n, sqlc) == 0;

	/* Load in interleaved chunks, then read in interleaved passes. */
	for (size_t done = 0; done < n; done += WL_CHUNK) {
		size_t c = n - done < WL_CHUNK ? n - done : WL_CHUNK;
		char cmd[64];

		if (wl_load_chunk(&we, c) != 0 || wl_load_chunk(&wp, c) != 0)
			return 1;
		snprintf(cmd, sizeof(cmd), "load %zu", c);
		if (have_sqlcipher && child_cmd(&ch, cmd) != 0)
			have_sqlcipher = 0;
		fprintf(stderr, "  loaded %zu\n", done + c);
	}
	wl_load_finish(&we);
	wl_load_finish(&wp);
	if (have_sqlcipher && child_cmd(&ch, "finish") != 0)
		have_sqlcipher = 0;
	if (wl_keys_for(SEED, n, &k) != 0)
		return 1;
	for (int pass = 0; pass < WL_PASSES; pass++) {
		if (wl_read_pass(&we, &k) != 0 || wl_read_pass(&wp, &k) != 0)
			return 1;
		if (have_sqlcipher && child_cmd(&ch, "pass") != 0)
			have_sqlcipher = 0;
		fprintf(stderr, "  read pass %d\n", pass + 1);
	}
	/* [store] cache_mb: the same reads on the encrypted store with a page
	 * cache eight times the default (issue 18). */
	{
		char pragma[64];

		big = we;
		memset(&big.res, 0, sizeof(big.res));
		snprintf(pragma, sizeof(pragma), "PRAGMA cache_size=-%d",
		    BIG_CACHE_MIB * 1024);
		sqlite3_exec(edb, pragma, NULL, NULL, NULL);
		for (int pass = 0; pass < WL_PASSES; pass++)
			if (wl_read_pass(&big, &k) != 0)
				return 1;
		fprintf(stderr, "  read passes with a %d MiB cache\n", BIG_CACHE_MIB);
	}
	wl_keys_free(&k);
	memset(&rc, 0, sizeof(rc));
	if (ch.to != NULL && child_finish(&ch, &rc) != 0)
		have_sqlcipher = 0;
	if (!have_sqlcipher)
		fprintf(stderr, "  sqlcipher column not available\n");
	sqlite3_close(edb);
	sqlite3_close(pdb);
	enc_size = file_size(enc);
	plain_size = file_size(plain);
	remove_db(enc);
	remove_db(plain);
	remove_db(sqlc);
	rmdir(dir);

	wl_print("encrypted", &we.res);
	wl_print("plain", &wp.res);
	if (have_sqlcipher)
		wl_print("sqlcipher", &rc);
	if (!rows_agree("encrypted", &we.res, "plain", &wp.res) ||
	    (have_sqlcipher && !rows_agree("encrypted", &we.res, "sqlcipher", &rc)))
		return 3;
	printf("rows: the %s back ends returned the same rows for every query\n",
	    have_sqlcipher ? "three" : "two");
	putchar('\n');
	put_padded("operation", 30);
	printf(" %12s %12s %12s %10s %10s\n", "encrypted",
	    "plain", "sqlcipher", "enc/plain", "enc/sqlc");
	for (size_t i = 0; i < NROWS; i++) {
		double a = field(&we.res, rows[i].key), b = field(&wp.res, rows[i].key),
		    c = field(&rc, rows[i].key);
		put_padded(rows[i].label, 30);
		printf(" %12.1f %12.1f %12.1f %9.2fx %9.2fx\n",
		    a, b, c, time_ratio(a, b, rows[i].lower_is_better),
		    time_ratio(a, c, rows[i].lower_is_better));
	}
	printf("\nratios are time ratios: enc/plain 1.20x = the encrypted store "
	    "takes 20%% longer;\nenc/sqlc below 1.00x = the encrypted store is "
	    "faster than SQLCipher.\nLoads and read passes of the three run "
	    "interleaved; reads are the best of %d passes.\n", WL_PASSES);
	printf("mean rows per search: kana %.1f, birth %.1f (limit 100; "
	    "the same on every back end)\n", we.res.kana_rows, we.res.birth_rows);
	printf("\nencrypted store, page cache %d MiB against the default %d MiB "
	    "([store] cache_mb; run after the default's passes, same connection):\n",
	    BIG_CACHE_MIB, STORE_CACHE_KIB / 1024);
	put_padded("operation", 30);
	printf(" %9d MiB %9d MiB %10s\n", BIG_CACHE_MIB, STORE_CACHE_KIB / 1024,
	    "big/def");
	for (size_t i = 0; i < NROWS; i++) {
		double a = field(&we.res, rows[i].key), b = field(&big.res, rows[i].key);

		if (strcmp(rows[i].key, "load_ops") == 0)
			continue;
		put_padded(rows[i].label, 30);
		printf(" %12.1f %12.1f %9.2fx\n", b, a,
		    time_ratio(b, a, rows[i].lower_is_better));
	}
	wl_print("encrypted_bigcache", &big.res);
	printf("database size: encrypted %lld bytes, plain %lld bytes\n",
	    (long long)enc_size, (long long)plain_size);
	return 0;
}
