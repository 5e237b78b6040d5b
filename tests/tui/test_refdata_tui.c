/*
 * test_refdata_tui.c — issue 19's bank and postal reference data end to
 * end: Japan Post's KEN_ALL.CSV (Shift_JIS, split records) and npm
 * zengin-code's bank file (data/refdata) imported at a real
 * madoguchi-central on 127.0.0.1, pulled by `madoguchi sync` in protocol
 * version 3 (NET-3), then the central stopped and a form in tmux, offline:
 * a 郵便番号 fills the address (the demo city's split record included), a
 * 金融機関コード and 支店コード show the bank's and branch's names, and an
 * unknown bank or branch code is refused with a message (INT-6).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core.h"
#include "harness.h"
#include "store.h"
#include "tmux.h"

#define PW "Kanri#Mado-7351"
#define WAIT 20000

struct env {
	char cdir[512], tdir[512], key[65], addr[64];
	int port;
	pid_t pid;
};

static int
run(char *const argv[], const char *input, struct t_proc *p)
{
	REQUIRE(t_run(argv, NULL, input, input ? strlen(input) : 0, 60000, p) == 0);
	return p->status;
}

static void
central_cmd(struct env *v, const char *a1, const char *a2, const char *a3,
    const char *a4, const char *a5, struct t_proc *p)
{
	char *argv[] = { (char *)t_bin("madoguchi-central"), "--store", v->cdir,
	    (char *)a1, (char *)a2, (char *)a3, (char *)a4, (char *)a5, NULL };

	run(argv, NULL, p);
}

static int
port_open(void *arg)
{
	struct env *v = arg;
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), ok;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)v->port);
	ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

static void
import_sample(struct env *v, const char *kind, const char *file, const char *want)
{
	struct t_proc p;
	char path[1024];

	snprintf(path, sizeof(path), "%s/data/refdata/%s", t_srcdir(), file);
	central_cmd(v, "import", kind, path, NULL, NULL, &p);
	if (p.status != 0 || strstr(p.out, want) == NULL)
		t_fail_at(__FILE__, __LINE__, "import %s: %d: %s %s", kind, p.status,
		    p.out, p.err);
	t_proc_free(&p);
}

/* Import at the central, enrol T001, sync once, stop the central. */
static void
setup(struct env *v)
{
	struct t_proc p;
	struct err e;
	char token[64], in[128];
	const char *k;

	memset(v, 0, sizeof(*v));
	snprintf(v->cdir, sizeof(v->cdir), "%s", t_path("central"));
	snprintf(v->tdir, sizeof(v->tdir), "%s", t_path("terminal"));
	v->port = t_free_port();
	snprintf(v->addr, sizeof(v->addr), "127.0.0.1:%d", v->port);
	central_cmd(v, "init", NULL, NULL, NULL, NULL, &p);
	REQUIRE(p.status == 0);
	REQUIRE((k = strstr(p.out, "central public key: ")) != NULL);
	snprintf(v->key, sizeof(v->key), "%.64s", k + 20);
	t_proc_free(&p);
	import_sample(v, "banks", "zengin-data.js", "36 records, 36 codes (36 changed");
	import_sample(v, "postal", "KEN_ALL.CSV", "165 records, 160 codes");
	central_cmd(v, "terminal", "enrol", "T001", "--wards", "01", &p);
	REQUIRE(p.status == 0);
	REQUIRE(sscanf(strchr(p.out, '\n') + 1, "%32s", token) == 1);
	t_proc_free(&p);
	REQUIRE_OK(store_create(v->tdir, "admin", PW, &e), &e);
	{
		char *argv[] = { (char *)t_bin("madoguchi-central"), "--store", v->cdir,
		    "serve", "--listen", v->addr, NULL };

		v->pid = t_start(argv, NULL, t_path("central.log"));
		REQUIRE(v->pid > 0);
		REQUIRE(t_wait_for(port_open, v, 20000));
	}
	{
		char *argv[] = { (char *)t_bin("madoguchi"), "--store", v->tdir, "enroll",
		    "--central", v->addr, "--central-key", v->key, "--user", "admin",
		    "--password-stdin", "--token-stdin", NULL };

		snprintf(in, sizeof(in), "%s\n%s\n", PW, token);
		if (run(argv, in, &p) != 0)
			t_fail_at(__FILE__, __LINE__, "enroll: %s %s", p.out, p.err);
		t_proc_free(&p);
	}
	{
		char *argv[] = { (char *)t_bin("madoguchi"), "--store", v->tdir, "sync",
		    "--user", "admin", "--password-stdin", NULL };

		snprintf(in, sizeof(in), "%s\n", PW);
		if (run(argv, in, &p) != 0)
			t_fail_at(__FILE__, __LINE__, "sync: %s %s", p.out, p.err);
		/* the version that carries the reference data */
		CHECK(strstr(p.out, "protocol version 3") != NULL ||
		    strstr(p.err, "protocol version 3") != NULL);
		CHECK(strstr(p.out, "reference data: 6 banks, 30 branches, 160 postal codes")
		    != NULL);
		t_proc_free(&p);
	}
	CHECK_INT(t_stop_proc(v->pid, SIGTERM, 20000), 0);
	v->pid = 0;
}

/* The data arrived in the terminal's own tables. */
TEST(sync_brings_the_reference_data_in_protocol_3)
{
	struct env v;
	struct store *st;
	struct err e;
	long b = 0, br = 0, pc = 0;
	char name[256];
	struct ref_addr a[4];
	int n = 0;

	setup(&v);
	REQUIRE_OK(store_open(v.tdir, "admin", PW, &st, &e), &e);
	REQUIRE_OK(store_ref_counts(st, &b, &br, &pc, &e), &e);
	CHECK_INT(b, 6);
	CHECK_INT(br, 30);
	CHECK_INT(pc, 160);
	CHECK_OK(store_ref_branch_get(st, "0009", "001", name, sizeof(name), &e), &e);
	CHECK_STR(name, "神保町");
	CHECK_OK(store_ref_postal_get(st, "0285102", a, 4, &n, &e), &e);
	CHECK_INT(n, 1);
	CHECK_STR(a[0].town_full, "葛巻（第４０地割「５７番地１２５、１７６を除く」～第４５地割）");
	store_close(st);
}

static void
start_ui(struct env *v, struct tmx *t)
{
	char conf[4096], cpath[1024], screens[1024];
	char *argv[] = { (char *)t_bin("madoguchi"), "--config", cpath, NULL };

	snprintf(screens, sizeof(screens), "%s/tests/tui/screens-refdata", t_srcdir());
	snprintf(conf, sizeof(conf),
	    "[terminal]\nid = T001\n[store]\ndir = %s\n"
	    "[sync]\ncentral = %s\ncentral_key = %s\n"
	    "[ui]\nscreens = %s\nlog = %s\n", v->tdir, v->addr, v->key, screens,
	    t_path("madoguchi.log"));
	snprintf(cpath, sizeof(cpath), "%s", t_path("madoguchi.conf"));
	REQUIRE(t_write_file(cpath, conf, strlen(conf)) == 0);
	REQUIRE(tmx_start(t, 100, 30, argv) == 0);
	REQUIRE(tmx_wait(t, "アカウントとパスワードを入力してください", WAIT));
	tmx_keys(t, "Up", "C-u", NULL);
	tmx_text(t, "admin");
	tmx_keys(t, "Down", "C-u", NULL);
	tmx_text(t, PW);
	tmx_keys(t, "Enter", NULL);
	REQUIRE(tmx_wait(t, "メインメニュー", WAIT));
	/* the central is gone: everything below is offline */
	REQUIRE(tmx_wait(t, "オフライン", WAIT));
	tmx_keys(t, "F10", NULL);
	REQUIRE(tmx_wait(t, "パスワード変更", WAIT));
	tmx_keys(t, "End", "Up", "Up", "Up", "Up", NULL);
	REQUIRE(tmx_wait(t, "申請画面の試用（保存しません）", WAIT));
	tmx_keys(t, "Enter", NULL);
	REQUIRE(tmx_wait(t, "テスト用 口座・住所", WAIT));
	tmx_keys(t, "Enter", NULL);
	REQUIRE(tmx_wait(t, "利用目的", WAIT));
}

static int
shows(struct tmx *t, const char *text)
{
	char *s = tmx_capture(t);
	int r = strstr(s, text) != NULL;

	free(s);
	return r;
}

/* Wait until the form line of label shows no value. */
static int
wait_empty(struct tmx *t, const char *label)
{
	int64_t end = t_now_ms() + WAIT;

	do {
		char *s = tmx_capture(t), *l = s, *nl;
		int empty = 0;

		for (; l != NULL && *l != '\0'; l = nl != NULL ? nl + 1 : NULL) {
			char *p = l;

			nl = strchr(l, '\n');
			while (*p == ' ')
				p++;
			if (strncmp(p, label, strlen(label)) == 0) {
				p += strlen(label);
				while (*p == ' ')
					p++;
				empty = *p == '\n' || *p == '\0';
				break;
			}
		}
		free(s);
		if (empty)
			return 1;
		usleep(100000);
	} while (t_now_ms() < end);
	tmx_dump(t, "the field still has a value");
	return 0;
}

/* 郵便番号 → address; bank and branch named; unknown codes refused. */
TEST(form_names_banks_refuses_unknown_codes_fills_address_offline)
{
	struct env v;
	struct tmx t;

	setup(&v);
	start_ui(&v, &t);
	/* the demo city's long 町域, split over two KEN_ALL records */
	tmx_text(&t, "990-0599");
	tmx_keys(&t, "Tab", NULL);
	REQUIRE(tmx_wait(&t, "山形県窓口市中央区駅前", WAIT));
	CHECK(!shows(&t, "駅西口ビルを除く"));	/* the note is not an address */
	tmx_keys(&t, "Tab", NULL);		/* past the filled address */
	/* an unknown bank: refused, nothing kept */
	tmx_text(&t, "0002");
	tmx_keys(&t, "Tab", NULL);
	REQUIRE(tmx_wait(&t, "登録されていない金融機関コードです", WAIT));
	tmx_keys(&t, "C-u", NULL);
	tmx_text(&t, "0009");
	tmx_keys(&t, "Tab", NULL);
	REQUIRE(tmx_wait(&t, "三井住友", WAIT));
	/* a branch that bank does not have (みずほ's 004) */
	tmx_text(&t, "004");
	tmx_keys(&t, "Tab", NULL);
	REQUIRE(tmx_wait(&t, "この金融機関に登録されていない支店コードです", WAIT));
	tmx_keys(&t, "C-u", NULL);
	tmx_text(&t, "001");
	tmx_keys(&t, "Tab", NULL);
	REQUIRE(tmx_wait(&t, "神保町", WAIT));
	CHECK(shows(&t, "三井住友"));
	CHECK(!shows(&t, "登録されていない"));	/* the message went with its moment */
	/* empty the address, then a Japan Post record fills it */
	tmx_keys(&t, "BTab", "BTab", "BTab", NULL);	/* branch, bank, address */
	tmx_keys(&t, "C-u", "Tab", NULL);
	REQUIRE(wait_empty(&t, "住所"));
	tmx_keys(&t, "BTab", "BTab", NULL);		/* address, postal */
	tmx_keys(&t, "C-u", NULL);
	tmx_text(&t, "0640941");
	tmx_keys(&t, "Tab", NULL);
	REQUIRE(tmx_wait(&t, "064-0941", WAIT));
	if (!tmx_wait(&t, "北海道札幌市中央区旭ケ丘", WAIT))
		tmx_dump(&t, "address not filled");
	CHECK(shows(&t, "北海道札幌市中央区旭ケ丘"));
	CHECK(tmx_sanitizer_clean(&t));
	tmx_stop(&t);
}
