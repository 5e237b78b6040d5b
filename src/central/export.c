/*
 * export.c — `madoguchi-central export applications`: the applications the
 * terminals pushed, in the order received, for the core business systems.
 * The cursor is the central's receive sequence number: pass the last one
 * printed to get only what arrived since.
 */
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
#include "cms.h"

/* One CSV field, quoted when needed (RFC 4180). */
/* One cell through the shared guard (core text.c): controls visible, a
 * leading = + - @ tab or CR made text (issue 15 B). */
static void
csv_field(FILE *out, const char *s, int last)
{
	struct wbuf w;

	wbuf_init(&w, 0);
	csv_put_cell(&w, s);
	fputs(wbuf_str(&w), out);
	wbuf_free(&w);
	fputc(last ? '\n' : ',', out);
}

int
central_export_applications(struct central *c, int64_t since, int csv,
    FILE *out, int64_t *next, struct err *e)
{
	long n;

	return central_export_applications_n(c, since, csv, out, next, &n, e);
}

int
central_export_applications_n(struct central *c, int64_t since, int csv,
    FILE *out, int64_t *next, long *count, struct err *e)
{
	sqlite3_stmt *st;
	struct wbuf w;
	int r;

	*next = since;
	*count = 0;
	if ((r = central_prepare(c->db, "SELECT r.seq, r.uuid, r.terminal,"
	    " r.received_at, r.body, d.status, d.decided_at FROM received r"
	    " LEFT JOIN decisions d ON d.receipt_no = r.receipt_no AND d.terminal = r.terminal"
	    " WHERE r.kind = 1 AND r.seq > ? ORDER BY r.seq", &st, e)) != 0)
		return r;
	sqlite3_bind_int64(st, 1, since);
	if (csv)
		fprintf(out, "cursor,uuid,terminal,received_at,receipt_no,procedure,"
		    "atena,status,decision,decided_at,application\n");
	wbuf_init(&w, 0);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *body = (const char *)sqlite3_column_text(st, 4);
		const char *dec = (const char *)sqlite3_column_text(st, 5);
		const char *dat = (const char *)sqlite3_column_text(st, 6);
		char cur[32];

		*next = sqlite3_column_int64(st, 0);
		(*count)++;
		snprintf(cur, sizeof(cur), "%lld", (long long)*next);
		if (csv) {
			struct json *j = NULL;

			json_parse(body, strlen(body), &j, NULL);
			csv_field(out, cur, 0);
			csv_field(out, (const char *)sqlite3_column_text(st, 1), 0);
			csv_field(out, (const char *)sqlite3_column_text(st, 2), 0);
			csv_field(out, (const char *)sqlite3_column_text(st, 3), 0);
			csv_field(out, j ? json_get_str(j, "receipt_no") : "", 0);
			csv_field(out, j ? json_get_str(j, "procedure") : "", 0);
			csv_field(out, j ? json_get_str(j, "atena") : "", 0);
			csv_field(out, j ? json_get_str(j, "status") : "", 0);
			csv_field(out, dec, 0);
			csv_field(out, dat, 0);
			csv_field(out, body, 1);
			json_free(j);
			continue;
		}
		w.len = 0;
		wbuf_printf(&w, "{\"cursor\":%s,\"uuid\":", cur);
		json_put_str(&w, (const char *)sqlite3_column_text(st, 1),
		    (size_t)sqlite3_column_bytes(st, 1));
		wbuf_printf(&w, ",\"terminal\":");
		json_put_str(&w, (const char *)sqlite3_column_text(st, 2),
		    (size_t)sqlite3_column_bytes(st, 2));
		wbuf_printf(&w, ",\"received_at\":");
		json_put_str(&w, (const char *)sqlite3_column_text(st, 3),
		    (size_t)sqlite3_column_bytes(st, 3));
		if (dec != NULL) {
			wbuf_printf(&w, ",\"decision\":");
			json_put_str(&w, dec, strlen(dec));
			wbuf_printf(&w, ",\"decided_at\":");
			json_put_str(&w, dat, strlen(dat));
		}
		wbuf_printf(&w, ",\"application\":%s}\n", body);
		fwrite(w.p, 1, w.len, out);
	}
	wbuf_free(&w);
	sqlite3_finalize(st);
	if (r != SQLITE_DONE)
		return err_set(e, ERR_IO, "central db: %s", sqlite3_errmsg(c->db));
	return fflush(out) == 0 ? 0 : err_set(e, ERR_IO, "write failed");
}

/* ------------------------------------------------ protected export (16) */

/* A plain file name: no directory part, no leading dot, printable. */
static int
name_plain(const char *s)
{
	if (s[0] == '\0' || s[0] == '.' || strlen(s) > 200)
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p == '/' || *p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

/* [export] dir: absolute, a directory of ours, closed to group and others. */
static int
dir_check(const char *dir, struct err *e)
{
	struct stat st;

	if (dir[0] != '/')
		return err_set(e, ERR_PERM, "export refused: [export] dir is not set"
		    " (madoguchi-central.conf(5))");
	if (lstat(dir, &st) != 0)
		return err_set(e, ERR_IO, "[export] dir %s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077) != 0)
		return err_set(e, ERR_PERM, "export refused: [export] dir %s must be a directory"
		    " of this user closed to group and others (mode 0700)", dir);
	return 0;
}

static int
file_write_new(const char *dir, const char *name, const void *p, size_t n,
    char *path, size_t cap, struct err *e)
{
	int fd;

	if ((size_t)snprintf(path, cap, "%s/%s", dir, name) >= cap)
		return err_set(e, ERR_RANGE, "export path too long");
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0)
		return err_set(e, errno == EEXIST ? ERR_EXISTS : ERR_IO, "%s: %s", path,
		    strerror(errno));
	if (write(fd, p, n) != (ssize_t)n || fsync(fd) != 0) {
		int er = errno;
		close(fd);
		unlink(path);
		return err_set(e, ERR_IO, "%s: %s", path, strerror(er));
	}
	close(fd);
	return 0;
}

int
central_export_protected(struct central *c, const struct central_export_req *q,
    FILE *out, struct err *e)
{
	const char *dir = c->conf ? conf_str(c->conf, "export", "dir") : "";
	const char *rcpt = c->conf ? conf_str(c->conf, "export", "recipient") : "";
	int auth = c->conf ? strcmp(conf_str(c->conf, "export", "cms"), "enveloped") != 0 : 1;
	int plain_ok = c->conf ? conf_bool(c->conf, "export", "plaintext") : 0;
	char name[256], path[1400], fp[65] = "", why[256], sha[65], from[32], to[32], cnt[32];
	unsigned char *der = NULL, d[32];
	const unsigned char *file;
	size_t filelen, len = 0;
	char *buf = NULL;
	int64_t next;
	long count;
	FILE *mem;
	int r;

	/* Who and why first: nothing is read before both are known. */
	if (!c->actor_export)
		return err_set(e, ERR_PERM, "export refused: %s does not hold the export flag"
		    " (operator mod NAME --export yes, by another operator)",
		    c->actor[0] ? c->actor : "this actor");
	if (q->purpose == NULL || strlen(q->purpose) < 3)
		return err_set(e, ERR_INVAL, "export refused: --purpose REF (the written request"
		    " the export serves) is required");
	if (q->plaintext && !plain_ok)
		return err_set(e, ERR_PERM, "export refused: plaintext export is not allowed"
		    " ([export] plaintext = no)");
	if (q->to_stdout && !q->plaintext)
		return err_set(e, ERR_PERM, "export refused: standard output only for a plaintext"
		    " export (--plaintext, with [export] plaintext = yes)");
	if (!q->to_stdout && (r = dir_check(dir, e)) != 0)
		return r;
	if (!q->plaintext && rcpt[0] == '\0')
		return err_set(e, ERR_PERM, "export refused: [export] recipient (the receiving"
		    " system's certificate) is not set");
	if (q->output != NULL && !name_plain(q->output))
		return err_set(e, ERR_INVAL, "--output NAME: a file name inside [export] dir,"
		    " without a directory part");
	if (!q->plaintext && central_cms_fingerprint(rcpt, fp, why, sizeof(why)) != 0)
		return err_set(e, ERR_CRYPTO, "[export] recipient %s: %s", rcpt, why);
	/* The records, in memory only. */
	if ((mem = open_memstream(&buf, &len)) == NULL)
		return err_set(e, ERR_NOMEM, "out of memory");
	r = central_export_applications_n(c, q->since, q->csv, mem, &next, &count, e);
	fclose(mem);
	if (r != 0)
		goto done;
	if (q->plaintext) {
		file = (const unsigned char *)buf;
		filelen = len;
	} else {
		if (central_cms_seal(rcpt, buf, len, auth, &der, &filelen, why, sizeof(why)) != 0) {
			r = err_set(e, ERR_CRYPTO, "CMS encryption: %s", why);
			goto done;
		}
		file = der;
	}
	if (q->output != NULL)
		snprintf(name, sizeof(name), "%s", q->output);
	else {
		time_t t = (time_t)mdg_now();
		struct tm tm;
		char stamp[32];
		localtime_r(&t, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
		snprintf(name, sizeof(name), "applications-%s.%s", stamp,
		    q->plaintext ? (q->csv ? "csv" : "jsonl") : "p7m");
	}
	crypto_hash_sha256(d, file, filelen);
	hex_encode(d, 32, sha);
	if (q->to_stdout) {
		snprintf(path, sizeof(path), "(standard output)");
		if (fwrite(file, 1, filelen, out) != filelen || fflush(out) != 0) {
			r = err_set(e, ERR_IO, "write failed");
			goto done;
		}
	} else if ((r = file_write_new(dir, name, file, filelen, path, sizeof(path), e)) != 0)
		goto done;
	snprintf(from, sizeof(from), "%lld", (long long)q->since + 1);
	snprintf(to, sizeof(to), "%lld", (long long)next);
	snprintf(cnt, sizeof(cnt), "%ld", count);
	if ((r = central_audit_note(c, c->actor, "export", e, "what", "applications",
	    "purpose", q->purpose, "cursor_from", from, "cursor_to", to, "count", cnt,
	    "file", path, "sha256", sha, "recipient_sha256", q->plaintext ? "" : fp,
	    "cms", q->plaintext ? "none (plaintext)" : auth ? "auth-enveloped aes-256-gcm" :
	    "enveloped aes-256-cbc", "format", q->csv ? "csv" : "jsonl", NULL)) != 0)
		goto done;
	log_info("export applications by %s: %ld records, cursor %s..%s, %s", c->actor,
	    count, from, to, path);
	fprintf(stderr, "%ld applications (cursor %s to %s) written to %s\nsha256 %s\n"
	    "next cursor: %lld\n", count, from, to, path, sha, (long long)next);
done:
	if (buf != NULL) {
		sodium_memzero(buf, len);
		free(buf);
	}
	free(der);
	return r;
}
