/*
 * tmux.h — drive a full-screen program in a real terminal (tmux) from a C
 * test suite (tests/tui/).  Header-only (static functions), because the
 * build links only harness.c from tests/lib into the suites.
 *
 *   struct tmx t;
 *   char *argv[] = { (char *)t_bin("madoguchi"), "--config", conf, NULL };
 *   REQUIRE(tmx_start(&t, 80, 24, argv) == 0);
 *   REQUIRE(tmx_wait(&t, "ログイン", 20000));
 *   tmx_keys(&t, "clerk1", "Tab", NULL);
 *   tmx_text(&t, "山田太郎");            // literal UTF-8, as an IME commits it
 *   char *screen = tmx_capture(&t);      // malloc'd
 *   tmx_stop(&t);                        // also at exit
 *
 * Each test gets its own tmux server: a socket in the test's private
 * directory (TMUX_TMPDIR) started with no configuration file, so the user's
 * tmux server is never touched.  The server is killed when the test process
 * exits, whatever the outcome.  The program's standard error goes to a file
 * (sanitizer reports land there; tmx_sanitizer_clean checks it).  When the
 * program exits the pane shows "[exited N]" and stays for capturing.
 */
#ifndef MDG_TEST_TMUX_H
#define MDG_TEST_TMUX_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core.h"
#include "harness.h"

/* Every helper is static; a suite uses some of them. */
#define TMX_FN static __attribute__((unused))

struct tmx {
	char sock[64];
	char env[1100];		/* TMUX_TMPDIR=... */
	char errpath[1024];
	int started;
};

/* A copy for the exit handler: the caller's struct may be gone by then. */
static struct tmx tmx_atexit_copy;

TMX_FN int
tmx_run(struct tmx *t, char *const *args, char **out)
{
	char *argv[32];
	char *envp[] = { t->env, NULL };
	struct t_proc p;
	int n = 0, r;

	argv[n++] = "tmux";
	argv[n++] = "-f";
	argv[n++] = "/dev/null";
	argv[n++] = "-L";
	argv[n++] = t->sock;
	for (; *args != NULL && n < 31; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	if (t_run(argv, envp, NULL, 0, 10000, &p) != 0)
		return -1;
	r = p.status;
	if (out != NULL) {
		*out = p.out;
		p.out = NULL;
	}
	t_proc_free(&p);
	return r;
}

TMX_FN void
tmx_stop(struct tmx *t)
{
	char *a[] = { "kill-server", NULL };

	if (t == NULL || !t->started)
		return;
	tmx_run(t, a, NULL);
	t->started = 0;
}

TMX_FN void
tmx_atexit(void)
{
	tmx_stop(&tmx_atexit_copy);
}

/* Single-quote s for sh into out. */
TMX_FN void
tmx_quote(char *out, size_t cap, const char *s)
{
	size_t o = strlen(out);

	if (o + 2 >= cap)
		return;
	out[o++] = '\'';
	for (; *s && o + 5 < cap; s++) {
		if (*s == '\'') {
			memcpy(out + o, "'\\''", 4);
			o += 4;
		} else
			out[o++] = *s;
	}
	out[o++] = '\'';
	out[o] = '\0';
}

/* Start argv in a detached session of cols×rows.  extra_env (may be NULL)
 * is "NAME=value ..." put in front of the program (already quoted). */
TMX_FN int
tmx_start_env(struct tmx *t, int cols, int rows, const char *extra_env, char *const argv[])
{
	char cmd[4096], w[16], h[16];
	int r;

	memset(t, 0, sizeof(*t));
	snprintf(t->sock, sizeof(t->sock), "mdg-tui-%d", (int)getpid());
	snprintf(t->env, sizeof(t->env), "TMUX_TMPDIR=%s", t_tmpdir());
	snprintf(t->errpath, sizeof(t->errpath), "%s/tmx-stderr", t_tmpdir());
	snprintf(cmd, sizeof(cmd), "env LANG=C.UTF-8 LC_ALL=C.UTF-8 %s", extra_env ? extra_env : "");
	for (int i = 0; argv[i] != NULL; i++) {
		strcat(cmd, " ");
		tmx_quote(cmd, sizeof(cmd), argv[i]);
	}
	strcat(cmd, " 2>>");
	tmx_quote(cmd, sizeof(cmd), t->errpath);
	/* on a line of its own, also after a program killed in raw mode
	 * (no CR on LF) whose shell's "Killed ..." report may wrap anywhere */
	strcat(cmd, "; rc=$?; stty sane 2>/dev/null; printf '\\r\\n[exited %d]\\r\\n' \"$rc\"; "
	    "sleep 3600");
	snprintf(w, sizeof(w), "%d", cols);
	snprintf(h, sizeof(h), "%d", rows);
	{
		char *a[] = { "new-session", "-d", "-s", "t", "-x", w, "-y", h, cmd, NULL };
		if ((r = tmx_run(t, a, NULL)) != 0)
			return -1;
	}
	t->started = 1;
	if (!tmx_atexit_copy.started)
		atexit(tmx_atexit);
	tmx_atexit_copy = *t;
	{
		char *a1[] = { "set-option", "-g", "window-size", "manual", NULL };
		char *a2[] = { "set-option", "-g", "status", "off", NULL };
		char *a3[] = { "resize-window", "-t", "t", "-x", w, "-y", h, NULL };
		tmx_run(t, a1, NULL);
		tmx_run(t, a2, NULL);
		tmx_run(t, a3, NULL);
	}
	return 0;
}

TMX_FN int
tmx_start(struct tmx *t, int cols, int rows, char *const argv[])
{
	return tmx_start_env(t, cols, rows, NULL, argv);
}

/* tmux key names (Enter Tab BTab Escape F1 Up C-u ...) or plain words,
 * NULL-terminated. */
TMX_FN void
tmx_keys(struct tmx *t, ...)
{
	char *a[28];
	int n = 0;
	va_list ap;

	a[n++] = "send-keys";
	a[n++] = "-t";
	a[n++] = "t";
	va_start(ap, t);
	for (char *k = va_arg(ap, char *); k != NULL && n < 27; k = va_arg(ap, char *))
		a[n++] = k;
	va_end(ap);
	a[n] = NULL;
	tmx_run(t, a, NULL);
	usleep(30000);	/* let the program take them in order with the next */
}

/* Literal text, UTF-8 included. */
TMX_FN void
tmx_text(struct tmx *t, const char *s)
{
	char *a[] = { "send-keys", "-t", "t", "-l", "--", (char *)s, NULL };

	tmx_run(t, a, NULL);
	usleep(30000);
}

/* The pane as text (malloc'd; "" when it cannot be captured). */
TMX_FN char *
tmx_capture(struct tmx *t)
{
	char *a[] = { "capture-pane", "-p", "-t", "t", NULL };
	char *out = NULL;

	if (tmx_run(t, a, &out) != 0 || out == NULL) {
		free(out);
		out = calloc(1, 1);
	}
	return out;
}

TMX_FN int
tmx_resize(struct tmx *t, int cols, int rows)
{
	char w[16], h[16];
	char *a[] = { "resize-window", "-t", "t", "-x", w, "-y", h, NULL };

	snprintf(w, sizeof(w), "%d", cols);
	snprintf(h, sizeof(h), "%d", rows);
	return tmx_run(t, a, NULL);
}

TMX_FN void
tmx_dump(struct tmx *t, const char *why)
{
	char *s = tmx_capture(t);

	char *err;
	size_t n;

	printf("    %s; the screen was:\n", why);
	for (char *line = strtok(s, "\n"); line != NULL; line = strtok(NULL, "\n"))
		printf("    | %s\n", line);
	free(s);
	if ((err = t_read_file(t->errpath, &n)) != NULL && n > 0)
		printf("    standard error:\n%s\n", err);
	free(err);
}

/* Wait until the pane shows (want 1) or no longer shows (want 0) text.
 * Returns 1 on success; on a timeout prints the screen and returns 0. */
TMX_FN int
tmx_wait_state(struct tmx *t, const char *text, int want, int timeout_ms)
{
	int64_t end = t_now_ms() + timeout_ms;
	char why[256];

	do {
		char *s = tmx_capture(t);
		int has = strstr(s, text) != NULL;
		free(s);
		if (has == want)
			return 1;
		usleep(100000);
	} while (t_now_ms() < end);
	snprintf(why, sizeof(why), "\"%s\" %s after %d ms", text, want ? "not shown" : "still shown",
	    timeout_ms);
	tmx_dump(t, why);
	return 0;
}

TMX_FN int
tmx_wait(struct tmx *t, const char *text, int timeout_ms)
{
	return tmx_wait_state(t, text, 1, timeout_ms);
}

TMX_FN int
tmx_wait_gone(struct tmx *t, const char *text, int timeout_ms)
{
	return tmx_wait_state(t, text, 0, timeout_ms);
}

/* The display column (0-based; a full-width character counts two) at which
 * marker starts on the first line of screen containing line_has, or -1. */
TMX_FN int
tmx_col(const char *screen, const char *line_has, const char *marker)
{
	const char *l = strstr(screen, line_has), *bol, *m, *eol;

	if (l == NULL)
		return -1;
	for (bol = l; bol > screen && bol[-1] != '\n'; bol--)
		;
	eol = strchr(l, '\n');
	m = strstr(bol, marker);
	if (m == NULL || (eol != NULL && m > eol))
		return -1;
	return utf8_width(bol, (size_t)(m - bol));
}

/* No sanitizer report in the program's standard error. */
TMX_FN int
tmx_sanitizer_clean(struct tmx *t)
{
	size_t n;
	char *s = t_read_file(t->errpath, &n);
	int clean = 1;

	if (s != NULL && (strstr(s, "Sanitizer") != NULL || strstr(s, "runtime error:") != NULL)) {
		printf("    sanitizer report:\n%s\n", s);
		clean = 0;
	}
	free(s);
	return clean;
}

#endif
