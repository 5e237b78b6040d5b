/*
 * test_face.c — the card's face on the identity screen (issue 11, "The
 * face on the screen"; ID-1 身元確認, SC-3).
 *
 * tests/tools/face-screen draws the committed demo images
 * (data/cards/faces/demo-1*) through the identity screen's own calls
 * (ui_face_load, ui_face_draw), around the result screen's record rows:
 *   - in tmux at 120×40 the photo area at the right holds half-block
 *     characters, and so do the 氏名/住所 rows under the record;
 *   - at 80×24 there is no image and a readable line says why;
 *   - with [ui] graphics = none the line says images are off;
 *   - on a pty that answers DA1 with 4 (sixel), the images go out as sixel
 *     at their cells; a popup over them first clears the screen and writes
 *     no sixel while it is up; closing it puts them back (Debian 12's
 *     tmux has no sixel, so this path is checked by the bytes);
 *   - no file the runs created holds image bytes (leak scan);
 *   - and the whole way: madoguchi, a private pcscd and mynacard-sim with
 *     demo-5's card carrying the demo images, F2 with 照合番号B: the photo
 *     is on the result screen as half blocks.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "pcsc_rig.h"
#include "store.h"
#include "tmux.h"

static const char *const half_blocks[] = { "▀", "▄", "▌", "▐" };

static const char *
tool(void)
{
	static char bin[4096];

	snprintf(bin, sizeof(bin), "%s/tests/tools/face-screen", t_builddir());
	return bin;
}

static const char *
face_file(const char *name)
{
	static char p[4][4096];
	static int k;

	char rel[4096];

	k = (k + 1) % 4;
	snprintf(rel, sizeof(rel), "%s/data/cards/faces/%s", t_srcdir(), name);
	/* absolute: the simulator reads file: paths from the profile's own
	 * directory */
	if (realpath(rel, p[k]) == NULL)
		snprintf(p[k], sizeof(p[k]), "%s", rel);
	return p[k];
}

static const char *
write_conf(const char *graphics)
{
	char text[2048];
	const char *path = t_path("face.conf");

	snprintf(text, sizeof(text), "[ui]\ngraphics = %s\nlog = %s\n", graphics, t_path("face.log"));
	if (t_write_file(path, text, strlen(text)) != 0) {
		t_fail_at(__FILE__, __LINE__, "cannot write %s", path);
		t_stop();
	}
	return path;
}

/* Half-block characters in s[0..n). */
static int
count_blocks(const char *s, size_t n)
{
	int c = 0;

	for (size_t i = 0; i + 3 <= n; i++)
		for (size_t k = 0; k < 4; k++)
			if (memcmp(s + i, half_blocks[k], 3) == 0)
				c++;
	return c;
}

/* The screen line that contains `has` (index), or -1; lines split at \n. */
static int
line_of(char **lines, int n, const char *has)
{
	for (int i = 0; i < n; i++)
		if (strstr(lines[i], has) != NULL)
			return i;
	return -1;
}

static int
split_lines(char *s, char **lines, int max)
{
	int n = 0;

	for (char *p = s; n < max; ) {
		lines[n++] = p;
		if ((p = strchr(p, '\n')) == NULL)
			break;
		*p++ = '\0';
	}
	return n;
}

/* Half blocks in columns [from, to) of a screen line (display columns). */
static int
blocks_in_cols(const char *line, int from, int to)
{
	int used = 0;
	size_t a = utf8_cut(line, strlen(line), from, &used);
	size_t b = utf8_cut(line, strlen(line), to, &used);

	return b > a ? count_blocks(line + a, b - a) : 0;
}

static void
start_tool(struct tmx *t, int cols, int rows, const char *graphics)
{
	char *argv[] = { (char *)tool(), (char *)write_conf(graphics),
		(char *)face_file("demo-1.jp2"), (char *)face_file("demo-1-name.png"),
		(char *)face_file("demo-1-addr.png"), NULL };

	REQUIRE(tmx_start_env(t, cols, rows, "TERM=tmux-256color", argv) == 0);
}

/* Bytes of the committed images that must never reach a file: a stretch
 * from the middle of each (past the headers every PNG/JP2 shares). */
static void
leak_scan(void)
{
	static const char *const files[] = { "demo-1.jp2", "demo-1-name.png", "demo-1-addr.png" };

	for (int i = 0; i < 3; i++) {
		size_t n;
		char *p = t_read_file(face_file(files[i]), &n);
		REQUIRE(p != NULL && n > 120);
		const char *hit = t_dir_contains(t_tmpdir(), p + n / 2, 24);
		if (hit != NULL)
			t_fail_at(__FILE__, __LINE__, "bytes of %s found in %s", files[i], hit);
		free(p);
	}
	/* a sixel image goes to the terminal only */
	CHECK(t_dir_contains(t_tmpdir(), "\033P0;1;0q", 8) == NULL);
}

/* 120×40 (ID-1): the photo beside the record as half blocks, the 氏名 and
 * 住所 images under it; nothing of the photo left of its panel. */
TEST(face_photo_half_blocks_at_120x40)
{
	struct tmx t;
	char *s, *lines[64];
	int n, lab, name;

	start_tool(&t, 120, 40, "auto");	/* under tmux, auto is symbols */
	if (!tmx_wait(&t, "顔写真（カード）", 20000)) {
		tmx_dump(&t, "no photo panel");
		t_stop();
	}
	s = tmx_capture(&t);
	n = split_lines(s, lines, 64);
	lab = line_of(lines, n, "顔写真（カード）");
	REQUIRE(lab >= 0);
	/* the panel: 24 columns at the right, 16 rows under its label */
	int in_panel = 0, left_of_panel = 0;
	for (int r = lab + 1; r <= lab + 16 && r < n; r++) {
		in_panel += blocks_in_cols(lines[r], 120 - 26, 120);
		if (r < lab + 12)	/* the record rows: text only */
			left_of_panel += blocks_in_cols(lines[r], 0, 120 - 27);
	}
	if (in_panel < 150)
		tmx_dump(&t, "too few half blocks in the photo area");
	CHECK(in_panel >= 150);
	CHECK_INT(left_of_panel, 0);
	/* nothing above the panel */
	for (int r = 0; r < lab; r++)
		CHECK_INT(count_blocks(lines[r], strlen(lines[r])), 0);
	/* the record is still readable beside it */
	CHECK(line_of(lines, n, "窓口市東区東山１丁目３番８号") >= 0);
	/* the name image under the record */
	name = line_of(lines, n, "氏名（画像）");
	CHECK(name > lab);
	if (name > 0)
		CHECK(blocks_in_cols(lines[name], 14, 120 - 27) > 10);
	CHECK(line_of(lines, n, "住所（画像）") > name);
	free(s);
	tmx_keys(&t, "q", NULL);
	CHECK(tmx_wait(&t, "[exited 0]", 20000));
	CHECK(tmx_sanitizer_clean(&t));
	tmx_stop(&t);
	leak_scan();
}

/* 80×24: no room for the photo; a line says so, and no half blocks. */
TEST(face_fallback_at_80x24)
{
	struct tmx t;
	char *s;

	start_tool(&t, 80, 24, "symbols");
	if (!tmx_wait(&t, "顔写真: 画面が狭いため表示できません", 20000)) {
		tmx_dump(&t, "no fallback line");
		t_stop();
	}
	s = tmx_capture(&t);
	CHECK_INT(count_blocks(s, strlen(s)), 0);
	CHECK(strstr(s, "顔写真（カード）") == NULL);
	free(s);
	/* made larger, the photo comes (the layout follows the size) */
	tmx_resize(&t, 120, 40);
	CHECK(tmx_wait(&t, "顔写真（カード）", 20000));
	tmx_keys(&t, "q", NULL);
	CHECK(tmx_wait(&t, "[exited 0]", 20000));
	CHECK(tmx_sanitizer_clean(&t));
	tmx_stop(&t);
	leak_scan();
}

/* [ui] graphics = none: a line says images are off, none are drawn. */
TEST(face_graphics_none)
{
	struct tmx t;
	char *s;

	start_tool(&t, 120, 40, "none");
	if (!tmx_wait(&t, "画像表示が無効です", 20000)) {
		tmx_dump(&t, "no 'off' line");
		t_stop();
	}
	s = tmx_capture(&t);
	CHECK_INT(count_blocks(s, strlen(s)), 0);
	free(s);
	tmx_keys(&t, "q", NULL);
	CHECK(tmx_wait(&t, "[exited 0]", 20000));
	tmx_stop(&t);
}

/* ------------------------------------------------------------- sixel */

struct pty_run {
	int fd;
	pid_t pid;
	char *buf;
	size_t len, cap;
};

static void
pty_read_some(struct pty_run *p, int ms)
{
	struct pollfd pf = { .fd = p->fd, .events = POLLIN };

	if (poll(&pf, 1, ms) <= 0)
		return;
	if (p->len + 65536 + 1 > p->cap) {
		p->cap = (p->len + 65536 + 1) * 2;
		p->buf = realloc(p->buf, p->cap);
		REQUIRE(p->buf != NULL);
	}
	ssize_t n = read(p->fd, p->buf + p->len, 65536);
	if (n > 0) {
		p->len += (size_t)n;
		p->buf[p->len] = '\0';
	}
}

static const char *
memfind(const char *h, size_t hn, const char *n, size_t nn)
{
	if (nn == 0 || hn < nn)
		return NULL;
	for (size_t i = 0; i + nn <= hn; i++)
		if (memcmp(h + i, n, nn) == 0)
			return h + i;
	return NULL;
}

/* Read until needle appears at or after offset from; its offset, or -1
 * when the program ends or the test's own limit comes first. */
static long
pty_wait(struct pty_run *p, size_t from, const char *needle, size_t nn)
{
	int64_t end = t_now_ms() + 30000;

	for (;;) {
		const char *f = from <= p->len ? memfind(p->buf + from, p->len - from, needle, nn) : NULL;
		if (f != NULL)
			return (long)(f - p->buf);
		if (t_now_ms() > end)
			return -1;
		size_t before = p->len;
		pty_read_some(p, 200);
		if (p->len == before && waitpid(p->pid, NULL, WNOHANG) == p->pid) {
			p->pid = -1;
			return -1;
		}
	}
}

#define PTY_WAIT(p, from, lit) pty_wait((p), (from), (lit), sizeof(lit) - 1)

static int
count_in(const char *s, size_t n, const char *needle)
{
	int c = 0;
	size_t nn = strlen(needle);

	for (const char *f; (f = memfind(s, n, needle, nn)) != NULL; ) {
		c++;
		n -= (size_t)(f - s) + nn;
		s = f + nn;
	}
	return c;
}

/* auto on a terminal that lists 4 in DA1: sixel at the images' cells; a
 * popup erases them (clear screen first, no sixel while it is up) and its
 * closing brings them back. */
TEST(face_sixel_bytes_and_popup)
{
	struct winsize ws = { .ws_row = 40, .ws_col = 120 };
	struct pty_run p = { 0 };
	const char *conf = write_conf("auto");
	long q, s1, clear, popup, back;
	int status = 0;

	p.pid = forkpty(&p.fd, NULL, NULL, &ws);
	REQUIRE(p.pid >= 0);
	if (p.pid == 0) {
		char *argv[] = { (char *)tool(), (char *)conf, (char *)face_file("demo-1.jp2"),
			(char *)face_file("demo-1-name.png"), (char *)face_file("demo-1-addr.png"),
			NULL };
		setenv("TERM", "xterm-256color", 1);
		setenv("LANG", "C.UTF-8", 1);
		setenv("LC_ALL", "C.UTF-8", 1);
		setenv("ESCDELAY", "25", 1);
		execv(argv[0], argv);
		_exit(127);
	}
	/* the terminal is asked for its cell size and attributes: answer as a
	 * sixel terminal with 10×20-pixel cells */
	q = PTY_WAIT(&p, 0, "\033[16t\033[c");
	REQUIRE(q >= 0);
	REQUIRE(write(p.fd, "\033[6;20;10t\033[?62;4;22c", 22) == 22);
	/* the photo at row 8, column 95 (1-based: the panel under its label at
	 * the right of 120 columns), then the 氏名 image at row 20, column 15 */
	s1 = PTY_WAIT(&p, (size_t)q, "\0337\033[8;95H\033P");
	if (s1 < 0)
		t_fail_at(__FILE__, __LINE__, "no sixel photo at 8;95 in %zu bytes", p.len);
	REQUIRE(s1 >= 0);
	REQUIRE(PTY_WAIT(&p, (size_t)s1, "\033\\\0338") > s1);
	CHECK(PTY_WAIT(&p, (size_t)s1, "\0337\033[20;15H\033P") > s1);
	{
		/* all three sixel images of the first screen */
		long last = -1;
		for (int i = 0; i < 3; i++) {
			last = PTY_WAIT(&p, last < 0 ? (size_t)q : (size_t)last + 1, "\033P");
			CHECK(last >= 0);
		}
		REQUIRE(PTY_WAIT(&p, (size_t)(last > 0 ? last : 0), "\0338") >= 0);
	}
	size_t before_popup = p.len;
	REQUIRE(write(p.fd, "p", 1) == 1);
	popup = PTY_WAIT(&p, before_popup, "閉じると画像が戻ります");
	REQUIRE(popup >= 0);
	clear = PTY_WAIT(&p, before_popup, "\033[2J");
	CHECK(clear >= 0 && clear < popup);			/* erased first */
	/* under the popup the area is half blocks (drawn as text) */
	if (clear >= 0 && clear < popup)
		CHECK(count_blocks(p.buf + clear, (size_t)(popup - clear)) > 50);
	size_t before_close = p.len;
	REQUIRE(write(p.fd, "\033", 1) == 1);
	back = PTY_WAIT(&p, before_close, "\0337\033[8;95H\033P");
	CHECK(back >= 0);
	/* no sixel between the popup's opening and its closing */
	CHECK_INT(count_in(p.buf + before_popup, before_close - before_popup, "\033P"), 0);
	/* quit; the screen is cleared on the way out */
	if (back >= 0)
		PTY_WAIT(&p, (size_t)back, "\0338");
	size_t before_quit = p.len;
	REQUIRE(write(p.fd, "q", 1) == 1);
	while (p.pid > 0 && waitpid(p.pid, &status, WNOHANG) == 0)
		pty_read_some(&p, 200);
	for (int i = 0; i < 20; i++)
		pty_read_some(&p, 50);
	CHECK(memfind(p.buf + before_quit, p.len - before_quit, "\033[2J", 4) != NULL);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(memfind(p.buf, p.len, "Sanitizer", 9) == NULL);
	close(p.fd);
	free(p.buf);
	leak_scan();
}

/* ---------------------------------------------- through the real screen */

#define CLERK_PW "Hana#7391kx"

/* The whole way: a private pcscd with mynacard-sim holding demo-5's card
 * with the committed demo images, madoguchi in tmux at 120×40, F2, a
 * 照合番号B read: the result screen shows the photo as half blocks at
 * the right, and nothing of it reaches a file (ID-1, ID-5). */
TEST(face_on_the_identity_screen_after_a_b_read)
{
	struct store *st;
	struct account a;
	struct tmx t;
	struct err e;
	char text[4096], port[16], sock[600], env[700], rigdir[512];
	pid_t pcscd, sim;
	size_t n;
	char *prof;

	/* store: an administrator and one clerk */
	REQUIRE_OK(store_create(t_path("store"), "admin", CLERK_PW, &e), &e);
	REQUIRE_OK(store_open(t_path("store"), "admin", CLERK_PW, &st, &e), &e);
	memset(&a, 0, sizeof(a));
	snprintf(a.name, sizeof(a.name), "clerk1");
	snprintf(a.display, sizeof(a.display), "窓口 花子");
	a.role = ROLE_CLERK;
	REQUIRE_OK(store_account_add(st, &a, CLERK_PW, &e), &e);
	store_close(st);
	snprintf(text, sizeof(text),
	    "[terminal]\nid = T001\n[store]\ndir = %s\n[ui]\nlog = %s\ngraphics = symbols\n",
	    t_path("store"), t_path("madoguchi.log"));
	REQUIRE(t_write_file(t_path("madoguchi.conf"), text, strlen(text)) == 0);

	/* demo-5's card, with its face images */
	snprintf(text, sizeof(text), "%s/data/cards/demo-5.card", t_srcdir());
	REQUIRE((prof = t_read_file(text, &n)) != NULL);
	{
		/* the profile names its images (data/cards/faces); this copy
		 * names copies beside it instead, removed before the leak scan */
		char *l, *save = NULL;
		size_t o = 0;

		for (l = strtok_r(prof, "\n", &save); l != NULL; l = strtok_r(NULL, "\n", &save))
			if (strncmp(l, "photo", 5) != 0 && strncmp(l, "name_image", 10) != 0 &&
			    strncmp(l, "address_image", 13) != 0)
				o += (size_t)snprintf(text + o, sizeof(text) - o, "%s\n", l);
		snprintf(text + o, sizeof(text) - o, "photo = in-photo.jp2\nname_image = in-name.png\n"
		    "address_image = in-addr.png\n");
	}
	free(prof);
	REQUIRE(t_write_file(t_path("face-demo-5.card"), text, strlen(text)) == 0);
	{
		/* the simulator signs with the committed test keys beside its
		 * profile (data/cards/keys) */
		char rel[4096], abs[4096];
		snprintf(rel, sizeof(rel), "%s/data/cards/keys", t_srcdir());
		REQUIRE(realpath(rel, abs) != NULL);
		REQUIRE(symlink(abs, t_path("keys")) == 0);
		/* and its JPKI certificates (data/cards/jpki, issue 11) */
		snprintf(rel, sizeof(rel), "%s/data/cards/jpki", t_srcdir());
		REQUIRE(realpath(rel, abs) != NULL);
		REQUIRE(symlink(abs, t_path("jpki")) == 0);
	}
	{
		/* beside the profile (its paths are relative to it); removed
		 * before the leak scan with the profile */
		static const char *const from[] = { "demo-5.jp2", "demo-5-name.png", "demo-5-addr.png" };
		static const char *const to[] = { "in-photo.jp2", "in-name.png", "in-addr.png" };
		for (int i = 0; i < 3; i++) {
			char *b = t_read_file(face_file(from[i]), &n);
			REQUIRE(b != NULL);
			REQUIRE(t_write_file(t_path(to[i]), b, n) == 0);
			free(b);
		}
	}

	int p = rig_pair_port();
	REQUIRE(p > 0);
	snprintf(port, sizeof(port), "%d", p);
	snprintf(rigdir, sizeof(rigdir), "%s/pcscd", t_tmpdir());
	snprintf(sock, sizeof(sock), "%s/pcscd.comm", rigdir);
	snprintf(env, sizeof(env), "PCSCLITE_CSOCK_NAME=%s", sock);
	setenv("PCSCLITE_CSOCK_NAME", sock, 1);
	{
		char *const argv[] = { (char *)t_bin("mynacard-sim"), "--die-with-parent",
		    "--pcscd", rigdir, "--port", port, NULL };
		REQUIRE((pcscd = t_start(argv, NULL, t_path("pcscd.log"))) > 0);
	}
	REQUIRE(t_wait_for(rig_reader_up, NULL, 10000));
	{
		char *const argv[] = { (char *)t_bin("mynacard-sim"), "--die-with-parent",
		    "--port", port, (char *)t_path("face-demo-5.card"), NULL };
		REQUIRE((sim = t_start(argv, NULL, t_path("sim.log"))) > 0);
	}
	if (!t_wait_for(rig_card_in, NULL, 10000)) {
		char *log = t_read_file(t_path("sim.log"), NULL);
		t_fail_at(__FILE__, __LINE__, "card not in the reader: %s", log ? log : "");
		free(log);
		t_stop();
	}

	{
		char conf[1024], qenv[800] = "";
		char *argv[] = { (char *)t_bin("madoguchi"), "--config", conf, NULL };
		snprintf(conf, sizeof(conf), "%s", t_path("madoguchi.conf"));
		tmx_quote(qenv, sizeof(qenv), env);
		REQUIRE(tmx_start_env(&t, 120, 40, qenv, argv) == 0);
	}
	REQUIRE(tmx_wait(&t, "アカウントとパスワードを入力してください", 20000));
	tmx_text(&t, "clerk1");
	tmx_keys(&t, "Tab", NULL);
	tmx_text(&t, CLERK_PW);
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, "メインメニュー", 20000));
	tmx_keys(&t, "F2", NULL);
	REQUIRE(tmx_wait(&t, "本人確認の方法", 20000));
	tmx_keys(&t, "Down", "Enter", NULL);
	REQUIRE(tmx_wait(&t, "照合番号Bで読取", 20000));
	REQUIRE(tmx_wait(&t, "残り回数: ", 20000));
	tmx_text(&t, "320530");		/* 1957-05-30 as printed: 昭和32 */
	tmx_keys(&t, "Tab", NULL);
	tmx_text(&t, "2034");
	tmx_keys(&t, "Tab", NULL);
	tmx_text(&t, "1234");
	tmx_keys(&t, "Enter", NULL);
	if (!tmx_wait(&t, "顔写真（カード）", 30000)) {
		tmx_dump(&t, "no photo panel after the B read");
		t_stop();
	}
	{
		char *s = tmx_capture(&t), *lines[64];
		int nl = split_lines(s, lines, 64), lab = line_of(lines, nl, "顔写真（カード）");
		int in_panel = 0;
		REQUIRE(lab >= 0);
		for (int r = lab + 1; r <= lab + 16 && r < nl; r++)
			in_panel += blocks_in_cols(lines[r], 120 - 26, 120);
		if (in_panel < 150)
			tmx_dump(&t, "too few half blocks in the photo area");
		CHECK(in_panel >= 150);
		CHECK(line_of(lines, nl, "前田") >= 0);
		CHECK(line_of(lines, nl, "氏名（画像）") > lab);
		free(s);
	}
	/* Esc back; a PIN read shows the face too: the 個人番号 it reads is
	 * 照合番号A, which opens the 券面事項確認AP (issue 11, LAYOUT.md) */
	for (int i = 0; i < 4; i++) {
		tmx_keys(&t, "Escape", NULL);
		usleep(100000);
	}
	REQUIRE(tmx_wait(&t, "メインメニュー", 20000));
	tmx_keys(&t, "F2", NULL);
	REQUIRE(tmx_wait(&t, "本人確認の方法", 20000));
	tmx_keys(&t, "Enter", NULL);
	REQUIRE(tmx_wait(&t, "暗証番号で読取", 20000));
	REQUIRE(tmx_wait(&t, "残り回数: ", 20000));
	tmx_text(&t, "1234");
	tmx_keys(&t, "Enter", NULL);
	if (!tmx_wait(&t, "券面事項入力補助AP（暗証番号）", 30000) ||
	    !tmx_wait(&t, "顔写真（カード）", 30000)) {
		tmx_dump(&t, "no photo panel after the PIN read");
		t_stop();
	}
	{
		char *s = tmx_capture(&t), *lines[64];
		int nl = split_lines(s, lines, 64), lab = line_of(lines, nl, "顔写真（カード）");
		int in_panel = 0;
		REQUIRE(lab >= 0);
		for (int r = lab + 1; r <= lab + 16 && r < nl; r++)
			in_panel += blocks_in_cols(lines[r], 120 - 26, 120);
		CHECK(in_panel >= 150);
		CHECK(line_of(lines, nl, "氏名（画像）") > lab);
		free(s);
	}
	for (int i = 0; i < 4; i++) {
		tmx_keys(&t, "Escape", NULL);
		usleep(100000);
	}
	REQUIRE(tmx_wait(&t, "メインメニュー", 20000));
	tmx_keys(&t, "F10", NULL);
	REQUIRE(tmx_wait(&t, "パスワード変更", 20000));
	tmx_keys(&t, "End", "Enter", NULL);	/* 終了 is the last item (issue 19) */
	REQUIRE(tmx_wait(&t, "終了しますか", 20000));
	tmx_keys(&t, "y", NULL);
	CHECK(tmx_wait(&t, "[exited 0]", 20000));
	CHECK(tmx_sanitizer_clean(&t));
	tmx_stop(&t);
	t_stop_proc(sim, SIGTERM, 3000);
	t_stop_proc(pcscd, SIGTERM, 3000);
	/* the profile copy is ours: scan everything else */
	REQUIRE(unlink(t_path("face-demo-5.card")) == 0);
	REQUIRE(unlink(t_path("in-photo.jp2")) == 0);
	REQUIRE(unlink(t_path("in-name.png")) == 0);
	REQUIRE(unlink(t_path("in-addr.png")) == 0);
	{
		static const char *const files[] = { "demo-5.jp2", "demo-5-name.png", "demo-5-addr.png" };
		for (int i = 0; i < 3; i++) {
			char *b = t_read_file(face_file(files[i]), &n);
			REQUIRE(b != NULL && n > 120);
			const char *hit = t_dir_contains(t_tmpdir(), b + n / 2, 24);
			if (hit != NULL)
				t_fail_at(__FILE__, __LINE__, "bytes of %s found in %s", files[i], hit);
			free(b);
		}
	}
}
