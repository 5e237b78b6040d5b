/*
 * main.c — `madoguchi-central`: the central sync server and its operator
 * commands (madoguchi-central(8)).
 *
 *   madoguchi-central [--store DIR] init
 *   madoguchi-central [--store DIR] key
 *   madoguchi-central [--store DIR] serve --listen ADDR:PORT [--max-conn N]
 *       [--max-handshakes N] [--max-handshakes-per-addr N]
 *       [--handshake-timeout SEC] [--max-message-mb N] [--memory-budget-mb N]
 *   madoguchi-central [--store DIR] import persons|eligibility|decisions|accounts FILE
 *   madoguchi-central [--store DIR] export applications [--since N] [--format jsonl|csv]
 *   madoguchi-central [--store DIR] terminal enrol ID [--wards L] [--procedures L]
 *   madoguchi-central [--store DIR] terminal revoke ID | terminal list
 *   madoguchi-central [--store DIR] terminal rejects [ID] | terminal release ID
 *   madoguchi-central [--store DIR] user add|mod|revoke|list|review|history ...
 *   madoguchi-central [--store DIR] report purges [ID]
 *   madoguchi-central [--store DIR] backup --to DIR [--keep N]
 *   madoguchi-central [--store DIR] restore --from FILE
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <pwd.h>
#include <unistd.h>

#include <sodium.h>

#include "central.h"
#include "core.h"
#include "sync.h"

#define DEFAULT_STORE "/var/lib/madoguchi-central"

/* Set by SIGTERM/SIGINT: the one piece of state a signal handler can
 * reach.  central_serve polls it. */
static volatile int stop_flag;

static void
on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

struct opts {
	const char *config;
	const char *purpose, *output;	/* export (issue 16) */
	const char *month, *date;	/* report access|daily */
	int plaintext;
	const char *operator;	/* --operator NAME (issue 16) */
	const char *actor;	/* --actor system: scheduled purge and backup */
	const char *admin, *display;	/* init --admin NAME --display D */
	int pw_stdin;		/* --password-stdin: password line, code line */
	const char *store;
	const char *listen;
	const char *since;
	const char *format;
	const char *wards;
	const char *procedures;
	const char *log;
	const char *count;
	const char *seed;
	const char *to;		/* backup --to DIR */
	const char *keep;	/* backup --keep N */
	const char *from;	/* restore --from FILE */
	int max_conn;
	struct central_serve_opts serve;
	char *pos[8];
	int npos;
	int rest;	/* `user`: argv index of its subcommand (own options) */
};

/* The commands and their subcommands (`help --list`, dispatch). */
static const struct {
	const char *name;
	const char *subs;	/* space-separated, or NULL */
} commands[] = {
	{ "help", NULL }, { "init", NULL }, { "key", NULL }, { "serve", NULL },
	{ "import", "persons eligibility decisions accounts holidays banks postal" },
	{ "report", "access daily purges" },
	{ "export", "applications" },
	{ "terminal", "enrol revoke list erasures" },
	{ "user", "add mod revoke list review history" },
	{ "operator", "add mod list" },
	{ "audit", "verify list person" },
	{ "demo-data", NULL },
	{ "backup", NULL }, { "restore", NULL },
	{ NULL, NULL }
};

static void
usage_to(FILE *f)
{
	fprintf(f,
	    "usage: madoguchi-central [--config FILE] [--store DIR] COMMAND ...\n"
	    "  init                                  create the central store and keys\n"
	    "  key                                   print the central public key\n"
	    "  serve --listen ADDR:PORT [--max-conn N] [--log FILE]\n"
	    "        [--max-handshakes N] [--max-handshakes-per-addr N]\n"
	    "        [--handshake-timeout SEC] [--max-message-mb N] [--memory-budget-mb N]\n"
	    "  import persons|eligibility|decisions|accounts|holidays FILE.csv\n"
	    "  import banks zengin-data.js|FILE.json   全銀 bank and branch codes\n"
	    "  import postal KEN_ALL.CSV            Japan Post's 郵便番号 data\n"
	    "  report access --month YYYY-MM [--format table|csv]   the monthly misuse review\n"
	    "  report daily --date YYYY-MM-DD        日報: counts per terminal, procedure, clerk\n"
	    "  export applications --purpose REF [--output NAME|-] [--plaintext]\n"
	    "        [--since CURSOR] [--format jsonl|csv]   into [export] dir, CMS-encrypted\n"
	    "  terminal enrol ID [--wards LIST] [--procedures LIST]\n"
	    "  terminal revoke ID\n"
	    "  terminal list\n"
	    "  terminal rejects [ID]                 items refused, with the reasons\n"
	    "  terminal erasures [ID]                signed erasure records of wiped terminals\n"
	    "  terminal release ID                   let a terminal held for a rollback in\n"
	    "  user add NAME --display D --role R [--perm PROC:LEVEL]... --request REF\n"
	    "  user mod NAME ... --request REF | user revoke NAME --request REF\n"
	    "  user list | user review [--format csv] | user history [NAME]\n"
	    "  demo-data [--count N] [--seed S]      load the fictional residents of 窓口市\n"
	    "  report purges [ID]                    purge records the terminals reported\n"
	    "  backup --to DIR [--keep N]            online encrypted copy + manifest, rotated\n"
	    "  restore --from FILE                   verify a backup, then replace the database\n"
	    "  operator add NAME --display D [--export yes|no] | operator list\n"
	    "  operator mod NAME [--export yes|no] [--unlock] [--disable]\n"
	    "  audit verify | audit list [--by OPERATOR] [--action A] [--since D] [--until D]\n"
	    "  audit person ATENA                    who saw or handled a resident, at any terminal\n"
	    "Commands that read or change personal data or accounts run as an operator:\n"
	    "  --operator NAME [--password-stdin]    password line, then the TOTP code line\n"
	    "  init [--admin NAME --display D]       also creates the first operator\n"
	    "  --actor system                        scheduled purge and backup: no login\n"
	    "  help [--list]                         this text; --list: every command\n"
	    "The store is --store DIR, else $MDG_CENTRAL_STORE, else [store] dir of\n"
	    "--config FILE (default %s), else %s.\n"
	    "See madoguchi-central(8) and madoguchi-central.conf(5).\n",
	    CENTRAL_DEFAULT_CONFIG, DEFAULT_STORE);
}

/* A usage error: the reason and the usage on standard error, exit 2. */
static int
usage_error(const char *why, const char *arg)
{
	if (why != NULL)
		fprintf(stderr, "madoguchi-central: %s%s%s\n", why,
		    arg != NULL ? " " : "", arg != NULL ? arg : "");
	usage_to(stderr);
	return 2;
}

static int
usage(void)
{
	return usage_error(NULL, NULL);
}

static int
known_command(const char *name)
{
	int i;

	for (i = 0; commands[i].name != NULL; i++)
		if (strcmp(commands[i].name, name) == 0)
			return 1;
	return 0;
}

/* help --list: every command and subcommand, one a line. */
static void
list_commands(void)
{
	int i;

	for (i = 0; commands[i].name != NULL; i++) {
		const char *p = commands[i].subs;

		printf("%s\n", commands[i].name);
		while (p != NULL && *p != '\0') {
			size_t n = strcspn(p, " ");

			printf("%s %.*s\n", commands[i].name, (int)n, p);
			p += n + (p[n] == ' ');
		}
	}
}

static int
parse(int argc, char **argv, struct opts *o)
{
	int i;

	memset(o, 0, sizeof(*o));
	o->max_conn = 1000;
	central_serve_defaults(&o->serve);
	o->store = getenv("MDG_CENTRAL_STORE");
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char **dst = NULL;

		if (strcmp(a, "--store") == 0)
			dst = &o->store;
		else if (strcmp(a, "--config") == 0)
			dst = &o->config;
		else if (strcmp(a, "--operator") == 0)
			dst = &o->operator;
		else if (strcmp(a, "--actor") == 0)
			dst = &o->actor;
		else if (strcmp(a, "--admin") == 0)
			dst = &o->admin;
		else if (strcmp(a, "--display") == 0 && o->npos <= 1)
			dst = &o->display;
		else if (strcmp(a, "--password-stdin") == 0) {
			o->pw_stdin = 1;
			continue;
		} else if (strcmp(a, "--purpose") == 0)
			dst = &o->purpose;
		else if (strcmp(a, "--month") == 0)
			dst = &o->month;
		else if (strcmp(a, "--date") == 0)
			dst = &o->date;
		else if (strcmp(a, "--output") == 0)
			dst = &o->output;
		else if (strcmp(a, "--plaintext") == 0) {
			o->plaintext = 1;
			continue;
		}
		else if (strcmp(a, "--listen") == 0)
			dst = &o->listen;
		else if (strcmp(a, "--since") == 0)
			dst = &o->since;
		else if (strcmp(a, "--format") == 0)
			dst = &o->format;
		else if (strcmp(a, "--wards") == 0)
			dst = &o->wards;
		else if (strcmp(a, "--procedures") == 0)
			dst = &o->procedures;
		else if (strcmp(a, "--log") == 0)
			dst = &o->log;
		else if (strcmp(a, "--count") == 0)
			dst = &o->count;
		else if (strcmp(a, "--seed") == 0)
			dst = &o->seed;
		else if (strcmp(a, "--to") == 0)
			dst = &o->to;
		else if (strcmp(a, "--keep") == 0)
			dst = &o->keep;
		else if (strcmp(a, "--from") == 0)
			dst = &o->from;
		else if (strcmp(a, "--max-conn") == 0) {
			if (i + 1 >= argc || (o->max_conn = atoi(argv[++i])) < 1)
				return -1;
			o->serve.max_conn = o->max_conn;
			continue;
		} else if (strcmp(a, "--max-handshakes") == 0 ||
		    strcmp(a, "--max-handshakes-per-addr") == 0 ||
		    strcmp(a, "--handshake-timeout") == 0 ||
		    strcmp(a, "--max-message-mb") == 0 ||
		    strcmp(a, "--memory-budget-mb") == 0) {
			/* issue 15 B: limits against denial of service */
			char *end;
			long v;

			if (i + 1 >= argc)
				return -1;
			v = strtol(argv[++i], &end, 10);
			if (*end != '\0' || v < 1 || v > 1000000)
				return -1;
			if (strcmp(a, "--max-handshakes") == 0)
				o->serve.max_preauth = (int)v;
			else if (strcmp(a, "--max-handshakes-per-addr") == 0)
				o->serve.max_preauth_addr = (int)v;
			else if (strcmp(a, "--handshake-timeout") == 0) {
				if (v > 600)
					return -1;
				o->serve.handshake_ms = (int)v * 1000;
			} else if (strcmp(a, "--max-message-mb") == 0)
				o->serve.max_message = (size_t)v << 20;
			else
				o->serve.mem_budget = (size_t)v << 20;
			continue;
		} else if (a[0] == '-') {
			fprintf(stderr, "madoguchi-central: unknown option %s\n", a);
			return -1;
		}
		else {
			if (o->npos == 8)
				return -1;
			o->pos[o->npos++] = argv[i];
			if (o->npos == 1 && (strcmp(argv[i], "user") == 0 ||
			    strcmp(argv[i], "operator") == 0 ||
			    strcmp(argv[i], "audit") == 0)) {
				o->rest = i + 1;
				break;
			}
			continue;
		}
		if (i + 1 >= argc)
			return -1;
		*dst = argv[++i];
	}
	return o->npos == 0 ? -1 : 0;
}

static void
print_key(const struct central *c)
{
	char hex[65];

	hex_encode(c->noise_pub, 32, hex);
	printf("%s\n", hex);
}

/* madoguchi-central.conf(5), read once at start, freed at exit. */
static struct conf *conf;

static void
conf_release(void)
{
	conf_free(conf);
	conf = NULL;
}

static int
fail(const struct err *e)
{
	fprintf(stderr, "madoguchi-central: %s\n", e->msg);
	return 1;
}

/* Check `operator` and `audit` command lines before the store is opened:
 * a usage error is exit 2 whatever the store. */
static int
sub_args(const char *cmd, int argc, char **argv)
{
	static const char *const op_verbs[] = { "add", "mod", "list", NULL };
	static const char *const au_verbs[] = { "verify", "list", "person", NULL };
	static const char *const op_val[] = { "--display", "--export", NULL };
	static const char *const op_flag[] = { "--unlock", "--disable", NULL };
	static const char *const au_val[] = { "--by", "--action", "--since", "--until", NULL };
	int op = strcmp(cmd, "operator") == 0, k, i, start;
	const char *const *verbs = op ? op_verbs : au_verbs;

	if (argc < 1)
		return usage_error("missing subcommand of", cmd);
	for (k = 0; verbs[k] != NULL && strcmp(verbs[k], argv[0]) != 0; k++)
		;
	if (verbs[k] == NULL)
		return usage_error("unknown subcommand", argv[0]);
	start = (op && strcmp(argv[0], "list") != 0) || strcmp(argv[0], "person") == 0 ? 2 : 1;
	if (start == 2 && (argc < 2 || argv[1][0] == '-'))
		return usage_error(op ? "missing operator NAME after" : "missing 宛名番号 after",
		    argv[0]);
	if (!op && strcmp(argv[0], "person") == 0 && argc > 2)
		return usage_error("audit person takes no option:", argv[2]);
	for (i = start; i < argc; i++) {
		int known = 0;
		if (!op && strcmp(argv[0], "verify") == 0)
			return usage_error("audit verify takes no option:", argv[i]);
		for (k = 0; (op ? op_val : au_val)[k] != NULL; k++)
			if (strcmp(argv[i], (op ? op_val : au_val)[k]) == 0)
				known = 2;
		for (k = 0; op && op_flag[k] != NULL; k++)
			if (strcmp(argv[i], op_flag[k]) == 0)
				known = 1;
		if (!known)
			return usage_error("unknown option", argv[i]);
		if (known == 2 && ++i >= argc)
			return usage_error("missing value of", argv[i - 1]);
	}
	return 0;
}

/* Commands that need no operator: the server and the public key (issue 16).
 * `terminal list` shows no personal data either. */
static int
needs_operator(const struct opts *o)
{
	if (strcmp(o->pos[0], "serve") == 0 || strcmp(o->pos[0], "key") == 0)
		return 0;
	if (strcmp(o->pos[0], "terminal") == 0 && o->npos == 2 &&
	    strcmp(o->pos[1], "list") == 0)
		return 0;
	return 1;
}

/* --actor system: the scheduled commands only (purge, backup; issue 16,
 * the commands of the local copy's lifecycle). */
static int
actor_system_allowed(const char *cmd)
{
	return strcmp(cmd, "purge") == 0 || strcmp(cmd, "backup") == 0;
}

/* Who runs this command, into c->actor: --actor system for a scheduled
 * command, else an operator's login.  A store without operators (made
 * before operators existed, or by init without --admin) runs as the Unix
 * user, recorded as "unix:NAME", and says so; `operator add` then creates
 * the first. */
static int
actor_setup(struct central *c, const struct opts *o)
{
	struct central_actor who;
	struct err e;
	int n;

	err_clear(&e);
	if (o->actor != NULL) {
		snprintf(c->actor, sizeof(c->actor), "system");
		return 0;
	}
	if ((n = central_operator_count(c, &e)) < 0)
		return fail(&e);
	if (n == 0) {
		struct passwd *pw = getpwuid(getuid());

		if (o->operator != NULL) {
			fprintf(stderr, "madoguchi-central: this store has no operators yet;"
			    " run without --operator, then `operator add`\n");
			return 1;
		}
		snprintf(c->actor, sizeof(c->actor), "unix:%.64s",
		    pw != NULL ? pw->pw_name : "?");
		/* Until the first operator exists the service's Unix user is
		 * the only operator there is, with every right (export
		 * included: its purpose, directory and encryption rules still
		 * apply, and it is recorded). */
		c->actor_export = 1;
		fprintf(stderr, "madoguchi-central: warning: this store has no operators;"
		    " running as %s (create one: operator add NAME --display D)\n", c->actor);
		return 0;
	}
	if (central_operator_login(c, o->operator, o->pw_stdin, &who, &e) != 0)
		return fail(&e);
	snprintf(c->actor, sizeof(c->actor), "%s", who.name);
	c->actor_export = who.export_flag;
	return 0;
}

static int
cmd_init(const struct opts *o)
{
	struct central *c = NULL;
	struct err e;

	err_clear(&e);
	if ((o->admin == NULL) != (o->display == NULL))
		return usage_error("init: --admin NAME and --display D go together", NULL);
	if (central_init(o->store, &e) != 0 || central_open(o->store, &c, &e) != 0) {
		log_close();
		return fail(&e);
	}
	c->conf = conf;
	if (o->admin != NULL && central_operator_first(c, o->admin, o->display, o->pw_stdin,
	    stdout, &e) != 0) {
		central_close(c);
		log_close();
		return fail(&e);
	}
	printf("central store created in %s\ncentral public key: ", o->store);
	print_key(c);
	central_close(c);
	log_close();
	return 0;
}

/* argv joined with spaces, for the audit row of a command line. */
static void
args_join(int argc, char **argv, char *out, size_t cap)
{
	size_t n = 0;

	out[0] = '\0';
	for (int i = 0; i < argc && n < cap; i++)
		n += (size_t)snprintf(out + n, cap - n, "%s%s", i ? " " : "", argv[i]);
}

static int
cmd_user(struct central *c, int argc, char **argv)
{
	char args[2048], action[32];
	struct err e;

	err_clear(&e);
	if (central_user_cmd(c, argc, argv, stdout, &e) != 0)
		return fail(&e);
	args_join(argc, argv, args, sizeof(args));
	snprintf(action, sizeof(action), "user-%.20s", argc > 0 ? argv[0] : "");
	if (central_audit_note(c, c->actor, action, &e, "args", args, NULL) != 0)
		return fail(&e);
	return 0;
}

static int
cmd_audit(struct central *c, int argc, char **argv)
{
	const char *by = NULL, *action = NULL, *since = NULL, *until = NULL;
	struct err e;

	err_clear(&e);
	if (argc == 1 && strcmp(argv[0], "verify") == 0) {
		int r = central_audit_verify(c, stdout, &e);
		struct err e2;
		err_clear(&e2);
		if (central_audit_note(c, c->actor, "audit-verify", &e2, "result",
		    r == 0 ? "ok" : e.msg, NULL) != 0)
			return fail(&e2);
		return r != 0 ? fail(&e) : 0;
	}
	if (argc == 2 && strcmp(argv[0], "person") == 0) {
		long n;
		char cnt[32];

		if (central_audit_person(c, argv[1], stdout, &n, &e) != 0)
			return fail(&e);
		snprintf(cnt, sizeof(cnt), "%ld", n);
		/* Asking is itself recorded (LOG-3). */
		return central_audit_note(c, c->actor, "audit-person", &e, "atena", argv[1],
		    "events", cnt, NULL) != 0 ? fail(&e) : 0;
	}
	if (argc < 1 || strcmp(argv[0], "list") != 0)
		return usage();
	for (int i = 1; i < argc; i++) {
		const char **dst;
		if (strcmp(argv[i], "--by") == 0)
			dst = &by;
		else if (strcmp(argv[i], "--action") == 0)
			dst = &action;
		else if (strcmp(argv[i], "--since") == 0)
			dst = &since;
		else if (strcmp(argv[i], "--until") == 0)
			dst = &until;
		else
			return usage_error("audit list: unknown option", argv[i]);
		if (i + 1 >= argc)
			return usage();
		*dst = argv[++i];
	}
	if (central_audit_list(c, by, action, since, until, stdout, &e) != 0)
		return fail(&e);
	return central_audit_note(c, c->actor, "audit-list", &e, "by", by ? by : "",
	    "action", action ? action : "", "since", since ? since : "",
	    "until", until ? until : "", NULL) != 0 ? fail(&e) : 0;
}

static int
cmd_report(struct central *c, const struct opts *o)
{
	struct err e;
	long n = 0;
	char cnt[32];
	int csv = 0;

	err_clear(&e);
	if (o->format != NULL) {
		if (strcmp(o->format, "csv") == 0)
			csv = 1;
		else if (strcmp(o->format, "table") != 0)
			return usage();
	}
	if (o->npos == 2 && strcmp(o->pos[1], "access") == 0 && o->month != NULL) {
		if (central_report_access(c, o->month, csv, stdout, &n, &e) != 0)
			return fail(&e);
		snprintf(cnt, sizeof(cnt), "%ld", n);
		return central_audit_note(c, c->actor, "report-access", &e, "month", o->month,
		    "flags", cnt, NULL) != 0 ? fail(&e) : 0;
	}
	if (o->npos == 2 && strcmp(o->pos[1], "daily") == 0 && o->date != NULL) {
		if (central_report_daily(c, o->date, stdout, &e) != 0)
			return fail(&e);
		return central_audit_note(c, c->actor, "report-daily", &e, "date", o->date,
		    NULL) != 0 ? fail(&e) : 0;
	}
	return usage();
}

static int
cmd_serve(struct central *c, const struct opts *o)
{
	struct sigaction sa;
	struct rlimit rl;
	struct err e;

	if (o->listen == NULL)
		return usage();
	/* One descriptor per terminal: allow as many as the hard limit. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	err_clear(&e);
	if (central_serve_with(c, o->listen, &o->serve, &stop_flag, &e) != 0)
		return fail(&e);
	return 0;
}

/* SHA-256 of a file, 64 hex digits (audit rows of imports, exports). */
static int
file_sha256(const char *path, char out[65], struct err *e)
{
	crypto_hash_sha256_state h;
	uint8_t buf[65536], d[32];
	size_t n;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL)
		return err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
	crypto_hash_sha256_init(&h);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		crypto_hash_sha256_update(&h, buf, n);
	fclose(f);
	crypto_hash_sha256_final(&h, d);
	hex_encode(d, 32, out);
	return 0;
}

static int
cmd_import(struct central *c, const struct opts *o)
{
	struct import_report r;
	struct err e;
	int rc;

	if (o->npos != 3)
		return usage();
	err_clear(&e);
	if (strcmp(o->pos[1], "holidays") == 0) {
		long added, rejected;
		char a[32], rj[32], sha[65];

		if (central_import_holidays(c, o->pos[2], stderr, &added, &rejected, &e) != 0 ||
		    file_sha256(o->pos[2], sha, &e) != 0)
			return fail(&e);
		printf("holidays: %ld imported, %ld rejected\n", added, rejected);
		snprintf(a, sizeof(a), "%ld", added);
		snprintf(rj, sizeof(rj), "%ld", rejected);
		if (central_audit_note(c, c->actor, "import-holidays", &e, "file", o->pos[2],
		    "sha256", sha, "accepted", a, "rejected", rj, NULL) != 0)
			return fail(&e);
		return rejected > 0 ? 1 : 0;
	}
	if (strcmp(o->pos[1], "banks") == 0 || strcmp(o->pos[1], "postal") == 0) {
		long removed = 0;

		rc = central_import_refdata_file(c, strcmp(o->pos[1], "banks") == 0 ?
		    REFDATA_BANKS : REFDATA_POSTAL, o->pos[2], &r, &removed, stderr, &e);
		if (rc != 0)
			return fail(&e);
		printf("%s: %ld records, %ld codes (%ld changed, %ld unchanged),"
		    " %ld removed\n", o->pos[1], r.rows, r.accepted, r.changed,
		    r.unchanged, removed);
		log_info("import %s %s: %ld codes (%ld changed), %ld removed",
		    o->pos[1], o->pos[2], r.accepted, r.changed, removed);
		{
			char sha[65], ac[32], ch[32], rm[32];

			snprintf(ac, sizeof(ac), "%ld", r.accepted);
			snprintf(ch, sizeof(ch), "%ld", r.changed);
			snprintf(rm, sizeof(rm), "%ld", removed);
			if (file_sha256(o->pos[2], sha, &e) != 0 ||
			    central_audit_note(c, c->actor, strcmp(o->pos[1], "banks") == 0 ?
			    "import-banks" : "import-postal", &e, "file", o->pos[2],
			    "sha256", sha, "codes", ac, "changed", ch, "removed", rm,
			    NULL) != 0)
				return fail(&e);
		}
		return 0;
	}
	if (strcmp(o->pos[1], "persons") == 0)
		rc = central_import_persons(c, o->pos[2], stderr, &r, &e);
	else if (strcmp(o->pos[1], "eligibility") == 0)
		rc = central_import_eligibility(c, o->pos[2], stderr, &r, &e);
	else if (strcmp(o->pos[1], "decisions") == 0)
		rc = central_import_decisions(c, o->pos[2], stderr, &r, &e);
	else if (strcmp(o->pos[1], "accounts") == 0)
		rc = central_import_accounts(c, o->pos[2], stderr, &r, &e);
	else
		return usage();
	if (rc != 0)
		return fail(&e);
	printf("%s: %ld rows, %ld accepted (%ld changed, %ld unchanged), %ld rejected\n",
	    o->pos[1], r.rows, r.accepted, r.changed, r.unchanged, r.rejected);
	log_info("import %s %s: %ld accepted (%ld changed), %ld rejected", o->pos[1],
	    o->pos[2], r.accepted, r.changed, r.rejected);
	{
		char sha[65], rows[32], acc[32], chg[32], rej[32], action[32];

		if (file_sha256(o->pos[2], sha, &e) != 0)
			return fail(&e);
		snprintf(rows, sizeof(rows), "%ld", r.rows);
		snprintf(acc, sizeof(acc), "%ld", r.accepted);
		snprintf(chg, sizeof(chg), "%ld", r.changed);
		snprintf(rej, sizeof(rej), "%ld", r.rejected);
		snprintf(action, sizeof(action), "import-%.20s", o->pos[1]);
		if (central_audit_note(c, c->actor, action, &e, "file", o->pos[2],
		    "sha256", sha, "rows", rows, "accepted", acc, "changed", chg,
		    "rejected", rej, NULL) != 0)
			return fail(&e);
	}
	return r.rejected > 0 ? 1 : 0;
}

static int
cmd_export(struct central *c, const struct opts *o)
{
	struct err e;
	int64_t since = 0, next;
	char *end;
	int csv = 0;

	if (o->npos != 2 || strcmp(o->pos[1], "applications") != 0)
		return usage();
	if (o->since != NULL) {
		since = strtoll(o->since, &end, 10);
		if (*end != '\0' || since < 0)
			return usage();
	}
	if (o->format != NULL) {
		if (strcmp(o->format, "csv") == 0)
			csv = 1;
		else if (strcmp(o->format, "jsonl") != 0)
			return usage();
	}
	err_clear(&e);
	{
		struct central_export_req q;

		(void)next;
		memset(&q, 0, sizeof(q));
		q.since = since;
		q.csv = csv;
		q.purpose = o->purpose;
		q.plaintext = o->plaintext;
		q.to_stdout = o->output != NULL && strcmp(o->output, "-") == 0;
		q.output = q.to_stdout ? NULL : o->output;
		if (central_export_protected(c, &q, stdout, &e) != 0)
			return fail(&e);
	}
	return 0;
}

static int
cmd_demo(struct central *c, const struct opts *o)
{
	struct import_report p, el;
	struct err e;
	long n = o->count != NULL ? atol(o->count) : 1000;
	unsigned long long seed = o->seed != NULL ? strtoull(o->seed, NULL, 10) : 1;

	if (n < 1 || n > 10000000)
		return usage();
	err_clear(&e);
	if (central_demo_data(c, seed, (size_t)n, stderr, &p, &el, &e) != 0)
		return fail(&e);
	printf("demo data: %ld persons (%ld changed), %ld eligibility records (%ld changed),"
	    " %ld rejected\n", p.accepted, p.changed, el.accepted, el.changed,
	    p.rejected + el.rejected);
	{
		char cnt[32], sd[32];
		snprintf(cnt, sizeof(cnt), "%ld", n);
		snprintf(sd, sizeof(sd), "%llu", seed);
		if (central_audit_note(c, c->actor, "demo-data", &e, "count", cnt, "seed", sd,
		    NULL) != 0)
			return fail(&e);
	}
	return 0;
}

static int
cmd_terminal(struct central *c, const struct opts *o)
{
	struct err e;
	char token[33];
	char hex[65];

	err_clear(&e);
	if (o->npos == 2 && strcmp(o->pos[1], "list") == 0)
		return central_terminal_list(c, stdout, &e) != 0 ? fail(&e) : 0;
	if ((o->npos == 2 || o->npos == 3) && strcmp(o->pos[1], "erasures") == 0)
		return central_erasure_list(c, o->npos == 3 ? o->pos[2] : NULL, stdout,
		    &e) != 0 ? fail(&e) : 0;
	if ((o->npos == 2 || o->npos == 3) && strcmp(o->pos[1], "rejects") == 0)
		return central_rejects_list(c, o->npos == 3 ? o->pos[2] : NULL, stdout,
		    &e) != 0 ? fail(&e) : 0;
	if (o->npos != 3)
		return usage();
	if (strcmp(o->pos[1], "enrol") == 0 || strcmp(o->pos[1], "enroll") == 0) {
		if (central_terminal_enrol(c, o->pos[2], o->wards ? o->wards : "",
		    o->procedures ? o->procedures : "", token, &e) != 0 ||
		    central_audit_note(c, c->actor, "terminal-enrol", &e, "terminal", o->pos[2],
		    "wards", o->wards ? o->wards : "", "procedures",
		    o->procedures ? o->procedures : "", NULL) != 0) {
			mem_wipe(token, sizeof(token));
			return fail(&e);
		}
		hex_encode(c->noise_pub, 32, hex);
		/* The token is never put on the terminal's command line (its
		 * argv is public): the terminal asks for it, or reads it after
		 * the password with --token-stdin. */
		printf("terminal %s: one-time enrolment token (valid 7 days):\n%s\n"
		    "on the terminal, as an administrator (it then asks for the token):\n"
		    "  madoguchi enroll --central HOST:PORT --central-key %s --user NAME\n",
		    o->pos[2], token, hex);
		fflush(stdout);
		mem_wipe(token, sizeof(token));
		return 0;
	}
	if (strcmp(o->pos[1], "revoke") == 0)
		return central_terminal_revoke(c, o->pos[2], &e) != 0 ||
		    central_audit_note(c, c->actor, "terminal-revoke", &e, "terminal",
		    o->pos[2], NULL) != 0 ? fail(&e) : 0;
	if (strcmp(o->pos[1], "release") == 0)
		return central_terminal_release(c, o->pos[2], &e) != 0 ||
		    central_audit_note(c, c->actor, "terminal-release", &e, "terminal",
		    o->pos[2], NULL) != 0 ? fail(&e) : 0;
	return usage();
}

static int
run(int argc, char **argv)
{
	struct central *c = NULL;
	struct opts o;
	struct err e;
	int rc;

	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("madoguchi-central 0.1.0\n");
		return 0;
	}
	/* --help anywhere (GNU): the usage on standard output, exit 0. */
	for (rc = 1; rc < argc; rc++)
		if (strcmp(argv[rc], "--help") == 0 || strcmp(argv[rc], "-h") == 0) {
			usage_to(stdout);
			return 0;
		}
	if (argc >= 3 && strcmp(argv[argc - 2], "help") == 0 &&
	    strcmp(argv[argc - 1], "--list") == 0) {
		list_commands();
		return 0;
	}
	if (parse(argc, argv, &o) != 0)
		return usage();
	if (strcmp(o.pos[0], "help") == 0) {
		if (o.npos != 1)
			return usage();
		usage_to(stdout);
		return 0;
	}
	if (!known_command(o.pos[0]))
		return usage_error("unknown command", o.pos[0]);
	if (strcmp(o.pos[0], "user") == 0 &&
	    central_user_args(argc - o.rest, argv + o.rest, &e) != 0)
		return usage_error(e.msg, NULL);
	if ((strcmp(o.pos[0], "operator") == 0 || strcmp(o.pos[0], "audit") == 0) &&
	    sub_args(o.pos[0], argc - o.rest, argv + o.rest) != 0)
		return 2;
	err_clear(&e);
	/* The configuration is read and checked before anything else: a
	 * mistake stops the program with file:line: reason. */
	if (central_conf_load(o.config, &conf, &e) != 0)
		return fail(&e);
	if (o.store == NULL || o.store[0] == '\0')
		o.store = conf_str(conf, "store", "dir");
	umask(077);	/* the database, its WAL and key files: owner only */
	if (proc_harden(&e) != 0)
		return fail(&e);
	log_open("madoguchi-central", o.log, LOG_INFO);
	if (strcmp(o.pos[0], "init") == 0)
		return cmd_init(&o);
	if (o.actor != NULL && (strcmp(o.actor, "system") != 0 ||
	    !actor_system_allowed(o.pos[0])))
		return usage_error("--actor system is only for scheduled commands:", o.pos[0]);
	/* Restore works without opening the live database: it may be the
	 * damaged thing being replaced. */
	if (strcmp(o.pos[0], "restore") == 0) {
		if (o.npos != 1 || o.from == NULL) {
			log_close();
			return usage_error("restore needs --from FILE", NULL);
		}
		rc = central_restore(o.store, o.from, stdout, &e) != 0 ? fail(&e) : 0;
		log_close();
		return rc;
	}
	if (central_open(o.store, &c, &e) != 0) {
		log_close();
		return fail(&e);
	}
	c->conf = conf;
	if (needs_operator(&o) && (rc = actor_setup(c, &o)) != 0) {
		central_close(c);
		log_close();
		return rc;
	}
	if (strcmp(o.pos[0], "key") == 0) {
		print_key(c);
		rc = 0;
	} else if (strcmp(o.pos[0], "serve") == 0)
		rc = cmd_serve(c, &o);
	else if (strcmp(o.pos[0], "import") == 0)
		rc = cmd_import(c, &o);
	else if (strcmp(o.pos[0], "export") == 0)
		rc = cmd_export(c, &o);
	else if (strcmp(o.pos[0], "demo-data") == 0)
		rc = cmd_demo(c, &o);
	else if (strcmp(o.pos[0], "backup") == 0) {
		long keep = o.keep != NULL ? atol(o.keep) :
		    conf_int(conf, "retention", "backups");

		if (o.npos != 1 || o.to == NULL)
			rc = usage_error("backup needs --to DIR", NULL);
		else if (central_backup(c, o.to, (int)keep, stdout, &e) != 0)
			rc = fail(&e);
		else {
			/* issue 13/16: the backup is an audit row of its actor
			 * ("system" when scheduled) */
			char k[16];

			snprintf(k, sizeof(k), "%ld", keep);
			rc = central_audit_note(c, c->actor, "backup", &e, "to", o.to,
			    "keep", k, (char *)NULL) != 0 ? fail(&e) : 0;
		}
	} else if (strcmp(o.pos[0], "report") == 0 && o.npos >= 2 &&
	    strcmp(o.pos[1], "purges") == 0) {
		if (o.npos > 3)
			rc = usage();
		else if (central_purge_report(c, o.npos == 3 ? o.pos[2] : NULL,
		    stdout, &e) != 0)
			rc = fail(&e);
		else
			rc = central_audit_note(c, c->actor, "report.purges", &e,
			    "terminal", o.npos == 3 ? o.pos[2] : "*", (char *)NULL) != 0 ?
			    fail(&e) : 0;
	}
	else if (strcmp(o.pos[0], "user") == 0)
		rc = cmd_user(c, argc - o.rest, argv + o.rest);
	else if (strcmp(o.pos[0], "operator") == 0) {
		struct central_actor who;
		memset(&who, 0, sizeof(who));
		snprintf(who.name, sizeof(who.name), "%s", c->actor);
		rc = central_operator_cmd(c, &who, argc - o.rest, argv + o.rest, o.pw_stdin,
		    stdout, &e) != 0 ? fail(&e) : 0;
	} else if (strcmp(o.pos[0], "audit") == 0)
		rc = cmd_audit(c, argc - o.rest, argv + o.rest);
	else if (strcmp(o.pos[0], "report") == 0)
		rc = cmd_report(c, &o);
	else
		rc = cmd_terminal(c, &o);
	central_close(c);
	log_close();
	return rc;
}

int
main(int argc, char **argv)
{
	int rc = run(argc, argv);

	conf_release();
	return rc;
}
