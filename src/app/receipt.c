/*
 * receipt.c — the receipt slip (受付票) handed to the visitor, and printing
 * it through the configured command (LK-3: a designated output, logged).
 *
 * The slip is built only from receipt numbers, screen titles, the date and
 * the branch, so no personal data can reach it; as a last guard a run of 12
 * digits (the shape of a 個人番号) anywhere in it refuses the slip.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "intake.h"
#include "shell.h"

#define PRINT_TIMEOUT_MS 30000

int
receipt_has_digit_run(const char *s, int run)
{
	int n = 0;

	while (*s != '\0') {
		const unsigned char *u = (const unsigned char *)s;
		/* ０-９ are EF BC 90..99 in UTF-8 */
		if (*u >= '0' && *u <= '9') {
			n++;
			s++;
		} else if (u[0] == 0xEF && u[1] == 0xBC && u[2] >= 0x90 && u[2] <= 0x99) {
			n++;
			s += 3;
		} else {
			n = 0;
			s++;
		}
		if (n >= run)
			return 1;
	}
	return 0;
}

/* What the visitor should expect next, by procedure (plain words). */
static const char *
next_steps(const char *procedure)
{
	static const struct {
		const char *proc;
		const char *text;
	} t[] = {
		{ "maru-fuku", "審査のうえ、受給者証を郵送します。" },
		{ "kokuho", "資格確認書・保険証等は後日郵送するか、窓口でお渡しします。" },
		{ "nhi", "資格確認書・保険証等は後日郵送するか、窓口でお渡しします。" },
		{ "yobo", "結果は文書でお知らせします。" },
		{ "jiritsu-seishin", "都の審査の後、受給者証を郵送します（約2か月）。" },
		{ "iryohi-josei", "審査のうえ、受給者証を郵送します。" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(procedure, t[i].proc) == 0)
			return t[i].text;
	return "審査の結果は後日お知らせします。";
}

int
receipt_slip(const struct receipt_item *items, int n,
    const struct receipt_info *info, struct wbuf *w, struct err *e)
{
	struct date d;
	char iso[16], wa[32];
	const char *seen[64];
	int nseen = 0;

	if (n <= 0)
		return err_set(e, ERR_INVAL, "receipt slip: no applications");
	if (info->date == NULL || date_parse(info->date, &d, NULL) != 0)
		date_today(&d);
	date_format_iso(&d, iso, sizeof(iso));
	if (date_format_wareki(&d, wa, sizeof(wa)) < 0)
		wa[0] = '\0';
	wbuf_printf(w, "            受　付　票\n");
	wbuf_printf(w, "----------------------------------------\n");
	wbuf_printf(w, "%s%s%s\n", info->municipality ? info->municipality : "",
	    info->municipality && info->municipality[0] ? " " : "",
	    info->branch ? info->branch : "");
	if (info->applicant != NULL && info->applicant[0] != '\0')
		wbuf_printf(w, "申請者 %s 様\n", info->applicant);
	/* one date-time style: 和暦 with the 24-hour local time */
	if (info->time != NULL && info->time[0] != '\0')
		wbuf_printf(w, "受付日時 %s %s\n", wa, info->time);
	else
		wbuf_printf(w, "受付日 %s\n", wa);
	(void)iso;
	if (info->terminal != NULL && info->terminal[0] != '\0')
		wbuf_printf(w, "受付端末 %s\n", info->terminal);
	wbuf_printf(w, "----------------------------------------\n");
	wbuf_printf(w, "受け付けた申請・届出 %d 件\n\n", n);
	for (int i = 0; i < n; i++) {
		wbuf_printf(w, "%d. %s\n", i + 1, items[i].title);
		wbuf_printf(w, "   受付番号 %s\n", items[i].receipt_no);
	}
	wbuf_printf(w, "----------------------------------------\n");
	wbuf_printf(w, "今後の流れ\n");
	for (int i = 0; i < n; i++) {
		int dup = 0;
		for (int j = 0; j < nseen; j++)
			dup |= strcmp(seen[j], items[i].procedure) == 0;
		if (dup)
			continue;
		if (nseen < 64)
			seen[nseen++] = items[i].procedure;
		wbuf_printf(w, "・%s\n", next_steps(items[i].procedure));
	}
	wbuf_printf(w, "・お問い合わせの際は受付番号をお伝えください。\n");
	wbuf_printf(w, "・この票は結果が届くまで保管してください。\n");
	wbuf_printf(w, "----------------------------------------\n");
	wbuf_printf(w, "問い合わせ先\n");
	if (info->contact != NULL && info->contact[0] != '\0')
		wbuf_printf(w, "%s\n", info->contact);
	else
		wbuf_printf(w, "%s%s%s\n", info->municipality ? info->municipality : "",
		    info->municipality && info->municipality[0] ? " " : "",
		    info->branch ? info->branch : "");
	wbuf_printf(w, "----------------------------------------\n");
	if (w->err != 0)
		return err_set(e, ERR_RANGE, "receipt slip too long");
	if (receipt_has_digit_run(wbuf_str(w), 12))
		return err_set_ja(e, ERR_INVAL, "受付票に個人番号のような数字が含まれるため印刷できません",
		    "receipt slip refused: it holds a run of 12 digits (LOG-5)");
	return 0;
}

/* Write all of text to fd, giving up at the deadline. */
static int
feed(int fd, const char *text, size_t n, int64_t deadline, struct err *e)
{
	size_t off = 0;

	while (off < n) {
		struct pollfd pf = { fd, POLLOUT, 0 };
		int64_t left = deadline - session_now_ms();
		ssize_t k;
		if (left <= 0)
			return err_set(e, ERR_TIMEOUT, "print command does not read its input");
		if (poll(&pf, 1, (int)left) <= 0)
			continue;
		k = write(fd, text + off, n - off);
		if (k < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return err_set(e, ERR_IO, "print command: %s", strerror(errno));
		}
		off += (size_t)k;
	}
	return 0;
}

int
receipt_print_run(const char *command, const char *text, struct err *e)
{
	int in[2], status = 0, r;
	int64_t deadline;
	pid_t pid, w;

	if (command == NULL || command[0] == '\0')
		return err_set_ja(e, ERR_NOTFOUND, "印刷先が設定されていません",
		    "no print command configured ([ui] print_command)");
	if (pipe2(in, O_CLOEXEC) != 0)
		return err_set(e, ERR_IO, "pipe: %s", strerror(errno));
	if ((pid = fork()) < 0) {
		close(in[0]);
		close(in[1]);
		return err_set(e, ERR_IO, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		int nul = open("/dev/null", O_WRONLY);
		dup2(in[0], 0);
		if (nul >= 0) {
			dup2(nul, 1);
			dup2(nul, 2);
		}
		signal(SIGPIPE, SIG_DFL);
		/* LK-2, LK-3: whatever the print command writes (a spool or a
		 * file sink) is owner-only, and it gets the slip and nothing
		 * else: no store, log or reader descriptor leaks into it. */
		umask(077);
		closefrom(3);
		execl("/bin/sh", "sh", "-c", command, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	deadline = session_now_ms() + PRINT_TIMEOUT_MS;
	r = feed(in[1], text, strlen(text), deadline, e);
	close(in[1]);
	for (;;) {
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid || (w < 0 && errno != EINTR))
			break;
		if (session_now_ms() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			if (r == 0)
				r = err_set(e, ERR_TIMEOUT, "print command did not finish in %d s",
				    PRINT_TIMEOUT_MS / 1000);
			break;
		}
		usleep(20000);
	}
	if (r != 0) {
		char why[ERR_MSG_MAX];
		snprintf(why, sizeof(why), "%s", e != NULL ? e->msg : "print failed");
		return err_set_ja(e, r, "印刷できませんでした", "%s", why);
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return err_set_ja(e, ERR_IO, "印刷できませんでした（プリンターを確認してください）",
		    "print command failed (%s %d)", WIFEXITED(status) ? "exit" : "signal",
		    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	return 0;
}

int
receipt_print_audit(struct store *st, const char *person, const char *what,
    int ok, struct err *e)
{
	return store_audit_append(st, NULL, NULL, ok ? "print.receipt" : "print.failed",
	    person, "intake", what, e);
}
