/*
 * bench_store_sqlcipher.c — the store workload on SQLCipher (Debian
 * libsqlcipher), for bench_store's comparison column.  libsqlcipher exports
 * the same symbols as libsqlite3, so this program is linked against it
 * instead (its own rule in the Makefile) and driven by bench_store.
 *
 *   bench_store_sqlcipher N PATH
 *
 * Commands on standard input, one per line, each answered "OK" (or "ERR")
 * so that bench_store can interleave this backend with its own:
 *   load K     load the next K residents
 *   finish     checkpoint (end of the load)
 *   pass       one read pass
 *   quit       print the RESULT lines and exit
 *
 * SQLCipher defaults of the packaged version with a raw 256-bit key (no
 * PBKDF2), page size 4096 and the store's pragmas.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../store_workload.h"

#define SEED 20250401

int
main(int argc, char **argv)
{
	sqlite3 *db;
	struct wl_db w;
	struct wl_keys k;
	char sql[160], hex[65], line[64];
	uint8_t key[32];
	size_t n;
	int have_keys = 0;

	if (argc != 3)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	n = strtoul(argv[1], NULL, 10);
	if (rand_bytes(key, sizeof(key)) != 0)
		return 1;
	hex_encode(key, sizeof(key), hex);
	mem_wipe(key, sizeof(key));
	if (sqlite3_open(argv[2], &db) != SQLITE_OK)
		return 1;
	snprintf(sql, sizeof(sql), "PRAGMA key = \"x'%s'\"", hex);
	mem_wipe(hex, sizeof(hex));
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA cipher_page_size = 4096;"
	    "PRAGMA journal_mode = WAL; PRAGMA temp_store = MEMORY;"
	    "PRAGMA secure_delete = ON; PRAGMA foreign_keys = ON;"
	    "PRAGMA synchronous = FULL; PRAGMA cache_size = -" STORE_CACHE_KIB_STR,
	    NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "sqlcipher: %s\n", sqlite3_errmsg(db));
		return 1;
	}
	mem_wipe(sql, sizeof(sql));
	if (wl_begin(&w, db, SEED) != 0)
		return 1;
	while (fgets(line, sizeof(line), stdin) != NULL) {
		int ok = 0;

		if (strncmp(line, "load ", 5) == 0) {
			ok = wl_load_chunk(&w, strtoul(line + 5, NULL, 10)) == 0;
		} else if (strcmp(line, "finish\n") == 0) {
			ok = wl_load_finish(&w) == 0;
		} else if (strcmp(line, "pass\n") == 0) {
			if (!have_keys)
				have_keys = wl_keys_for(SEED, n, &k) == 0;
			ok = have_keys && wl_read_pass(&w, &k) == 0;
		} else if (strcmp(line, "quit\n") == 0) {
			break;
		}
		printf("%s\n", ok ? "OK" : "ERR");
	}
	if (have_keys)
		wl_keys_free(&k);
	sqlite3_close(db);
	unlink(argv[2]);
	snprintf(sql, sizeof(sql), "%s-wal", argv[2]);
	unlink(sql);
	snprintf(sql, sizeof(sql), "%s-shm", argv[2]);
	unlink(sql);
	wl_print("sqlcipher", &w.res);
	return 0;
}
