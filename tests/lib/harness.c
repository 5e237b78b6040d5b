/*
 * harness.c — main() for every C test suite; see harness.h.
 */
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>

#define T_MAX 1024
#define T_EXIT_FAIL 1
#define T_EXIT_SKIP 77

static struct { const char *name; t_fn fn; } tests[T_MAX];
static int ntests;
static int cur_failed;
static char cur_tmp[PATH_MAX];

void
t_register(const char *name, t_fn fn)
{
	if (ntests < T_MAX) {
		tests[ntests].name = name;
		tests[ntests].fn = fn;
		ntests++;
	}
}

void
t_fail_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	cur_failed = 1;
	fprintf(stdout, "    %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

void
t_stop(void)
{
	fflush(stdout);
	exit(T_EXIT_FAIL);
}

void
t_skip(const char *fmt, ...)
{
	va_list ap;

	fprintf(stdout, "    skipped: ");
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
	exit(T_EXIT_SKIP);
}

int
t_failed(void)
{
	return cur_failed;
}

const char *
t_tmpdir(void)
{
	return cur_tmp;
}

static char *
t_ring(void)
{
	static char ring[8][PATH_MAX];
	static int slot;

	slot = (slot + 1) % 8;
	return ring[slot];
}

const char *
t_path(const char *name)
{
	char *b = t_ring();

	snprintf(b, PATH_MAX, "%s/%s", cur_tmp, name);
	return b;
}

const char *
t_srcdir(void)
{
	const char *s = getenv("MDG_SRCDIR");

	return s != NULL ? s : ".";
}

const char *
t_builddir(void)
{
	const char *s = getenv("MDG_BUILDDIR");

	return s != NULL ? s : "build/san";
}

const char *
t_bin(const char *name)
{
	char *b = t_ring();

	snprintf(b, PATH_MAX, "%s/bin/%s", t_builddir(), name);
	return b;
}

int
t_write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	int r = 0;

	if (f == NULL)
		return -1;
	if (len > 0 && fwrite(data, 1, len, f) != len)
		r = -1;
	if (fclose(f) != 0)
		r = -1;
	return r;
}

char *
t_read_file(const char *path, size_t *lenp)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL, *nb;
	size_t len = 0, cap = 0, n;

	if (f == NULL)
		return NULL;
	for (;;) {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			if ((nb = realloc(buf, cap + 1)) == NULL) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		if (n == 0)
			break;
		len += n;
	}
	fclose(f);
	buf[len] = '\0';
	if (lenp != NULL)
		*lenp = len;
	return buf;
}

static const void *scan_needle;
static size_t scan_len;
static char scan_hit[PATH_MAX];

static int
scan_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	char *data;
	size_t len;

	(void)ftw;
	if (flag != FTW_F || !S_ISREG(st->st_mode))
		return 0;
	if ((data = t_read_file(path, &len)) == NULL)
		return 0;
	if (len >= scan_len && memmem(data, len, scan_needle, scan_len) != NULL) {
		snprintf(scan_hit, sizeof(scan_hit), "%s", path);
		free(data);
		return 1;
	}
	free(data);
	return 0;
}

const char *
t_dir_contains(const char *dir, const void *needle, size_t len)
{
	scan_needle = needle;
	scan_len = len;
	if (nftw(dir, scan_one, 16, FTW_PHYS) == 1)
		return scan_hit;
	return NULL;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void
rm_tree(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int64_t
t_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
child_exec(char *const argv[], char *const envp[])
{
	if (envp != NULL)
		for (; *envp != NULL; envp++)
			putenv(*envp);
	execvp(argv[0], argv);
	fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static int
append(char **buf, size_t *len, size_t *cap, const char *data, size_t n)
{
	char *nb;

	if (*len + n + 1 > *cap) {
		size_t nc = (*cap ? *cap * 2 : 4096);
		while (nc < *len + n + 1)
			nc *= 2;
		if ((nb = realloc(*buf, nc)) == NULL)
			return -1;
		*buf = nb;
		*cap = nc;
	}
	memcpy(*buf + *len, data, n);
	*len += n;
	(*buf)[*len] = '\0';
	return 0;
}

int
t_run(char *const argv[], char *const envp[], const char *input, size_t inlen,
    int timeout_ms, struct t_proc *p)
{
	int in[2], out[2], err[2], st;
	size_t outcap = 0, errcap = 0, inoff = 0;
	int64_t deadline = t_now_ms() + timeout_ms;
	pid_t pid;
	char buf[8192];

	memset(p, 0, sizeof(*p));
	if (pipe(in) == -1 || pipe(out) == -1 || pipe(err) == -1)
		return -1;
	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(in[0]); close(in[1]); close(out[0]); close(out[1]);
		close(err[0]); close(err[1]);
		child_exec(argv, envp);
	}
	close(in[0]);
	close(out[1]);
	close(err[1]);
	if (input == NULL || inlen == 0) {
		close(in[1]);
		in[1] = -1;
	} else
		fcntl(in[1], F_SETFL, O_NONBLOCK);
	signal(SIGPIPE, SIG_IGN);
	append(&p->out, &p->outlen, &outcap, "", 0);
	append(&p->err, &p->errlen, &errcap, "", 0);
	while (out[0] != -1 || err[0] != -1) {
		struct pollfd pf[3];
		int n = 0, left = (int)(deadline - t_now_ms());

		if (left <= 0) {
			kill(pid, SIGKILL);
			p->timed_out = 1;
			break;
		}
		if (out[0] != -1) { pf[n].fd = out[0]; pf[n].events = POLLIN; n++; }
		if (err[0] != -1) { pf[n].fd = err[0]; pf[n].events = POLLIN; n++; }
		if (in[1] != -1) { pf[n].fd = in[1]; pf[n].events = POLLOUT; n++; }
		if (poll(pf, n, left) <= 0)
			continue;
		for (int i = 0; i < n; i++) {
			ssize_t r;
			if (pf[i].revents == 0)
				continue;
			if (pf[i].fd == in[1]) {
				r = write(in[1], input + inoff, inlen - inoff);
				if (r > 0)
					inoff += (size_t)r;
				if (r < 0 || inoff == inlen) {
					close(in[1]);
					in[1] = -1;
				}
				continue;
			}
			r = read(pf[i].fd, buf, sizeof(buf));
			if (r <= 0) {
				close(pf[i].fd);
				if (pf[i].fd == out[0]) out[0] = -1; else err[0] = -1;
				continue;
			}
			if (pf[i].fd == out[0])
				append(&p->out, &p->outlen, &outcap, buf, (size_t)r);
			else
				append(&p->err, &p->errlen, &errcap, buf, (size_t)r);
		}
	}
	if (in[1] != -1) close(in[1]);
	if (out[0] != -1) close(out[0]);
	if (err[0] != -1) close(err[0]);
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		;
	p->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return 0;
}

void
t_proc_free(struct t_proc *p)
{
	free(p->out);
	free(p->err);
	memset(p, 0, sizeof(*p));
}

pid_t
t_start(char *const argv[], char *const envp[], const char *logpath)
{
	pid_t pid = fork();
	int fd;

	if (pid != 0)
		return pid;
	fd = open(logpath ? logpath : "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (fd != -1) {
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
	}
	fd = open("/dev/null", O_RDONLY);
	if (fd != -1) {
		dup2(fd, 0);
		close(fd);
	}
	setpgid(0, 0);
	child_exec(argv, envp);
	return -1;
}

int
t_stop_proc(pid_t pid, int sig, int timeout_ms)
{
	int64_t deadline = t_now_ms() + timeout_ms;
	int st;

	if (pid <= 0)
		return -1;
	kill(pid, sig);
	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		if (r == -1)
			return -1;
		if (t_now_ms() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return 128 + SIGKILL;
		}
		usleep(10000);
	}
}

int
t_wait_for(int (*fn)(void *), void *arg, int timeout_ms)
{
	int64_t deadline = t_now_ms() + timeout_ms;

	do {
		if (fn(arg))
			return 1;
		usleep(20000);
	} while (t_now_ms() < deadline);
	return fn(arg);
}

int
t_free_port(void)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

	if (fd == -1)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &sl) == 0)
		port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

static int
selected(const char *name, int argc, char **argv)
{
	if (argc < 2)
		return 1;
	for (int i = 1; i < argc; i++)
		if (strstr(name, argv[i]) != NULL)
			return 1;
	return 0;
}

/* Run one test in a child; returns 0 pass, 1 fail, 2 skip. */
static int
run_one(int i, int timeout_ms)
{
	const char *base = getenv("TMPDIR");
	int64_t deadline;
	pid_t pid;
	int st, r;

	snprintf(cur_tmp, sizeof(cur_tmp), "%s/mdg-t-XXXXXX", base ? base : "/tmp");
	if (mkdtemp(cur_tmp) == NULL) {
		printf("FAIL %s: cannot make a temporary directory\n", tests[i].name);
		return 1;
	}
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == 0) {
		setpgid(0, 0);
		cur_failed = 0;
		tests[i].fn();
		fflush(stdout);
		exit(cur_failed ? T_EXIT_FAIL : 0);
	}
	deadline = t_now_ms() + timeout_ms;
	for (;;) {
		pid_t w = waitpid(pid, &st, WNOHANG);
		if (w == pid)
			break;
		if (t_now_ms() > deadline) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			printf("    timed out after %d ms\n", timeout_ms);
			st = -1;
			break;
		}
		usleep(2000);
	}
	/* Anything the test started in its process group goes too. */
	kill(-pid, SIGKILL);
	rm_tree(cur_tmp);
	if (st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0)
		r = 0;
	else if (st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == T_EXIT_SKIP)
		r = 2;
	else {
		if (st != -1 && WIFSIGNALED(st))
			printf("    killed by signal %d\n", WTERMSIG(st));
		else if (st != -1 && WEXITSTATUS(st) != T_EXIT_FAIL)
			printf("    exited with status %d (sanitizer report above?)\n", WEXITSTATUS(st));
		r = 1;
	}
	printf("%s %s\n", r == 0 ? "ok  " : r == 1 ? "FAIL" : "skip", tests[i].name);
	fflush(stdout);
	return r;
}

int
main(int argc, char **argv)
{
	int passed = 0, failed = 0, skipped = 0;
	const char *to = getenv("T_TIMEOUT_MS");
	int timeout_ms = to ? atoi(to) : 300000;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 0; i < ntests; i++) {
		if (!selected(tests[i].name, argc, argv))
			continue;
		switch (run_one(i, timeout_ms)) {
		case 0: passed++; break;
		case 1: failed++; break;
		default: skipped++; break;
		}
	}
	if (skipped)
		printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
	else
		printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
