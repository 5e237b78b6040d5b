/*
 * bench_store_sqlcipher.c — the store workload on SQLCipher (Debian
 * libsqlcipher), for bench_store's comparison column.  libsqlcipher exports
 * the same symbols as libsqlite3, so this program is linked against it
 * instead (its own rule in the Makefile) and run by bench_store.
 *
 *   bench_store_sqlcipher N PATH
 *
 * SQLCipher 4 defaults (AES-256-CBC, HMAC-SHA512 per page) with a raw
 * 256-bit key, so no PBKDF2 runs; page size 4096 and the store's pragmas.
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
	struct wl_result r;
	char sql[128], hex[65];
	uint8_t key[32];
	size_t n;

	if (argc != 3)
		return 2;
	n = strtoul(argv[1], NULL, 10);
	if (rand_bytes(key, sizeof(key)) != 0)
		return 1;
	hex_encode(key, sizeof(key), hex);
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
	if (wl_run(db, SEED, n, &r) != 0)
		return 1;
	sqlite3_close(db);
	unlink(argv[2]);
	snprintf(sql, sizeof(sql), "%s-wal", argv[2]);
	unlink(sql);
	snprintf(sql, sizeof(sql), "%s-shm", argv[2]);
	unlink(sql);
	wl_print("sqlcipher", &r);
	return 0;
}
