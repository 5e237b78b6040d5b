/*
 * cmd-demo-data.c — `madoguchi demo-data --user ADMIN --password-stdin
 * [--count N] [--seed S]`: fill the store with synthetic residents of the
 * fictional 窓口市 (store.h, synth_*), for the demo and for training.  Only
 * an administrator may; the load is one audit row.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "store.h"

int
cmd_demo_data(struct app_opts *o, int argc, char **argv)
{
	struct app_store_args a = { NULL, NULL, 0 };
	struct store *st;
	long long count = 1000;
	unsigned long long seed = 1;
	char detail[96];
	struct err e;
	int r;

	err_clear(&e);
	for (int i = 1; i < argc; i++) {
		if (app_store_opt(&a, argc, argv, &i))
			continue;
		if (strcmp(argv[i], "--count") == 0 && i + 1 < argc)
			count = atoll(argv[++i]);
		else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 10);
		else
			count = -1;
	}
	if (count <= 0 || count > 10000000) {
		fprintf(stderr, "usage: madoguchi demo-data --user ADMIN [--password-stdin] "
		    "[--store DIR] [--count N] [--seed S]\n");
		return 2;
	}
	if ((r = app_store_login(o, &a, "demo-data", &st)) != 0)
		return r;
	if (store_user(st)->role != ROLE_ADMIN) {
		fprintf(stderr, "madoguchi demo-data: 管理者の権限が必要です\n");
		store_close(st);
		return 1;
	}
	snprintf(detail, sizeof(detail), "synthetic residents: %lld, seed %llu",
	    count, seed);
	if (store_synth_load(st, seed, (size_t)count, &e) != 0 ||
	    store_audit_append(st, NULL, NULL, "demo.load", NULL, "cli", detail, &e) != 0) {
		app_store_error("demo-data", &e);
		store_close(st);
		return 1;
	}
	store_close(st);
	printf("loaded %lld synthetic residents (seed %llu)\n", count, seed);
	return 0;
}
