/*
 * driver.c — runs a fuzz target over its committed corpus without
 * libFuzzer, so that `make check` replays every seed and every crasher
 * ever found under ASan/UBSan with gcc.
 *
 *   fuzz_NAME-corpus DIR|FILE...
 *
 * Each file is fed to LLVMFuzzerTestOneInput in a child process of its
 * own, so one crashing input fails that input only and the rest still run.
 * Prints one line per failure and ends with "N passed, N failed".
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define DRIVER_MAX_INPUT (16u << 20)

static int passed, failed;

/* Read the whole file; the buffer is exactly size bytes (malloc'd with at
 * least one byte) so that ASan catches a read one past the end. */
static uint8_t *
read_input(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL, *p;
	size_t n = 0, cap = 0, r;

	if (f == NULL)
		return NULL;
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			if (cap > DRIVER_MAX_INPUT || (p = realloc(buf, cap)) == NULL) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = p;
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	fclose(f);
	/* Shrink to exactly n bytes (a copy: realloc may keep the slack). */
	if ((p = malloc(n ? n : 1)) == NULL) {
		free(buf);
		return NULL;
	}
	memcpy(p, buf, n);
	free(buf);
	*size = n;
	return p;
}

static void
run_one(const char *path)
{
	pid_t pid;
	int st;

	fflush(stdout);
	if ((pid = fork()) < 0) {
		printf("FAIL %s: fork: %s\n", path, strerror(errno));
		failed++;
		return;
	}
	if (pid == 0) {
		size_t size = 0;
		uint8_t *data = read_input(path, &size);
		if (data == NULL) {
			fprintf(stderr, "%s: cannot read\n", path);
			_exit(3);
		}
		/* An empty input comes as (NULL, 0), as libFuzzer passes it. */
		LLVMFuzzerTestOneInput(size > 0 ? data : NULL, size);
		free(data);
		exit(0);	/* not _exit: LeakSanitizer checks at exit */
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			printf("FAIL %s: waitpid: %s\n", path, strerror(errno));
			failed++;
			return;
		}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		passed++;
		return;
	}
	failed++;
	if (WIFSIGNALED(st))
		printf("FAIL %s: killed by signal %d (%s)\n", path, WTERMSIG(st),
		    strsignal(WTERMSIG(st)));
	else
		printf("FAIL %s: exit status %d\n", path, WEXITSTATUS(st));
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file in dir, in name order (stable output). */
static void
run_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;

	if (d == NULL) {
		printf("FAIL %s: %s\n", dir, strerror(errno));
		failed++;
		return;
	}
	while ((de = readdir(d)) != NULL) {
		char path[4096];
		struct stat sb;
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **nn = realloc(names, cap * sizeof(*names));
			if (nn == NULL)
				break;
			names = nn;
		}
		if ((names[n] = strdup(path)) != NULL)
			n++;
	}
	closedir(d);
	if (names != NULL)
		qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n; i++) {
		run_one(names[i]);
		free(names[i]);
	}
	free(names);
	if (n == 0) {
		printf("FAIL %s: empty corpus\n", dir);
		failed++;
	}
}

int
main(int argc, char **argv)
{
	struct stat sb;

	if (argc < 2) {
		fprintf(stderr, "usage: %s CORPUS-DIR|FILE...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		if (stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode))
			run_dir(argv[i]);
		else
			run_one(argv[i]);
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
