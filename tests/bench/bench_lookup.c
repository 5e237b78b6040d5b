/*
 * bench_lookup.c — search latency at the window (issue 6's benchmark):
 * lookup_search(), the very function the F3 screen calls (criteria parsed
 * from typed text by lookup_criteria_set, permission and freshness checks,
 * the store's query, DV blanking and the audit row every search writes),
 * on N synthetic residents in the encrypted store.
 *
 *   bench_lookup [N [DIR]]   N residents (default $BENCH_N, else 1000000);
 *                            the store in a new directory under DIR
 *                            ($TMPDIR, /tmp), removed at the end
 *
 * Rows: kana prefix as typed (hiragana surname + first kana of the given
 * name), the surname alone (a broad prefix: the first page of many),
 * birth date typed in 和暦, kana + birth combined, and opening the record
 * found (lookup_open: person, household, certificates, applications,
 * audit row).  Prints p50/p95/max in milliseconds.  Not a test: nothing
 * passes or fails on a number.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store.h"
#include "visit.h"

#define SEED 1
#define PW "Bench#4817Lmtv"

struct sample {
	char kana[96];			/* hiragana, as typed */
	char surname[64];
	char birth[32];			/* 和暦 short */
	char atena[16];
};

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Katakana → hiragana (U+30A1..U+30F6 → U+3041..U+3096), what the clerk
 * types; lookup_criteria_set folds it back. */
static void
to_hiragana(const char *in, char *out, size_t cap)
{
	size_t o = 0;

	while (*in && o + 4 < cap) {
		uint32_t cp;
		int n = utf8_decode(in, strlen(in), &cp);
		char b[4];
		int k;

		if (n <= 0)
			break;
		if (cp >= 0x30A1 && cp <= 0x30F6)
			cp -= 0x60;
		k = utf8_encode(cp, b);
		memcpy(out + o, b, (size_t)k);
		o += (size_t)k;
		in += n;
	}
	out[o] = '\0';
}

static int
samples_make(size_t total, size_t want, struct sample *s)
{
	struct synth *g = synth_new(SEED);
	struct synth_resident r;
	size_t step = total / want ? total / want : 1, j = 0;

	if (g == NULL)
		return -1;
	for (size_t i = 0; i < total && j < want; i++) {
		char k[128], *sp;
		struct date d;

		synth_next(g, &r);
		if (i % step != step / 2)
			continue;
		snprintf(k, sizeof(k), "%s", r.p.kana);
		sp = strchr(k, ' ');
		if (sp != NULL) {
			/* surname, a space, the first kana of the given name */
			char *q = sp + 1;
			int n = *q ? utf8_decode(q, strlen(q), &(uint32_t){0}) : 0;
			q[n > 0 ? n : 0] = '\0';
			*sp = '\0';
			to_hiragana(k, s[j].surname, sizeof(s[j].surname));
			*sp = ' ';
		} else
			to_hiragana(k, s[j].surname, sizeof(s[j].surname));
		to_hiragana(k, s[j].kana, sizeof(s[j].kana));
		date_from_ymd(r.p.birth, &d);
		if (date_format_wareki_short(&d, s[j].birth, sizeof(s[j].birth)) < 0)
			date_format_iso(&d, s[j].birth, sizeof(s[j].birth));
		memcpy(s[j].atena, r.p.atena, sizeof(s[j].atena));
		j++;
	}
	synth_free(g);
	return (int)j;
}

enum kind { K_KANA, K_SURNAME, K_BIRTH, K_COMBINED, K_OPEN, K_N };

static const char *const kind_name[K_N] = {
	"kana prefix (surname + 1)", "kana prefix (surname only)",
	"birth date (typed as S60.4.12)", "kana + birth combined", "open the record"
};

int
main(int argc, char **argv)
{
	const char *env = getenv("BENCH_N");
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : env ? strtoul(env, NULL, 10) : 1000000;
	const char *base = argc > 2 ? argv[2] : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	size_t reps = n >= 100000 ? 200 : 100;
	char dir[1024], cmd[1200];
	struct sample *s;
	struct store *st;
	struct lookup_freshness fresh;
	double *t[K_N], rows[K_N] = { 0 }, t0, load_s;
	struct err e;
	int ns;

	err_clear(&e);
	if (n == 0)
		n = 1000000;
	snprintf(dir, sizeof(dir), "%s/mdg-bench-lookup-%d", base, (int)getpid());
	if ((s = calloc(reps, sizeof(*s))) == NULL)
		return 1;
	for (int k = 0; k < K_N; k++)
		if ((t[k] = calloc(reps, sizeof(double))) == NULL)
			return 1;
	printf("lookup latency through lookup_search()/lookup_open() on %zu residents "
	    "in the encrypted store\n", n);
	t0 = now_ms();
	if (store_create(dir, "admin", PW, &e) != 0 ||
	    store_open(dir, "admin", PW, &st, &e) != 0) {
		fprintf(stderr, "bench_lookup: %s\n", e.msg);
		return 1;
	}
	if (store_synth_load(st, SEED, n, &e) != 0) {
		fprintf(stderr, "bench_lookup: load: %s\n", e.msg);
		return 1;
	}
	load_s = (now_ms() - t0) / 1e3;
	printf("  load: %.1f s (%.0f residents/s)\n", load_s, n / load_s);
	ns = samples_make(n, reps, s);
	lookup_freshness(st, (long)time(NULL), 900, 0, &fresh, NULL);
	for (int i = 0; i < ns; i++) {
		for (int k = 0; k < K_N; k++) {
			struct lookup_criteria c;
			struct lookup_result r;
			struct person_detail d;
			double a;
			int rc = 0;

			memset(&c, 0, sizeof(c));
			a = now_ms();
			switch (k) {
			case K_KANA:
				rc = lookup_criteria_set(&c, LF_KANA, s[i].kana, NULL, &e);
				break;
			case K_SURNAME:
				rc = lookup_criteria_set(&c, LF_KANA, s[i].surname, NULL, &e);
				break;
			case K_BIRTH:
				rc = lookup_criteria_set(&c, LF_BIRTH, s[i].birth, NULL, &e);
				break;
			case K_COMBINED:
				rc = lookup_criteria_set(&c, LF_KANA, s[i].surname, NULL, &e);
				if (rc == 0)
					rc = lookup_criteria_set(&c, LF_BIRTH, s[i].birth, NULL, &e);
				break;
			default:
				break;
			}
			if (k == K_OPEN) {
				rc = lookup_open(st, s[i].atena, 1, &fresh, &d, &e);
				if (rc == 0) {
					rows[k] += 1;
					person_detail_free(&d);
				}
			} else if (rc == 0 && (rc = lookup_search(st, &c, 0, &fresh, &r, &e)) == 0) {
				rows[k] += (double)r.list.n;
				lookup_result_free(&r);
			}
			t[k][i] = now_ms() - a;
			if (rc != 0) {
				fprintf(stderr, "bench_lookup: %s: %s\n", kind_name[k], e.msg);
				return 1;
			}
		}
	}
	printf("  %-30s %9s %9s %9s %11s\n", "search (as typed)", "p50 ms", "p95 ms",
	    "max ms", "rows/query");
	for (int k = 0; k < K_N; k++) {
		qsort(t[k], (size_t)ns, sizeof(double), cmp_d);
		printf("  %-30s %9.2f %9.2f %9.2f %11.1f\n", kind_name[k],
		    t[k][ns / 2], t[k][(ns * 95) / 100 < ns ? (ns * 95) / 100 : ns - 1],
		    t[k][ns - 1], rows[k] / ns);
		free(t[k]);
	}
	printf("  (%d queries of each kind; every search and opening writes its audit row)\n", ns);
	store_close(st);
	free(s);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_lookup: could not remove %s\n", dir);
	return 0;
}
