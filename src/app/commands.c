/*
 * commands.c — `madoguchi [--config FILE] [--store DIR] [COMMAND ...]`:
 * global options and the subcommand table.  Each subcommand lives in its
 * own file (cmd-*.c) named after it.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "app.h"

static int cmd_help(struct app_opts *o, int argc, char **argv);
static int cmd_version(struct app_opts *o, int argc, char **argv);

/* A row that leaves subs out has no subcommands. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
const struct app_cmd app_commands[] = {
	{ "help", cmd_help, "help", "list the commands" },
	{ "version", cmd_version, "version", "print the version" },
	{ "card", cmd_card, "card status | card read [--pin-stdin | --b-stdin] [--jpki] [--json]",
	  "show readers and PIN tries; read the My Number card (個人番号 masked)",
	  "status read" },
	{ "sync", cmd_sync, "sync [log|queue|pending|approve ID|reject ID] --user NAME [--password-stdin]",
	  "one sync round with the central (or the sync log, confirmation queue, outbox)",
	  "log queue pending approve reject" },
	{ "enroll", cmd_enroll, "enroll --central HOST:PORT --central-key KEY --user ADMIN"
	  " [--password-stdin] [--token-stdin]",
	  "register this terminal with madoguchi-central (one-time token, asked or on stdin)" },
	{ "init", cmd_init, "init --store DIR --admin NAME --request REF [--password-stdin] [--terminal ID]",
	  "create the encrypted store and its first administrator" },
	{ "user", cmd_user, "user add|mod|passwd|disable|enable|unlock|revoke|list|log|totp|totp-reset --user NAME",
	  "manage accounts, permissions and passwords (see madoguchi(1))",
	  "add mod passwd disable enable unlock revoke list log totp totp-reset" },
	{ "audit", cmd_audit, "audit verify|list|person [ID] --user NAME [--password-stdin]",
	  "verify the audit hash chain, or list audit rows", "verify list person" },
	{ "purge", cmd_purge, "purge [--dry-run] --user NAME [--password-stdin]",
	  "purge what is past its retention period; mask numbers of finished applications" },
	{ "clock", cmd_clock, "clock confirm --user ADMIN [--password-stdin]",
	  "accept the present time after the clock went back (work is refused until then)",
	  "confirm" },
	{ "wipe", cmd_wipe, "wipe [--store DIR] [--confirm-stdin] [--user ADMIN [--record FILE]]",
	  "destroy the key slots: the store becomes unrecoverable" },
	{ "demo-data", cmd_demo_data, "demo-data --user ADMIN [--count N] [--seed S]",
	  "load synthetic residents of the fictional 窓口市" },
	{ "ledger", cmd_ledger, "ledger [list|show RECEIPT|status RECEIPT STATUS] --user NAME",
	  "the receipt ledger (受付簿): applications by status and date, history",
	  "list show status" },
	{ "report", cmd_report, "report overdue|inquiries --user NAME [--password-stdin]",
	  "overdue applications (未進達・未決定・未交付・返戻期限切れ), inquiry log",
	  "overdue inquiries" },
	{ "batch", cmd_batch, "batch list|show ID --user NAME [--password-stdin]",
	  "進達 batches and their transmittal lists", "list show" },
	{ NULL, NULL, NULL, NULL, NULL }
};
#pragma GCC diagnostic pop

static void
usage(FILE *f, const char *argv0)
{
	fprintf(f, "usage: %s [--config FILE] [--store DIR] [COMMAND [ARGS...]]\n"
	    "With no command, starts the counter workstation (TUI).\n\ncommands:\n",
	    argv0);
	for (const struct app_cmd *c = app_commands; c->name != NULL; c++)
		fprintf(f, "  %-44s %s\n", c->usage, c->help);
	fprintf(f, "\nSee madoguchi(1) and madoguchi.conf(5).\n");
}

static const struct app_cmd *
cmd_find(const char *name)
{
	for (const struct app_cmd *c = app_commands; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

/* One command's usage (GNU: --help on standard output, exit 0). */
static int
cmd_usage(const struct app_cmd *c)
{
	printf("usage: madoguchi [--config FILE] [--store DIR] %s\n%s\n"
	    "See madoguchi(1).\n", c->usage, c->help);
	return 0;
}

/* help: the command list; help COMMAND: its usage; help --list: every
 * command and subcommand, one a line (for scripts and tests). */
static int
cmd_help(struct app_opts *o, int argc, char **argv)
{
	const struct app_cmd *c;

	if (argc == 2 && strcmp(argv[1], "--list") == 0) {
		for (c = app_commands; c->name != NULL; c++) {
			const char *p = c->subs;

			printf("%s\n", c->name);
			while (p != NULL && *p != '\0') {
				size_t n = strcspn(p, " ");

				printf("%s %.*s\n", c->name, (int)n, p);
				p += n + (p[n] == ' ');
			}
		}
		return 0;
	}
	if (argc == 2 && (c = cmd_find(argv[1])) != NULL)
		return cmd_usage(c);
	if (argc > 1) {
		fprintf(stderr, "usage: madoguchi help [COMMAND | --list]\n");
		return 2;
	}
	usage(stdout, o->argv0);
	return 0;
}

static int
cmd_version(struct app_opts *o, int argc, char **argv)
{
	(void)o;
	if (argc > 1) {
		fprintf(stderr, "madoguchi: version takes no arguments (%s)\n", argv[1]);
		return 2;
	}
	printf("madoguchi %s\n", MDG_VERSION);
	return 0;
}

/* Echo off for a secret, with the terminal restored by a signal too: Ctrl-C
 * (or SIGTERM, SIGHUP, SIGQUIT) at the prompt must not leave the shell
 * without echo (issue 15).  The handler restores the saved settings, puts
 * the default action back and raises the signal again. */
static struct termios tty_saved;
static volatile sig_atomic_t tty_quiet;
static struct sigaction tty_oldact[4];
static const int tty_sigs[4] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

static void
tty_on_signal(int sig)
{
	if (tty_quiet) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &tty_saved);
		tty_quiet = 0;
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

int
app_tty_noecho(void)
{
	struct termios quiet;
	struct sigaction sa;

	if (tcgetattr(STDIN_FILENO, &tty_saved) != 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = tty_on_signal;
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < 4; i++)
		sigaction(tty_sigs[i], &sa, &tty_oldact[i]);
	quiet = tty_saved;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	tty_quiet = 1;
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	return 0;
}

void
app_tty_restore(void)
{
	if (!tty_quiet)
		return;
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &tty_saved);
	tty_quiet = 0;
	for (int i = 0; i < 4; i++)
		sigaction(tty_sigs[i], &tty_oldact[i], NULL);
}

int
app_read_password(const char *prompt, int from_stdin, char *buf, size_t cap,
    struct err *e)
{
	int tty = !from_stdin && isatty(STDIN_FILENO), got;
	size_t n;
	char ch;

	if (cap < 2)
		return err_set(e, ERR_INVAL, "password buffer too small");
	if (!from_stdin && !tty)
		return err_set(e, ERR_INVAL,
		    "no terminal to ask for the password on; use --password-stdin");
	if (tty) {
		fprintf(stderr, "%s", prompt);
		fflush(stderr);
		if (app_tty_noecho() != 0)
			return err_set(e, ERR_IO, "tcgetattr: %s", strerror(errno));
	}
	/* Byte by byte with read(2), not fgets: stdio would keep the password
	 * (and the next line, often a second password) in its own heap buffer,
	 * which nothing wipes (STYLE: secrets only in wiped memory). */
	for (n = 0, got = 0;; ) {
		ssize_t k = read(STDIN_FILENO, &ch, 1);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got = 1;	/* even an empty line is an answer */
		if (ch == '\n')
			break;
		if (ch == '\r')
			continue;
		if (n + 1 >= cap) {
			n = cap;	/* too long: reported below */
			continue;
		}
		buf[n++] = ch;
	}
	ch = 0;
	if (tty) {
		app_tty_restore();
		fputc('\n', stderr);
	}
	if (!got) {
		mem_wipe(buf, cap);
		return err_set(e, ERR_INVAL, "no password given");
	}
	if (n >= cap) {
		mem_wipe(buf, cap);
		return err_set(e, ERR_RANGE, "password too long");
	}
	buf[n] = '\0';
	return 0;
}

int
app_main(int argc, char **argv, int (*tui)(struct app_opts *o))
{
	const struct app_cmd *c;
	struct app_opts o;
	struct err e;
	int i, r;

	memset(&o, 0, sizeof(o));
	err_clear(&e);
	o.argv0 = argc > 0 ? argv[0] : "madoguchi";
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			o.config_path = argv[++i];
		else if (strcmp(argv[i], "--store") == 0 && i + 1 < argc)
			o.store_dir = argv[++i];
		else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout, o.argv0);
			return 0;
		} else if (strcmp(argv[i], "--version") == 0)
			return cmd_version(&o, 0, NULL);
		else {
			fprintf(stderr, "madoguchi: unknown option %s\n", argv[i]);
			usage(stderr, o.argv0);
			return 2;
		}
	}
	/* COMMAND ... --help: that command's usage, before anything is opened
	 * (a value that is literally "--help" would be taken for it too). */
	if (i < argc && (c = cmd_find(argv[i])) != NULL)
		for (int j = i + 1; j < argc; j++)
			if (strcmp(argv[j], "--help") == 0 || strcmp(argv[j], "-h") == 0)
				return cmd_usage(c);
	if (proc_harden(&e) != 0) {
		fprintf(stderr, "madoguchi: %s\n", e.msg);
		return 1;
	}
	if (app_conf_load(&o, &e) != 0) {
		fprintf(stderr, "madoguchi: %s\n", e.msg);
		conf_free(o.conf);
		return 1;
	}
	if (i == argc) {
		r = tui != NULL ? tui(&o) : 2;
		conf_free(o.conf);
		return r;
	}
	if ((c = cmd_find(argv[i])) != NULL) {
		r = c->run(&o, argc - i, argv + i);
		conf_free(o.conf);
		return r;
	}
	fprintf(stderr, "madoguchi: unknown command \"%s\"\n", argv[i]);
	usage(stderr, o.argv0);
	conf_free(o.conf);
	return 2;
}
