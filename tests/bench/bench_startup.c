/*
 * bench_startup.c — the counter screens' start-up (issue 18): the time from
 * starting `madoguchi` with a store and the shipped screens (40 forms) until
 * the login form is on the terminal, measured through a pseudo-terminal the
 * way a clerk's terminal sees it.  Aim: under 200 ms.
 *
 *   bench_startup WORKDIR [RUNS]
 *
 * Prints the median and the fastest of RUNS starts (default 15).  Not a
 * test: nothing passes or fails on a number.
 */
#include <errno.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "store.h"

#define PW "Kx9#mPq2vL"

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int
count_screens(const char *dir)
{
	char cmd[4200], line[32];
	FILE *p;
	int n = 0;

	snprintf(cmd, sizeof(cmd), "ls '%s'/*.screen 2>/dev/null | wc -l", dir);
	if ((p = popen(cmd, "r")) != NULL) {
		if (fgets(line, sizeof(line), p) != NULL)
			n = atoi(line);
		pclose(p);
	}
	return n;
}

/* One start: seconds until "ログイン" appears on the pty, or -1. */
static double
one_start(const char *prog, const char *conf)
{
	struct winsize ws = { .ws_row = 40, .ws_col = 120 };
	static const char want[] = "ログイン";
	char buf[65536];
	size_t have = 0;
	double t0 = now_s(), found = -1;
	int fd, st, answered = 0;
	pid_t pid;

	pid = forkpty(&fd, NULL, NULL, &ws);
	if (pid < 0)
		return -1;
	if (pid == 0) {
		setenv("TERM", "xterm-256color", 1);
		setenv("LC_ALL", "C.UTF-8", 1);
		execl(prog, prog, "--config", conf, (char *)NULL);
		_exit(127);
	}
	while (now_s() - t0 < 10) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;

		if (poll(&p, 1, 100) <= 0)
			continue;
		if (have >= sizeof(buf) - 1)
			have = 0;	/* only the newest output matters */
		r = read(fd, buf + have, sizeof(buf) - 1 - have);
		if (r <= 0)
			break;
		have += (size_t)r;
		buf[have] = '\0';
		/* Answer the cell-size and device-attribute questions as a
		 * terminal does (xterm-like, no sixel), or the program waits
		 * for an answer that never comes (src/ui/gfx.c). */
		if (!answered && memmem(buf, have, "\033[c", 3) != NULL) {
			static const char ans[] = "\033[6;20;10t\033[?62;22c";
			if (write(fd, ans, sizeof(ans) - 1) != (ssize_t)sizeof(ans) - 1)
				break;
			answered = 1;
		}
		if (memmem(buf, have, want, sizeof(want) - 1) != NULL) {
			found = now_s() - t0;
			break;
		}
	}
	kill(pid, SIGTERM);
	/* Drain so that the program is not blocked writing its exit. */
	for (int i = 0; i < 50 && waitpid(pid, &st, WNOHANG) == 0; i++) {
		(void)read(fd, buf, sizeof(buf));
		usleep(20000);
	}
	if (waitpid(pid, &st, WNOHANG) == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
	close(fd);
	return found;
}

int
main(int argc, char **argv)
{
	const char *work = argc > 1 ? argv[1] : "/tmp";
	int runs = argc > 2 ? atoi(argv[2]) : 15, ok = 0, nscreens;
	const char *src = getenv("MDG_SRCDIR"), *bdir = getenv("MDG_BUILDDIR");
	char store[4096], conf[4096], screens[4096], prog[4096], text[8192];
	double *t;
	struct err e;
	FILE *f;

	if (src == NULL || bdir == NULL) {
		fprintf(stderr, "bench_startup: MDG_SRCDIR and MDG_BUILDDIR must be set "
		    "(scripts/bench.sh sets them)\n");
		return 2;
	}
	if (runs < 1)
		runs = 1;
	snprintf(store, sizeof(store), "%s/store", work);
	snprintf(conf, sizeof(conf), "%s/madoguchi.conf", work);
	snprintf(screens, sizeof(screens), "%s/screens", src);
	snprintf(prog, sizeof(prog), "%s/bin/madoguchi", bdir);
	nscreens = count_screens(screens);
	log_open("bench_startup", NULL, LOG_WARN);	/* not the store's info lines */
	if (store_create(store, "admin", PW, &e) != 0) {
		fprintf(stderr, "bench_startup: %s\n", e.msg);
		return 1;
	}
	snprintf(text, sizeof(text),
	    "[terminal]\nmunicipality = 窓口市\nbranch = 本庁\nid = T001\n"
	    "[store]\ndir = %s\n[ui]\nscreens = %s\nlog = %s/madoguchi.log\n",
	    store, screens, work);
	if ((f = fopen(conf, "w")) == NULL || fputs(text, f) < 0 || fclose(f) != 0) {
		perror(conf);
		return 1;
	}
	if ((t = calloc((size_t)runs, sizeof(double))) == NULL)
		return 1;
	(void)one_start(prog, conf);	/* warm the page cache */
	for (int i = 0; i < runs; i++) {
		double s = one_start(prog, conf);

		if (s >= 0)
			t[ok++] = s;
	}
	if (ok == 0) {
		fprintf(stderr, "bench_startup: the login form never appeared\n");
		return 1;
	}
	qsort(t, (size_t)ok, sizeof(double), cmp_d);
	printf("start-up to the login form, %d screens, 120x40 pty, %d/%d runs\n",
	    nscreens, ok, runs);
	printf("%-44s %10.1f ms median, %.1f ms fastest (aim: under 200 ms)\n",
	    "madoguchi to the login form", t[ok / 2] * 1000, t[0] * 1000);
	printf("RESULT startup login_form_ms_median %.2f\n", t[ok / 2] * 1000);
	printf("RESULT startup login_form_ms_fastest %.2f\n", t[0] * 1000);
	printf("RESULT startup screens %d\n", nscreens);
	free(t);
	return 0;
}
