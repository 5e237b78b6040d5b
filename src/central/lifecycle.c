/*
 * lifecycle.c — the central's side of the local copies' lifecycle (issue
 * 13): the purge records terminals report at sync (RET-2), listed per
 * terminal by `madoguchi-central report purges [ID]`.
 *
 * A purge record arrives as a pushed item of kind ITEM_PURGE (protocol
 * version 3) and is kept in `received` like every pushed item, so the
 * central holds it exactly once per terminal and UUID.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "central-int.h"
#include "store.h"

int
central_purge_report(struct central *c, const char *terminal, FILE *out,
    struct err *e)
{
	sqlite3_stmt *st;
	int r, n = 0;

	if ((r = central_prepare(c->db, "SELECT terminal,"
	    " json_extract(body, '$.at'), json_extract(body, '$.who'),"
	    " json_extract(body, '$.category'), json_extract(body, '$.how'),"
	    " json_extract(body, '$.count'), coalesce(json_extract(body, '$.oldest'), ''),"
	    " coalesce(json_extract(body, '$.newest'), ''),"
	    " coalesce(json_extract(body, '$.ids'), ''), received_at"
	    " FROM received WHERE kind = ?2 AND json_valid(body) AND"
	    " (?1 IS NULL OR terminal = ?1) ORDER BY terminal, seq", &st, e)) != 0)
		return r;
	if (terminal != NULL)
		sqlite3_bind_text(st, 1, terminal, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, ITEM_PURGE);
	fprintf(out, "%-16s %-25s %-12s %-16s %-9s %7s %-10s %-10s %s\n", "TERMINAL",
	    "AT", "WHO", "CATEGORY", "HOW", "COUNT", "OLDEST", "NEWEST", "IDS");
	while (sqlite3_step(st) == SQLITE_ROW) {
		char f[9][512];

		/* what a terminal sent: never raw controls on the operator's
		 * terminal */
		for (int i = 0; i < 9; i++)
			text_visible(sqlite3_column_text(st, i) != NULL ?
			    (const char *)sqlite3_column_text(st, i) : "", f[i], sizeof(f[i]));
		fprintf(out, "%-16s %-25s %-12s %-16s %-9s %7s %-10s %-10s %s\n",
		    f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8]);
		n++;
	}
	sqlite3_finalize(st);
	fprintf(out, "# %d purge record(s)\n", n);
	return 0;
}

/* ------------------------------------------------------------- backups */

/*
 * `backup --to DIR [--keep N]`: an online, consistent copy of the central
 * database through SQLite's backup API into DIR/central-YYYYMMDDTHHMMSSZ.db,
 * written through the encrypting VFS under the same database key (nothing
 * is plaintext on disk at any moment), checkpointed so the copy is one
 * file, then a manifest beside it (DIR/…db.manifest: file, size,
 * BLAKE2b-256 of the file, time, schema version).  Rotation keeps the
 * newest N copies and removes the older ones oldest first (RET-3).
 * `restore --from FILE` checks the manifest's size and checksum, opens the
 * copy with the key and runs SQLite's integrity check before it replaces
 * anything; then it copies it through the VFS into central.db.restore and
 * renames that over central.db (the server must be stopped).  The backups
 * are as safe as central.key is apart from them: keep them on separate
 * media (KOBE).
 */
#define BACKUP_PREFIX "central-"
#define BACKUP_SUFFIX ".db"
#define MANIFEST_SUFFIX ".manifest"

static int
file_hash(const char *path, uint8_t out[32], int64_t *size, struct err *e)
{
	crypto_generichash_state h;
	uint8_t buf[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
	*size = 0;
	crypto_generichash_init(&h, NULL, 0, 32);
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		crypto_generichash_update(&h, buf, (size_t)n);
		*size += n;
	}
	close(fd);
	if (n < 0)
		return err_set(e, ERR_IO, "%s: read error", path);
	crypto_generichash_final(&h, out, 32);
	return 0;
}

/* Copy src (main) into a new encrypted database at path, one consistent
 * snapshot, then checkpoint so everything is in the one file. */
static int
copy_db(sqlite3 *src, const char *path, const uint8_t *key, struct err *e)
{
	sqlite3 *dst = NULL;
	sqlite3_backup *b;
	int r, rc;

	if ((r = store_db_open_key(path, key, &dst, e)) != 0)
		return r;
	if ((b = sqlite3_backup_init(dst, "main", src, "main")) == NULL) {
		r = err_set(e, ERR_IO, "backup: %s", sqlite3_errmsg(dst));
		sqlite3_close(dst);
		return r;
	}
	/* Page by page, the source locked only between steps (online). */
	while ((rc = sqlite3_backup_step(b, 256)) == SQLITE_OK ||
	    rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		if (rc != SQLITE_OK)
			sqlite3_sleep(20);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		r = err_set(e, ERR_IO, "backup: %s", sqlite3_errstr(rc));
		sqlite3_close(dst);
		return r;
	}
	if (sqlite3_exec(dst, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL) != SQLITE_OK) {
		r = err_set(e, ERR_IO, "backup checkpoint: %s", sqlite3_errmsg(dst));
		sqlite3_close(dst);
		return r;
	}
	sqlite3_close(dst);
	return 0;
}

static int
cmp_desc(const void *a, const void *b)
{
	return strcmp(*(char *const *)b, *(char *const *)a);
}

/* Keep the newest keep backups in dir; names sort by time. */
static int
rotate(const char *dir, int keep, FILE *out, struct err *e)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;

	if (d == NULL)
		return err_set(e, ERR_IO, "%s: %s", dir, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);

		if (strncmp(de->d_name, BACKUP_PREFIX, strlen(BACKUP_PREFIX)) != 0 ||
		    l < strlen(BACKUP_SUFFIX) ||
		    strcmp(de->d_name + l - strlen(BACKUP_SUFFIX), BACKUP_SUFFIX) != 0)
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap = cap ? cap * 2 : 16) * sizeof(*nn));

			if (nn == NULL)
				break;
			names = nn;
		}
		if ((names[n] = strdup(de->d_name)) != NULL)
			n++;
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), cmp_desc);
	for (size_t i = 0; i < n; i++) {
		if ((int)i >= keep) {
			char p[2200];

			snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
			unlink(p);
			snprintf(p, sizeof(p), "%s/%s" MANIFEST_SUFFIX, dir, names[i]);
			unlink(p);
			fprintf(out, "removed %s/%s (rotation, --keep %d)\n", dir, names[i], keep);
		}
		free(names[i]);
	}
	free(names);
	return 0;
}

int
central_backup(struct central *c, const char *dir, int keep, FILE *out,
    struct err *e)
{
	char name[64], path[2200], mpath[2300], tmp[2400], hex[65], now[32];
	uint8_t *key, hash[32];
	int64_t size = 0, t = mdg_now();
	struct tm tm;
	time_t tt = (time_t)t;
	FILE *f;
	int r, fd;

	if (keep < 1 || keep > 1000)
		return err_set(e, ERR_RANGE, "--keep must be 1 to 1000");
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return err_set(e, ERR_IO, "%s: %s", dir, strerror(errno));
	gmtime_r(&tt, &tm);
	strftime(name, sizeof(name), BACKUP_PREFIX "%Y%m%dT%H%M%SZ" BACKUP_SUFFIX, &tm);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(mpath, sizeof(mpath), "%s" MANIFEST_SUFFIX, path);
	if (access(path, F_OK) == 0)
		return err_set(e, ERR_EXISTS, "%s exists already", path);
	if ((key = store_key_alloc(e)) == NULL)
		return ERR_NOMEM;
	if ((r = central_key_read(c->dir, key, e)) == 0)
		r = copy_db(c->db, path, key, e);
	store_key_free(key);
	if (r == 0)
		r = file_hash(path, hash, &size, e);
	if (r != 0) {
		unlink(path);
		return r;
	}
	hex_encode(hash, 32, hex);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(tmp, sizeof(tmp), "%s.tmp", mpath);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0 ||
	    (f = fdopen(fd, "w")) == NULL) {
		if (fd >= 0)
			close(fd);
		unlink(path);
		return err_set(e, ERR_IO, "%s: %s", tmp, strerror(errno));
	}
	fprintf(f, "madoguchi-central backup 1\nfile %s\nsize %lld\nblake2b-256 %s\n"
	    "created %s\n", name, (long long)size, hex, now);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0 || fclose(f) != 0 ||
	    rename(tmp, mpath) != 0) {
		unlink(tmp);
		unlink(path);
		return err_set(e, ERR_IO, "%s: cannot write the manifest", mpath);
	}
	fprintf(out, "backup %s\nsize %lld\nblake2b-256 %s\n", path, (long long)size, hex);
	log_info("backup %s written (%lld bytes, blake2b-256 %s)", path, (long long)size, hex);
	return rotate(dir, keep, out, e);
}

/* The manifest of a backup file: its size and checksum must match. */
static int
manifest_check(const char *file, struct err *e)
{
	char mpath[2300], line[256], want_hex[65] = "", got_hex[65];
	long long want_size = -1;
	uint8_t hash[32];
	int64_t size;
	FILE *f;
	int r;

	snprintf(mpath, sizeof(mpath), "%s" MANIFEST_SUFFIX, file);
	if ((f = fopen(mpath, "re")) == NULL)
		return err_set(e, ERR_NOTFOUND, "%s: no manifest beside the backup", mpath);
	if (fgets(line, sizeof(line), f) == NULL ||
	    strcmp(line, "madoguchi-central backup 1\n") != 0) {
		fclose(f);
		return err_set(e, ERR_FORMAT, "%s: not a backup manifest", mpath);
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "size ", 5) == 0)
			want_size = atoll(line + 5);
		else if (strncmp(line, "blake2b-256 ", 12) == 0)
			snprintf(want_hex, sizeof(want_hex), "%.64s", line + 12);
	}
	fclose(f);
	if (want_size < 0 || strlen(want_hex) != 64)
		return err_set(e, ERR_FORMAT, "%s: incomplete manifest", mpath);
	if ((r = file_hash(file, hash, &size, e)) != 0)
		return r;
	hex_encode(hash, 32, got_hex);
	if (size != want_size || strcmp(got_hex, want_hex) != 0)
		return err_set(e, ERR_CORRUPT, "%s does not match its manifest (size or"
		    " checksum): damaged, refused", file);
	return 0;
}

int
central_restore(const char *dir, const char *file, FILE *out, struct err *e)
{
	char live[1200], tmp[1300], side[1300];
	sqlite3 *src = NULL;
	uint8_t *key;
	int r;

	if ((r = manifest_check(file, e)) != 0)
		return r;
	if ((key = store_key_alloc(e)) == NULL)
		return ERR_NOMEM;
	if ((r = central_key_read(dir, key, e)) != 0) {
		store_key_free(key);
		return r;
	}
	/* Decrypts with this store's key, every page authenticates, and the
	 * database is whole: before anything is replaced. */
	if ((r = store_db_open_key(file, key, &src, e)) != 0) {
		store_key_free(key);
		return err_prefix(e, "%s: ", file);
	}
	{
		sqlite3_stmt *q;
		int ok = 0;

		if (sqlite3_prepare_v2(src, "PRAGMA integrity_check", -1, &q, NULL) == SQLITE_OK) {
			ok = sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0) != NULL &&
			    strcmp((const char *)sqlite3_column_text(q, 0), "ok") == 0;
			sqlite3_finalize(q);
		}
		if (!ok) {
			sqlite3_close(src);
			store_key_free(key);
			return err_set(e, ERR_CORRUPT, "%s: integrity check failed: refused", file);
		}
	}
	snprintf(live, sizeof(live), "%s/" CENTRAL_DB_FILE, dir);
	snprintf(tmp, sizeof(tmp), "%s.restore", live);
	unlink(tmp);
	snprintf(side, sizeof(side), "%s.restore-wal", live);
	unlink(side);
	r = copy_db(src, tmp, key, e);
	sqlite3_close(src);
	store_key_free(key);
	if (r != 0) {
		unlink(tmp);
		return r;
	}
	/* The commit point: the restored file takes the live name; the live
	 * database's WAL and index belong to the old file. */
	snprintf(side, sizeof(side), "%s-wal", live);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", live);
	unlink(side);
	if (rename(tmp, live) != 0)
		return err_set(e, ERR_IO, "%s: %s", live, strerror(errno));
	log_info("restored %s from %s", live, file);
	fprintf(out, "restored %s from %s\n", live, file);
	return 0;
}

/* ------------------------------------------------------ erasure records */

/*
 * `terminal erasures [ID]`: the erasure records terminals sent before
 * their `wipe` (issue 13, データ消去証明書), each checked against the
 * terminal's enrolled audit-head key: "verified", "BAD SIGNATURE" or
 * "unsigned".  The record is shown as the terminal wrote it (control
 * characters escaped); it holds no personal data.
 */
int
central_erasure_list(struct central *c, const char *terminal, FILE *out,
    struct err *e)
{
	sqlite3_stmt *st;
	int r, n = 0;

	if ((r = central_prepare(c->db, "SELECT r.terminal, json_extract(r.body, '$.at'),"
	    " json_extract(r.body, '$.record'), json_extract(r.body, '$.sig'), t.sign_pub"
	    " FROM received r LEFT JOIN terminals t ON t.id = r.terminal WHERE"
	    " r.kind = ?2 AND json_valid(r.body) AND (?1 IS NULL OR r.terminal = ?1)"
	    " ORDER BY r.terminal, r.seq", &st, e)) != 0)
		return r;
	if (terminal != NULL)
		sqlite3_bind_text(st, 1, terminal, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, ITEM_ERASURE);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *rec = (const char *)sqlite3_column_text(st, 2);
		const char *sigx = (const char *)sqlite3_column_text(st, 3);
		uint8_t sig[64];
		const char *verdict = "unsigned";
		char buf[2048], tid[64], at[64];

		if (rec == NULL)
			rec = "";
		if (sigx != NULL && sigx[0] != '\0') {
			verdict = "BAD SIGNATURE";
			if (sqlite3_column_bytes(st, 4) == crypto_sign_PUBLICKEYBYTES &&
			    hex_decode(sigx, strlen(sigx), sig, 64) == 64 &&
			    crypto_sign_verify_detached(sig, (const uint8_t *)rec, strlen(rec),
			    sqlite3_column_blob(st, 4)) == 0)
				verdict = "verified";
		}
		text_visible((const char *)sqlite3_column_text(st, 0), tid, sizeof(tid));
		text_visible(sqlite3_column_text(st, 1) != NULL ?
		    (const char *)sqlite3_column_text(st, 1) : "", at, sizeof(at));
		fprintf(out, "== terminal %s, received %s: signature %s\n", tid, at, verdict);
		/* line by line, each made visible */
		for (const char *p = rec; *p != '\0';) {
			size_t l = strcspn(p, "\n");
			char line[512];

			snprintf(line, sizeof(line), "%.*s", (int)(l < 500 ? l : 500), p);
			text_visible(line, buf, sizeof(buf));
			fprintf(out, "  %s\n", buf);
			p += l + (p[l] == '\n');
		}
		n++;
	}
	sqlite3_finalize(st);
	fprintf(out, "# %d erasure record(s)\n", n);
	return 0;
}
