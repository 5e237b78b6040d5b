/*
 * test_print_cups.c — the receipt printer through CUPS (issue 12, LK-3):
 * `[ui] print_command = lp -h SERVER -d QUEUE` hands the 受付票 to a real
 * CUPS queue, so a municipality's existing printers work with nothing of
 * ours in between.
 *
 * Each test starts a private cupsd (its own ServerRoot, spool, state, logs
 * and TempDir under the test's directory; Listen only on a unix socket
 * there, never the system's /run/cups/cups.sock), adds a file-backed queue
 * with lpadmin (FileDevice Yes; CUPS writes nothing to a file: device of a
 * raw queue, so the queue has a PPD whose one filter, gziptoany, passes the
 * text through unchanged), prints through receipt_slip + receipt_print_run
 * (the code the counter screens use) and reads what the queue wrote.
 * cupsd dies with the test (setpriv --pdeathsig) and is stopped at the end.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core.h"
#include "harness.h"
#include "intake.h"

#define CUPSD "/usr/sbin/cupsd"
#define LP "/usr/bin/lp"
#define LPADMIN "/usr/sbin/lpadmin"
#define LPSTAT "/usr/bin/lpstat"

/* A text printer that CUPS drives with one pass-through filter. */
static const char ppd[] =
    "*PPD-Adobe: \"4.3\"\n"
    "*FormatVersion: \"4.3\"\n"
    "*FileVersion: \"1.0\"\n"
    "*LanguageVersion: English\n"
    "*LanguageEncoding: ISOLatin1\n"
    "*PCFileName: \"MDGSLIP.PPD\"\n"
    "*Manufacturer: \"madoguchi\"\n"
    "*Product: \"(madoguchi slip test)\"\n"
    "*ModelName: \"madoguchi slip test\"\n"
    "*ShortNickName: \"madoguchi slip test\"\n"
    "*NickName: \"madoguchi slip test\"\n"
    "*PSVersion: \"(3010.000) 0\"\n"
    "*LanguageLevel: \"3\"\n"
    "*ColorDevice: False\n"
    "*DefaultColorSpace: Gray\n"
    "*FileSystem: False\n"
    "*Throughput: \"1\"\n"
    "*LandscapeOrientation: Plus90\n"
    "*TTRasterizer: Type42\n"
    "*cupsFilter: \"text/plain 0 gziptoany\"\n"
    "*OpenUI *PageSize: PickOne\n"
    "*OrderDependency: 10 AnySetup *PageSize\n"
    "*DefaultPageSize: A4\n"
    "*PageSize A4/A4: \"\"\n"
    "*CloseUI: *PageSize\n"
    "*DefaultImageableArea: A4\n"
    "*ImageableArea A4/A4: \"0 0 595 842\"\n"
    "*DefaultPaperDimension: A4\n"
    "*PaperDimension A4/A4: \"595 842\"\n";

struct cups {
	pid_t pid;
	char sock[512];
	char out[512];
};

static void
mkdir_or_fail(const char *p, mode_t mode)
{
	if (mkdir(p, mode) != 0 && errno != EEXIST) {
		t_fail_at(__FILE__, __LINE__, "mkdir %s: %s", p, strerror(errno));
		t_stop();
	}
}

static int
run_ok(char *const argv[], struct t_proc *p)
{
	if (t_run(argv, NULL, NULL, 0, 20000, p) != 0)
		return 0;
	return p->status == 0 && !p->timed_out;
}

static int
scheduler_up(void *arg)
{
	struct cups *c = arg;
	struct t_proc p;
	char *argv[] = { LPSTAT, "-h", c->sock, "-r", NULL };
	int ok = run_ok(argv, &p) && strstr(p.out, "scheduler is running") != NULL;

	t_proc_free(&p);
	return ok;
}

/* Start the private cupsd and add queue `slip` printing to c->out. */
static void
cups_up(struct cups *c)
{
	char files[4096], conf[4096], ppdpath[1024], uri[600];
	const char *d = t_tmpdir();
	struct t_proc p;

	if (geteuid() != 0)
		t_skip("cupsd needs root to run its filters as user lp");
	if (access(CUPSD, X_OK) != 0 || access(LP, X_OK) != 0 || access(LPADMIN, X_OK) != 0) {
		t_fail_at(__FILE__, __LINE__, "cups and cups-client are not installed (make deps)");
		t_stop();
	}
	/* the filters run as lp and read the spool: let them through */
	REQUIRE(chmod(d, 0711) == 0);
	mkdir_or_fail(t_path("root"), 0755);
	mkdir_or_fail(t_path("root/ppd"), 0755);
	mkdir_or_fail(t_path("spool"), 0710);
	mkdir_or_fail(t_path("spool/tmp"), 01770);
	mkdir_or_fail(t_path("cache"), 0770);
	mkdir_or_fail(t_path("state"), 0755);
	mkdir_or_fail(t_path("log"), 0755);
	snprintf(c->sock, sizeof(c->sock), "%s", t_path("cups.sock"));
	snprintf(c->out, sizeof(c->out), "%s", t_path("printed"));
	snprintf(files, sizeof(files),
	    "ServerRoot %s/root\nRequestRoot %s/spool\nTempDir %s/spool/tmp\n"
	    "CacheDir %s/cache\nStateDir %s/state\nErrorLog %s/log/error_log\n"
	    "AccessLog %s/log/access_log\nPageLog %s/log/page_log\n"
	    "Printcap %s/printcap\nFileDevice Yes\nUser lp\nGroup lp\nSystemGroup root\n",
	    d, d, d, d, d, d, d, d, d);
	/* Only the private socket; anyone who reaches it may administer
	 * (it is in the test's own directory). */
	snprintf(conf, sizeof(conf),
	    "Listen %s\nBrowsing No\nBrowseLocalProtocols none\nWebInterface No\n"
	    "LogLevel info\nDefaultAuthType None\n"
	    "<Location />\n  Order allow,deny\n  Allow all\n</Location>\n"
	    "<Policy default>\n  <Limit All>\n    Order deny,allow\n    Allow all\n"
	    "  </Limit>\n</Policy>\n", c->sock);
	REQUIRE(t_write_file(t_path("cups-files.conf"), files, strlen(files)) == 0);
	REQUIRE(t_write_file(t_path("cupsd.conf"), conf, strlen(conf)) == 0);
	snprintf(ppdpath, sizeof(ppdpath), "%s", t_path("slip.ppd"));
	REQUIRE(t_write_file(ppdpath, ppd, strlen(ppd)) == 0);
	/* cupsd opens an existing file: device; it does not create one */
	REQUIRE(t_write_file(c->out, "", 0) == 0);

	char cf[1024], ff[1024];
	snprintf(cf, sizeof(cf), "%s", t_path("cupsd.conf"));
	snprintf(ff, sizeof(ff), "%s", t_path("cups-files.conf"));
	char *argv[] = { "setpriv", "--pdeathsig", "KILL", "--", CUPSD, "-f", "-c", cf,
	    "-s", ff, NULL };
	REQUIRE((c->pid = t_start(argv, NULL, t_path("cupsd.out"))) > 0);
	if (!t_wait_for(scheduler_up, c, 20000)) {
		char *log = t_read_file(t_path("log/error_log"), NULL);
		t_fail_at(__FILE__, __LINE__, "private cupsd did not start: %s",
		    log != NULL ? log : "(no error_log)");
		free(log);
		t_stop();
	}
	snprintf(uri, sizeof(uri), "file://%s", c->out);
	char *add[] = { LPADMIN, "-h", c->sock, "-p", "slip", "-v", uri, "-P", ppdpath,
	    "-E", NULL };
	if (!run_ok(add, &p)) {
		t_fail_at(__FILE__, __LINE__, "lpadmin: %s", p.err);
		t_proc_free(&p);
		t_stop();
	}
	t_proc_free(&p);
}

static void
cups_down(struct cups *c)
{
	if (c->pid > 0)
		t_stop_proc(c->pid, SIGTERM, 10000);
	c->pid = 0;
}

struct printed {
	const char *path;
	const char *want;
};

static int
printed_has(void *arg)
{
	struct printed *pr = arg;
	char *got = t_read_file(pr->path, NULL);
	int ok = got != NULL && strstr(got, pr->want) != NULL;

	free(got);
	return ok;
}

static void
slip_text(struct wbuf *w, const char *receipt_no)
{
	struct receipt_item it;
	struct receipt_info info = { .municipality = "窓口市", .branch = "本庁 市民課",
	    .terminal = "K01", .date = "2025-04-01" };
	struct err e;

	memset(&it, 0, sizeof(it));
	snprintf(it.receipt_no, sizeof(it.receipt_no), "%s", receipt_no);
	snprintf(it.title, sizeof(it.title), "%s", "国民健康保険 資格取得届");
	snprintf(it.procedure, sizeof(it.procedure), "%s", "kokuho");
	err_clear(&e);
	REQUIRE_OK(receipt_slip(&it, 1, &info, w, &e), &e);
}

/* LK-3: the slip reaches the CUPS queue's device whole, as the clerk
 * printed it, through lp. */
TEST(receipt_printed_through_lp_reaches_the_cups_queue)
{
	struct cups c = { 0 };
	struct wbuf w;
	struct err e;
	char cmd[1200];

	cups_up(&c);
	wbuf_init(&w, 16384);
	slip_text(&w, "K01-20250401-00017");
	snprintf(cmd, sizeof(cmd), "lp -h '%s' -d slip -t 受付票", c.sock);
	err_clear(&e);
	CHECK_OK(receipt_print_run(cmd, wbuf_str(&w), &e), &e);
	struct printed pr = { c.out, "K01-20250401-00017" };
	if (!t_wait_for(printed_has, &pr, 30000)) {
		char *log = t_read_file(t_path("log/error_log"), NULL);
		t_fail_at(__FILE__, __LINE__, "the queue wrote no slip; cupsd said: %s",
		    log != NULL ? log : "(no error_log)");
		free(log);
	} else {
		char *got = t_read_file(c.out, NULL);
		REQUIRE(got != NULL);
		CHECK_STR(got, wbuf_str(&w));
		CHECK(strstr(got, "受　付　票") != NULL);
		CHECK(strstr(got, "国民健康保険 資格取得届") != NULL);
		free(got);
	}
	wbuf_free(&w);
	cups_down(&c);
}

/* A queue that does not exist: lp exits non-zero and the clerk is told to
 * check the printer (the screen shows it; the audit row says print.failed). */
TEST(receipt_to_unknown_cups_queue_is_a_print_failure)
{
	struct cups c = { 0 };
	struct wbuf w;
	struct err e;
	char cmd[1200];

	cups_up(&c);
	wbuf_init(&w, 16384);
	slip_text(&w, "K01-20250401-00018");
	snprintf(cmd, sizeof(cmd), "lp -h '%s' -d no-such-queue", c.sock);
	err_clear(&e);
	CHECK_INT(receipt_print_run(cmd, wbuf_str(&w), &e), ERR_IO);
	CHECK(strstr(e.msg, "exit") != NULL);
	CHECK_STR(e.ja, "印刷できませんでした（プリンターを確認してください）");
	char *got = t_read_file(c.out, NULL);
	CHECK(got != NULL && got[0] == '\0');
	free(got);
	wbuf_free(&w);
	cups_down(&c);
}
