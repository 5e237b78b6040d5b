/*
 * log.c — the operator log.  One line per event: time, program, level,
 * message.  This is the one piece of process-wide state (see core.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core.h"

static struct {
	FILE *f;
	int level;
	char ident[32];
	pthread_mutex_t mu;
} lg = { NULL, LOG_INFO, "madoguchi", PTHREAD_MUTEX_INITIALIZER };

int
log_open(const char *ident, const char *path, int level)
{
	FILE *f = NULL;
	int fd;

	/* Owner-only whatever the umask: the log names clerks and persons
	 * (LOG-1), so it must not be world-readable (fopen would give 0666). */
	if (path != NULL) {
		if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600)) < 0)
			return ERR_IO;
		if ((f = fdopen(fd, "a")) == NULL) {
			close(fd);
			return ERR_IO;
		}
	}
	pthread_mutex_lock(&lg.mu);
	if (lg.f != NULL && lg.f != stderr)
		fclose(lg.f);
	lg.f = f;
	lg.level = level;
	snprintf(lg.ident, sizeof(lg.ident), "%s", ident != NULL ? ident : "madoguchi");
	pthread_mutex_unlock(&lg.mu);
	return 0;
}

void
log_close(void)
{
	pthread_mutex_lock(&lg.mu);
	if (lg.f != NULL && lg.f != stderr)
		fclose(lg.f);
	lg.f = NULL;
	pthread_mutex_unlock(&lg.mu);
}

void
log_msg(int level, const char *fmt, ...)
{
	static const char *names[] = { "error", "warn", "info", "debug" };
	char ts[40];
	struct timespec now;
	struct tm tm;
	va_list ap;
	FILE *f;
	int saved = errno;

	if (level > lg.level)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	localtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	pthread_mutex_lock(&lg.mu);
	f = lg.f != NULL ? lg.f : stderr;
	fprintf(f, "%s.%03ld %s[%d] %s: ", ts, now.tv_nsec / 1000000, lg.ident,
	    (int)getpid(), names[level < 0 ? 0 : level > 3 ? 3 : level]);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fflush(f);
	pthread_mutex_unlock(&lg.mu);
	errno = saved;
}
