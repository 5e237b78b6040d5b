/*
 * harness.h — the test runner every C suite uses.
 *
 * A suite is one .c file of TEST() functions; harness.c supplies main().
 * Each test runs in a forked child with its own temporary directory (removed
 * afterwards) and a time limit, so a crash, a sanitizer report or a hang
 * fails that test only.  The suite prints one line per test and ends with
 * "N passed, N failed[, N skipped]"; scripts/run-tests adds the suites up.
 *
 *   TEST(kana_halfwidth_voiced) {
 *       CHECK_STR(out, "ガ");
 *   }
 *
 * Run one suite by hand: build/san/tests/unit/test_core [NAME-SUBSTRING...]
 */
#ifndef MDG_TEST_HARNESS_H
#define MDG_TEST_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef void (*t_fn)(void);
void t_register(const char *name, t_fn fn);

#define TEST(name)                                                       \
	static void name(void);                                          \
	__attribute__((constructor)) static void t_reg_##name(void)      \
	{ t_register(#name, name); }                                     \
	static void name(void)

/* Record a failure and go on (CHECK) or stop the test (REQUIRE). */
void t_fail_at(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void t_stop(void) __attribute__((noreturn));
/* Mark the current test skipped (with a reason) and stop it. */
void t_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
int t_failed(void);

#define CHECK(c) do { if (!(c)) t_fail_at(__FILE__, __LINE__, "CHECK(%s)", #c); } while (0)
#define REQUIRE(c) do { if (!(c)) { t_fail_at(__FILE__, __LINE__, "REQUIRE(%s)", #c); t_stop(); } } while (0)
#define CHECK_INT(a, b) do { long long t_a_ = (long long)(a), t_b_ = (long long)(b); \
	if (t_a_ != t_b_) t_fail_at(__FILE__, __LINE__, "%s == %lld, expected %s == %lld", #a, t_a_, #b, t_b_); } while (0)
#define CHECK_STR(a, b) do { const char *t_a_ = (a), *t_b_ = (b); \
	if (t_a_ == NULL || t_b_ == NULL || strcmp(t_a_, t_b_) != 0) \
		t_fail_at(__FILE__, __LINE__, "%s == \"%s\", expected \"%s\"", #a, t_a_ ? t_a_ : "(null)", t_b_ ? t_b_ : "(null)"); } while (0)
#define CHECK_MEM(a, b, n) do { if (memcmp((a), (b), (n)) != 0) \
	t_fail_at(__FILE__, __LINE__, "%s differs from %s over %zu bytes", #a, #b, (size_t)(n)); } while (0)
/* For functions that return 0 or a negative error: print the error on failure. */
#define CHECK_OK(expr, errp) do { int t_r_ = (expr); if (t_r_ != 0) \
	t_fail_at(__FILE__, __LINE__, "%s = %d: %s", #expr, t_r_, (errp)->msg); } while (0)
#define REQUIRE_OK(expr, errp) do { int t_r_ = (expr); if (t_r_ != 0) { \
	t_fail_at(__FILE__, __LINE__, "%s = %d: %s", #expr, t_r_, (errp)->msg); t_stop(); } } while (0)

/* The current test's private directory (exists while the test runs). */
const char *t_tmpdir(void);
/* t_path("db") -> "<tmpdir>/db" in a static rotating buffer (8 slots). */
const char *t_path(const char *name);
/* Paths of the tree under test: the source root and the build (san) dir. */
const char *t_srcdir(void);
const char *t_builddir(void);
/* "<builddir>/bin/<name>" (static rotating buffer). */
const char *t_bin(const char *name);

/* Files. t_read_file returns malloc'd bytes (NUL-terminated) or NULL. */
int t_write_file(const char *path, const void *data, size_t len);
char *t_read_file(const char *path, size_t *len);
/* Does any file under dir (recursively) contain needle?  Returns the first
 * matching path (static buffer) or NULL.  For leak scans. */
const char *t_dir_contains(const char *dir, const void *needle, size_t len);

/* Run a program to completion with an optional standard input, a time limit
 * and captured output.  Returns 0 when it ran (see status), -1 when it could
 * not be started.  The child gets the environment plus envp (may be NULL). */
struct t_proc {
	int status;          /* exit status, or 128+signal */
	int timed_out;       /* killed with SIGKILL at the limit */
	char *out;           /* standard output, NUL-terminated */
	size_t outlen;
	char *err;           /* standard error, NUL-terminated */
	size_t errlen;
};
int t_run(char *const argv[], char *const envp[], const char *input, size_t inlen,
    int timeout_ms, struct t_proc *p);
void t_proc_free(struct t_proc *p);

/* Start a program in the background with output to logpath (may be NULL for
 * /dev/null); returns its pid or -1.  Stop it with t_stop_proc, which sends
 * sig, waits up to timeout_ms, then SIGKILLs; returns its exit status. */
pid_t t_start(char *const argv[], char *const envp[], const char *logpath);
int t_stop_proc(pid_t pid, int sig, int timeout_ms);

/* Poll until fn(arg) is true or timeout_ms passes; returns 1 or 0. */
int t_wait_for(int (*fn)(void *), void *arg, int timeout_ms);
/* A free TCP port on 127.0.0.1 (bound and released; racy but fine here). */
int t_free_port(void);
/* Milliseconds on a monotonic clock. */
int64_t t_now_ms(void);

#endif
