/*
 * app.h — workflows and the command line of `madoguchi`: global options,
 * configuration, and the subcommand table (init, user, audit, card, sync, ...).
 *
 * Nothing here includes ncurses: the TUI lives in src/ui and is handed in
 * by main() as a function pointer, so that app depends only on core, store,
 * card and sync.
 */
#ifndef MDG_APP_H
#define MDG_APP_H

#include <stdio.h>

#include "core.h"

#define MDG_VERSION "0.1.0"
#define MDG_DEFAULT_CONFIG "/etc/madoguchi/madoguchi.conf"
#define MDG_DEFAULT_STORE "/var/lib/madoguchi"
/* The installed screens: the Makefile passes $(PREFIX)/share/madoguchi/screens
 * (/usr/share/madoguchi/screens in the Debian package). */
#ifndef MDG_SCREENS_DIR
#define MDG_SCREENS_DIR "/usr/local/share/madoguchi/screens"
#endif

/* What every subcommand gets: the global options and the loaded config. */
struct app_opts {
	const char *config_path;	/* --config, or NULL for the default */
	const char *store_dir;		/* --store, or [store] dir */
	struct conf *conf;		/* loaded, validated */
	const char *argv0;
};

struct app_cmd {
	const char *name;
	/* argc/argv start at the subcommand's own name.  Returns the exit
	 * status: 0 ok, 1 failure the user can act on, 2 usage. */
	int (*run)(struct app_opts *o, int argc, char **argv);
	const char *usage;		/* "init --store DIR --admin NAME" */
	const char *help;		/* one line */
	const char *subs;		/* its subcommands, "add mod ...", or NULL
					 * (for `madoguchi help --list`) */
};

/* The table, ended by a NULL name (src/app/commands.c). */
extern const struct app_cmd app_commands[];

/* The configuration schema of madoguchi.conf(5) (src/app/config.c). */
extern const struct conf_key app_conf_schema[];

/* Subcommands (one file each, src/app/cmd-*.c). */
int cmd_card(struct app_opts *o, int argc, char **argv);	/* cmd-card.c */
/* The issuer keys of [card] trust_anchors (none when the key is empty);
 * ERR_FORMAT "file:line: reason" for a bad line (config.c). */
struct card_anchors;
int app_card_anchors(const struct conf *cf, struct card_anchors *out, struct err *e);
int cmd_sync(struct app_opts *o, int argc, char **argv);	/* cmd-sync.c */
int cmd_enroll(struct app_opts *o, int argc, char **argv);	/* cmd-enroll.c */
/* Issue 14, AC-5: the TOTP second factor (second-factor.c).  sf_mode:
 * [terminal] second_factor; sf_enrolled: the logged-in account has a
 * secret; sf_verify: a code of it (replay refused, audited); sf_enrol: a
 * new secret for the logged-in account, its otpauth URI and QR text
 * (malloc'd, the caller wipes and frees them); sf_cli_check: after a
 * command-line login, the code (next line with --password-stdin), or the
 * refusal of an account not enrolled when required (enrolling = the
 * enrolment command itself). */
enum { SF_OFF = 0, SF_OPTIONAL = 1, SF_REQUIRED = 2 };
struct store;
int sf_mode(const struct conf *c);
int sf_mode_check(const struct conf *c, const char *path, struct err *e);
int sf_enrolled(struct store *st);
int sf_verify(struct store *st, const char *code, struct err *e);
int sf_enrol(struct store *st, const char *issuer, char **uri, char **qr,
    struct err *e);
int sf_cli_check(const struct app_opts *o, struct store *st, int pw_stdin,
    int enrolling, struct err *e);

/* Open the store as user, the password from standard input (pw_stdin) or
 * the terminal without echo (cmd-sync.c). */
int app_open_store_cli(struct app_opts *o, const char *user, int pw_stdin,
    struct store **st, struct err *e);

/* Background sync for the workstation (sync-bg.c): a round every
 * [sync] interval seconds on its own store connection, results posted to q
 * as EV_SYNC (and EV_MESSAGE when the line goes down or comes back).
 * app_sync_now on F5 and after every intake; never blocks. */
struct evq;
struct app_sync;
struct sync_status;
int app_sync_start(struct store *st, const struct conf *cf, struct evq *q,
    struct app_sync **out, struct err *e);
void app_sync_now(struct app_sync *a);
/* F5: a round now whose outcome, success or failure, is reported as an
 * EV_MESSAGE when it ends (also when the line stays down). */
void app_sync_request(struct app_sync *a);
void app_sync_status(struct app_sync *a, struct sync_status *out);
/* Stop (waits for a round in progress) and free; NULL is fine. */
void app_sync_stop(struct app_sync *a);

/* Parse global options, load the configuration, harden the process and run
 * a subcommand, or tui() when there is none.  Returns the exit status. */
int app_main(int argc, char **argv, int (*tui)(struct app_opts *o));

/* Load o->config_path (or the default when it exists) into o->conf. */
int app_conf_load(struct app_opts *o, struct err *e);

/* Read a password: from standard input (one line) when from_stdin, else
 * from the terminal without echo.  buf is wiped by the caller. */
/* Echo off on standard input for a secret; a signal (Ctrl-C ...) while it
 * is off restores the terminal before the default action.  -1 when
 * standard input is not a terminal.  app_tty_restore undoes it. */
int app_tty_noecho(void);
void app_tty_restore(void);
int app_read_password(const char *prompt, int from_stdin, char *buf,
    size_t cap, struct err *e);

/* --------------------------------------- store subcommands (store-login.c) */

struct store;

/* Options every store subcommand accepts. */
struct app_store_args {
	const char *store;	/* --store DIR (default: o->store_dir) */
	const char *user;	/* --user NAME */
	int pw_stdin;		/* --password-stdin */
};
/* Consume argv[*i] (and its value) when it is one of the options above:
 * returns 1, else 0. */
int app_store_opt(struct app_store_args *a, int argc, char **argv, int *i);
/* Ask for a password (terminal without echo, or a line of stdin) into
 * sodium_malloc memory; NULL with e set.  Free with app_password_free. */
char *app_password_new(const char *prompt, int from_stdin, struct err *e);
void app_password_free(char *pw);
/* Read a password and open the store as a->user; on failure print a clear
 * message and return the exit status (1, or 2 for usage). */
int app_store_login(struct app_opts *o, const struct app_store_args *a,
    const char *what, struct store **st);
/* "madoguchi WHAT: <Japanese> (<English>)" on stderr. */
void app_store_error(const char *what, const struct err *e);
/* --output NAME of a listing (issue 16): standard output becomes a new
 * owner-only file NAME inside [export] dir, recorded as an audit row;
 * name NULL does nothing.  0, or the exit status after a message. */
int app_output_to(struct app_opts *o, struct store *st, const char *what, const char *name);

/* The store subcommands (cmd-init.c, cmd-user.c, cmd-audit.c, cmd-wipe.c,
 * cmd-demo-data.c). */
int cmd_init(struct app_opts *o, int argc, char **argv);
int cmd_user(struct app_opts *o, int argc, char **argv);
int cmd_audit(struct app_opts *o, int argc, char **argv);
/* `audit person ID` (cmd-audit-person.c, LOG-3), reached through cmd_audit. */
int cmd_audit_person(struct app_opts *o, int argc, char **argv);
int cmd_wipe(struct app_opts *o, int argc, char **argv);
/* `purge [--dry-run]` and `clock confirm` (cmd-purge.c, issue 13). */
int cmd_purge(struct app_opts *o, int argc, char **argv);
int cmd_clock(struct app_opts *o, int argc, char **argv);
/* Once after an offline_max purge: say so (Japanese and English) on out. */
void app_offline_notice(struct store *st, FILE *out);
/* [retention] of madoguchi.conf as a purge policy (config.c). */
struct purge_policy;
void app_purge_policy(const struct conf *c, struct purge_policy *p);
/* Purge as the scheduled actor "system" on an open store (start-up and
 * daily in the screens): 0, or the error; logs what went. */
int app_purge_scheduled(struct store *st, const struct conf *c, struct err *e);
int cmd_demo_data(struct app_opts *o, int argc, char **argv);

/* Intake, review and the ledger (cmd-ledger.c, cmd-report.c, cmd-batch.c;
 * include/intake.h). */
int cmd_ledger(struct app_opts *o, int argc, char **argv);
int cmd_report(struct app_opts *o, int argc, char **argv);
int cmd_batch(struct app_opts *o, int argc, char **argv);

/* Reference data for the forms (refdata.c, issue 19): look-ups in st's
 * bank, branch and postal tables for "lookup" fields; NULL detaches. */
struct store;
void app_refdata_attach(struct store *st);
/* The address a 郵便番号 fills ("" when its 町域 differ in city): 0,
 * ERR_NOTFOUND, ERR_STATE (no postal data). */
int app_postal_address(struct store *st, const char *code, char *addr,
    size_t cap);

#endif
