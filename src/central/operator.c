/*
 * operator.c — the central's operators (issue 16; AC-1, AC-5, AC-6, LOG-1):
 * named accounts of the central itself, never synced to a terminal (they
 * live in table `operators`, which no change feed reads).  Each has a
 * password (Argon2id, crypto_pwhash_str) and a TOTP second factor
 * (include/totp.h); the `export` flag allows `export applications`.
 *
 * A command that reads or changes personal data or accounts logs an
 * operator in first (central_operator_login): the password line then the
 * code line on standard input with --password-stdin, else both asked on the
 * terminal.  Five wrong logins in a row lock the operator until another
 * operator unlocks it (`operator mod NAME --unlock`).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "central.h"
#include "central-int.h"
#include "totp.h"

#define LINE_MAX_PW 1024
#define LOCK_AFTER 5

/* One line of f (without its end) into buf (sodium_malloc'd by the
 * caller).  ERR_FORMAT at end of input or a line too long. */
static int
line_read(FILE *f, char *buf, size_t cap, struct err *e)
{
	size_t n = 0;
	int ch;

	while ((ch = fgetc(f)) != EOF && ch != '\n') {
		if (n + 1 >= cap) {
			while ((ch = fgetc(f)) != EOF && ch != '\n')
				;
			return err_set(e, ERR_FORMAT, "input line too long");
		}
		buf[n++] = (char)ch;
	}
	if (ch == EOF && n == 0)
		return err_set(e, ERR_FORMAT, "standard input ended before the password and code");
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	return 0;
}

/* Ask on the terminal (no echo for the password). */
static int
tty_read(const char *prompt, int echo, char *buf, size_t cap, struct err *e)
{
	struct termios old, raw;
	FILE *tty;
	int r, fd;

	if ((fd = open("/dev/tty", O_RDWR | O_CLOEXEC)) < 0 ||
	    (tty = fdopen(fd, "r+")) == NULL) {
		if (fd >= 0)
			close(fd);
		return err_set(e, ERR_AUTH, "no terminal to ask for the %s on (use --password-stdin)",
		    prompt);
	}
	fprintf(tty, "%s: ", prompt);
	fflush(tty);
	tcgetattr(fd, &old);
	raw = old;
	if (!echo) {
		raw.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(fd, TCSAFLUSH, &raw);
	}
	r = line_read(tty, buf, cap, e);
	if (!echo) {
		tcsetattr(fd, TCSAFLUSH, &old);
		fputc('\n', tty);
	}
	fclose(tty);
	return r;
}

int
central_secret_read(const char *prompt, int from_stdin, int echo, char *buf,
    size_t cap, struct err *e)
{
	if (from_stdin)
		return line_read(stdin, buf, cap, e);
	return tty_read(prompt, echo, buf, cap, e);
}

int
central_operator_count(struct central *c, struct err *e)
{
	sqlite3_stmt *st;
	int n, r;

	if ((r = central_prepare(c->db, "SELECT count(*) FROM operators", &st, e)) != 0)
		return r;
	n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
	sqlite3_finalize(st);
	return n < 0 ? err_set(e, ERR_IO, "central db: %s", sqlite3_errmsg(c->db)) : n;
}

/* Insert an operator with a password and a fresh TOTP secret; the secret's
 * URI and QR code are printed to out (the one time it is shown). */
static int
operator_insert(struct central *c, const char *name, const char *display,
    int export_flag, const char *password, FILE *out, struct err *e)
{
	uint8_t secret[TOTP_SECRET_LEN];
	char hash[crypto_pwhash_STRBYTES], uri[512], b32[TOTP_B32_MAX], at[32];
	char *qr = NULL;
	sqlite3_stmt *st;
	int r, cols, rows;

	if (!central_account_name_ok(name))
		return err_set(e, ERR_INVAL, "operator name must be 1 to 63 letters, digits, - or _");
	if ((r = central_name_individual(name, "operator name", e)) != 0 ||
	    (r = central_name_individual(display, "display name", e)) != 0)
		return r;
	if (strlen(password) < 10)
		return err_set(e, ERR_INVAL, "the password must be at least 10 characters");
	if (crypto_pwhash_str(hash, password, strlen(password),
	    crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return err_set(e, ERR_NOMEM, "out of memory (Argon2id)");
	if ((r = totp_secret_new(secret, e)) != 0)
		return r;
	central_now(at);
	if ((r = central_prepare(c->db, "INSERT INTO operators (name, display, role, export,"
	    " pwhash, totp_secret, created_at) VALUES (?, ?, 'admin', ?, ?, ?, ?)", &st, e)) != 0)
		goto out;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, display, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, export_flag);
	sqlite3_bind_text(st, 4, hash, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 5, secret, sizeof(secret), SQLITE_STATIC);
	sqlite3_bind_text(st, 6, at, -1, SQLITE_STATIC);
	r = sqlite3_step(st);
	sqlite3_finalize(st);
	if (r == SQLITE_CONSTRAINT) {
		r = err_set(e, ERR_EXISTS, "operator %s already exists", name);
		goto out;
	}
	if (r != SQLITE_DONE) {
		r = err_set(e, ERR_IO, "central db: %s", sqlite3_errmsg(c->db));
		goto out;
	}
	if ((r = totp_base32(secret, b32, e)) != 0 ||
	    (r = totp_uri(secret, "madoguchi-central", name, uri, sizeof(uri), e)) != 0)
		goto out;
	fprintf(out, "operator %s: second factor (TOTP), shown this once:\n"
	    "secret: %s\n%s\n", name, b32, uri);
	if (totp_qr_text(uri, &qr, &cols, &rows, e) == 0) {
		fputs(qr, out);
		sodium_memzero(qr, strlen(qr));
		free(qr);
	}
	err_clear(e);
	r = 0;
out:
	sodium_memzero(secret, sizeof(secret));
	sodium_memzero(b32, sizeof(b32));
	sodium_memzero(uri, sizeof(uri));
	sodium_memzero(hash, sizeof(hash));
	return r;
}

/* A new password from stdin (one line) or the terminal (twice). */
static char *
password_new(int from_stdin, struct err *e)
{
	char *pw = sodium_malloc(LINE_MAX_PW), *again = NULL;

	if (pw == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		return NULL;
	}
	if (central_secret_read("new operator password", from_stdin, 0, pw, LINE_MAX_PW, e) != 0)
		goto bad;
	if (!from_stdin) {
		if ((again = sodium_malloc(LINE_MAX_PW)) == NULL ||
		    central_secret_read("again", 0, 0, again, LINE_MAX_PW, e) != 0)
			goto bad;
		if (strcmp(pw, again) != 0) {
			err_set(e, ERR_INVAL, "the passwords differ");
			goto bad;
		}
		sodium_free(again);
	}
	return pw;
bad:
	sodium_free(pw);
	if (again != NULL)
		sodium_free(again);
	return NULL;
}

int
central_operator_first(struct central *c, const char *name, const char *display,
    int from_stdin, FILE *out, struct err *e)
{
	char *pw;
	int r;

	if ((pw = password_new(from_stdin, e)) == NULL)
		return e->code;
	r = operator_insert(c, name, display, 1, pw, out, e);
	sodium_free(pw);
	if (r == 0)
		r = central_audit_note(c, name, "operator-add", e, "operator", name,
		    "first", "yes", "export", "yes", NULL);
	return r;
}

int
central_operator_login(struct central *c, const char *name, int from_stdin,
    struct central_actor *who, struct err *e)
{
	char *pw = NULL, *code = NULL, hash[crypto_pwhash_STRBYTES];
	uint8_t secret[TOTP_SECRET_LEN];
	int64_t last;
	sqlite3_stmt *st;
	int r, failures, disabled, ok;

	memset(who, 0, sizeof(*who));
	if (name == NULL)
		return err_set(e, ERR_AUTH, "this command needs an operator: --operator NAME"
		    " (the password, then the code of the second factor)");
	if (strlen(name) >= sizeof(who->name))
		return err_set(e, ERR_AUTH, "operator name too long");
	pw = sodium_malloc(LINE_MAX_PW);
	code = sodium_malloc(64);
	if (pw == NULL || code == NULL) {
		r = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((r = central_secret_read("operator password", from_stdin, 0, pw, LINE_MAX_PW, e)) != 0 ||
	    (r = central_secret_read("code (second factor)", from_stdin, 1, code, 64, e)) != 0)
		goto out;
	if ((r = central_prepare(c->db, "SELECT pwhash, totp_secret, totp_last, failures,"
	    " disabled, export FROM operators WHERE name = ?", &st, e)) != 0)
		goto out;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW ||
	    sqlite3_column_bytes(st, 1) != TOTP_SECRET_LEN ||
	    sqlite3_column_bytes(st, 0) >= (int)sizeof(hash)) {
		sqlite3_finalize(st);
		/* Same message as a wrong password: names are not probed. */
		r = err_set(e, ERR_AUTH, "operator login refused: wrong name, password or code");
		goto out;
	}
	snprintf(hash, sizeof(hash), "%s", (const char *)sqlite3_column_text(st, 0));
	memcpy(secret, sqlite3_column_blob(st, 1), TOTP_SECRET_LEN);
	last = sqlite3_column_int64(st, 2);
	failures = sqlite3_column_int(st, 3);
	disabled = sqlite3_column_int(st, 4);
	who->export_flag = sqlite3_column_int(st, 5);
	sqlite3_finalize(st);
	if (disabled) {
		r = err_set(e, ERR_AUTH, "operator %s is disabled", name);
		goto out;
	}
	if (failures >= LOCK_AFTER) {
		r = err_set(e, ERR_AUTH, "operator %s is locked after %d failed logins;"
		    " another operator unlocks it (operator mod %s --unlock)", name, failures, name);
		goto out;
	}
	ok = crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
	if (ok) {
		struct err te;
		err_clear(&te);
		ok = totp_verify(secret, code, mdg_now(), &last, &te) == 0;
		if (!ok && strstr(te.msg, "already used") != NULL) {
			r = err_set(e, ERR_AUTH, "operator login refused: code already used"
			    " (wait for the next one)");
			goto fail;
		}
	}
	if (!ok) {
		r = err_set(e, ERR_AUTH, "operator login refused: wrong name, password or code");
		goto fail;
	}
	if ((r = central_prepare(c->db, "UPDATE operators SET failures = 0, totp_last = ?"
	    " WHERE name = ?", &st, e)) != 0)
		goto out;
	sqlite3_bind_int64(st, 1, last);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	r = sqlite3_step(st) == SQLITE_DONE ? 0 :
	    err_set(e, ERR_IO, "central db: %s", sqlite3_errmsg(c->db));
	sqlite3_finalize(st);
	if (r == 0)
		snprintf(who->name, sizeof(who->name), "%s", name);
	goto out;
fail:
	if (central_prepare(c->db, "UPDATE operators SET failures = failures + 1 WHERE name = ?",
	    &st, e) == 0) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		sqlite3_step(st);
		sqlite3_finalize(st);
	}
	{
		struct err ae;
		err_clear(&ae);
		central_audit_note(c, name, "login-failed", &ae, NULL);
	}
	log_warn("operator %s: login refused", name);
out:
	sodium_memzero(secret, sizeof(secret));
	sodium_memzero(hash, sizeof(hash));
	if (pw != NULL)
		sodium_free(pw);
	if (code != NULL)
		sodium_free(code);
	return r;
}

static int
operator_list(struct central *c, FILE *out, struct err *e)
{
	sqlite3_stmt *st;
	int r;

	if ((r = central_prepare(c->db, "SELECT name, display, role, export, failures, disabled,"
	    " created_at FROM operators ORDER BY name", &st, e)) != 0)
		return r;
	fprintf(out, "%-16s %-20s %-6s %-6s %s\n", "NAME", "DISPLAY", "ROLE", "EXPORT", "STATE");
	while (sqlite3_step(st) == SQLITE_ROW) {
		char name[200], disp[300];
		text_visible((const char *)sqlite3_column_text(st, 0), name, sizeof(name));
		text_visible((const char *)sqlite3_column_text(st, 1), disp, sizeof(disp));
		fprintf(out, "%-16s %-20s %-6s %-6s %s\n", name, disp,
		    (const char *)sqlite3_column_text(st, 2),
		    sqlite3_column_int(st, 3) ? "yes" : "no",
		    sqlite3_column_int(st, 5) ? "disabled" :
		    sqlite3_column_int(st, 4) >= LOCK_AFTER ? "locked" : "active");
	}
	sqlite3_finalize(st);
	return 0;
}

static int
operator_update(struct central *c, const char *sql, const char *name, struct err *e)
{
	sqlite3_stmt *st;
	int r;

	if ((r = central_prepare(c->db, sql, &st, e)) != 0)
		return r;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	r = sqlite3_step(st) == SQLITE_DONE ? 0 :
	    err_set(e, ERR_IO, "central db: %s", sqlite3_errmsg(c->db));
	sqlite3_finalize(st);
	if (r == 0 && sqlite3_changes(c->db) == 0)
		r = err_set(e, ERR_NOTFOUND, "no operator %s", name);
	return r;
}

int
central_operator_cmd(struct central *c, const struct central_actor *who,
    int argc, char **argv, int from_stdin, FILE *out, struct err *e)
{
	const char *verb = argc > 0 ? argv[0] : "", *name = argc > 1 ? argv[1] : NULL;
	const char *display = NULL;
	int export_flag = -1, unlock = 0, disable = 0, r;

	if (strcmp(verb, "list") == 0 && argc == 1)
		return operator_list(c, out, e);
	if (name == NULL)
		return err_set(e, ERR_INVAL, "operator %s NAME", verb);
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--display") == 0 && i + 1 < argc)
			display = argv[++i];
		else if (strcmp(argv[i], "--export") == 0 && i + 1 < argc) {
			i++;
			if (strcmp(argv[i], "yes") == 0)
				export_flag = 1;
			else if (strcmp(argv[i], "no") == 0)
				export_flag = 0;
			else
				return err_set(e, ERR_INVAL, "--export yes|no");
		} else if (strcmp(argv[i], "--unlock") == 0)
			unlock = 1;
		else if (strcmp(argv[i], "--disable") == 0)
			disable = 1;
		else
			return err_set(e, ERR_INVAL, "operator: unknown option %s", argv[i]);
	}
	if (strcmp(verb, "add") == 0) {
		char *pw;
		if (display == NULL || unlock || disable)
			return err_set(e, ERR_INVAL, "operator add NAME --display D [--export yes|no]");
		/* The operator's own password follows the login's two lines. */
		if ((pw = password_new(from_stdin, e)) == NULL)
			return e->code;
		r = operator_insert(c, name, display, export_flag == 1, pw, out, e);
		sodium_free(pw);
		if (r == 0)
			r = central_audit_note(c, who->name, "operator-add", e, "operator", name,
			    "export", export_flag == 1 ? "yes" : "no", NULL);
		return r;
	}
	if (strcmp(verb, "mod") == 0) {
		if (export_flag < 0 && !unlock && !disable)
			return err_set(e, ERR_INVAL, "operator mod NAME --export yes|no | --unlock | --disable");
		if (strcmp(name, who->name) == 0 && export_flag == 1)
			return err_set(e, ERR_PERM, "an operator cannot give itself the export flag");
		if (export_flag >= 0 && (r = operator_update(c, export_flag ?
		    "UPDATE operators SET export = 1 WHERE name = ?" :
		    "UPDATE operators SET export = 0 WHERE name = ?", name, e)) != 0)
			return r;
		if (unlock && (r = operator_update(c,
		    "UPDATE operators SET failures = 0 WHERE name = ?", name, e)) != 0)
			return r;
		if (disable && (r = operator_update(c,
		    "UPDATE operators SET disabled = 1 WHERE name = ?", name, e)) != 0)
			return r;
		return central_audit_note(c, who->name, "operator-mod", e, "operator", name,
		    "export", export_flag < 0 ? "unchanged" : export_flag ? "yes" : "no",
		    "unlock", unlock ? "yes" : "no", "disable", disable ? "yes" : "no", NULL);
	}
	return err_set(e, ERR_INVAL, "operator add|mod|list");
}
