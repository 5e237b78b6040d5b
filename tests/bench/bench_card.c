/*
 * bench_card.c — a full identity read through pcscd, vpcd and mynacard-sim:
 * APDUs exchanged and wall time, for the PIN path and the 照合番号B path,
 * with extended-length APDUs and with short ones only, against the minimum
 * number of APDUs that could carry the same data.
 *
 *   bench_card [READS]        (default 20 reads per row)
 *
 * It starts its own pcscd (mynacard-sim --pcscd, in a temporary directory)
 * and simulator, and stops both.  The minimum counts SELECT of the
 * application, SELECT of the PIN EF, the tries query (PIN safety demands
 * it), the VERIFY, and per EF one SELECT plus one READ BINARY per Le-sized
 * piece (256 bytes short, 65536 extended), knowing each EF's length in
 * advance — which a reader does not, hence the difference.
 *
 * Issue 11 adds two rows: the read F2 does with the PIN (入力補助AP, then
 * the 券面事項確認AP's face opened with 照合番号A, the 個人番号 just read)
 * and the JPKI route (利用者証明用 certificate, VERIFY, signature over a
 * challenge).  Time gets a minimum too: the minimum APDU count times one
 * round trip through pcscd and vpcd, measured on the same card with
 * empty VERIFYs (the tries query), so "ms ratio" is how far a read is from
 * what its APDUs cost on this machine.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "card.h"
#include "sim.h"

static struct card_anchors anchors;	/* the simulator's test CA */
static struct card_jpki_roots *jroots;	/* the simulator's JPKI test CA */

enum { READ_KENHOJO = 0, READ_KENMEN = 1, READ_PIN_FACE = 2, READ_JPKI = 3 };

static char sim_bin[1024], profile[1024];

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void
nap(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static pid_t
spawn(char *const argv[], const char *log)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();

	if (pid == 0) {
		FILE *f = freopen(log, "a", stdout);
		(void)f;
		dup2(1, 2);
		setpgid(0, 0);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

static void
stop(pid_t pid)
{
	int st;

	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	for (int i = 0; i < 50; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return;
		nap(50);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
}

static int
free_pair(void)
{
	for (int i = 0; i < 100; i++) {
		int p = 20000 + (int)(random() % 20000), ok = 1;
		for (int k = 0; k < 2 && ok; k++) {
			struct sockaddr_in sa;
			int fd = socket(AF_INET, SOCK_STREAM, 0);
			memset(&sa, 0, sizeof(sa));
			sa.sin_family = AF_INET;
			sa.sin_port = htons((uint16_t)(p + k));
			ok = fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
			if (fd >= 0)
				close(fd);
		}
		if (ok)
			return p;
	}
	return -1;
}

static int
wait_card(void)
{
	for (int i = 0; i < 200; i++) {
		struct card *c;
		if (card_open(NULL, &c, NULL) == 0) {
			card_close(c);
			return 0;
		}
		nap(50);
	}
	return -1;
}

struct row {
	unsigned long apdus;
	double ms;
	size_t ef[8];		/* sizes of the EFs read (TLV elements) */
	int nef;
	int aps;		/* applications opened with a secret (0: 1) */
	int jpki;		/* the JPKI route: + SELECT key EF, no challenge of the AP key */
};

/* Size of a BER-TLV element with a 2-byte tag and n value bytes. */
static size_t
tl(size_t n)
{
	return 2 + (n < 128 ? 1 : n < 256 ? 2 : 3) + n;
}

/* EF sizes of a fully authenticated 入力補助AP read (see one_read). */
static int
kenhojo_efs(const struct card_result *res, int method, size_t *ef)
{
	size_t key = tl(tl(3) + tl(256)), cert = tl(tl(297) + tl(256));
	int k = 0;

	if (method == CARD_UNLOCK_PIN)
		ef[k++] = tl(12) + 2;	/* 2 filler bytes */
	ef[k++] = tl(tl(8) + tl(strlen(res->name)) + tl(strlen(res->address)) +
	    tl(8) + tl(1));
	ef[k++] = tl(tl(32) + tl(32) + tl(res->signature_len));
	ef[k++] = tl(key + tl(256));
	ef[k++] = cert;
	return k;
}

static int
kenmen_efs(const struct card_result *res, size_t *ef)
{
	size_t key = tl(tl(3) + tl(256)), cert = tl(tl(297) + tl(256));

	ef[0] = tl(tl(18) + tl(8) + tl(1) + key + tl(res->face.name_len) +
	    tl(res->face.addr_len) + tl(res->face.photo_len) + tl(256) + tl(8) +
	    tl(67));
	ef[1] = cert;
	return 2;
}

/* F2's PIN read: 入力補助AP, then the face with 照合番号A (issue 11). */
static int
pin_face_read(struct card *c, struct row *row, struct err *e)
{
	struct card_read_req req, ra;
	struct card_result *res = NULL, *kr = NULL;
	char *s = card_secret_new(), *a = card_secret_new();
	int r = -1;

	if (s == NULL || a == NULL)
		goto out;
	strcpy(s, "1234");
	memset(&req, 0, sizeof(req));
	req.method = CARD_UNLOCK_PIN;
	req.secret = s;
	req.anchors = &anchors;
	if ((r = card_read_kenhojo(c, &req, &res, e)) != 0)
		goto out;
	memcpy(a, res->mynumber, 12);
	a[12] = '\0';
	ra = req;
	ra.method = CARD_UNLOCK_A;
	ra.secret = a;
	if ((r = card_read_kenmen(c, &ra, &kr, e)) != 0)
		goto out;
	r = -1;
	if (res->auth != CARD_AUTH_VERIFIED || res->chip != CARD_CHIP_GENUINE ||
	    kr->auth != CARD_AUTH_VERIFIED || kr->chip != CARD_CHIP_GENUINE ||
	    kr->face.photo_len == 0) {
		fprintf(stderr, "bench_card: the PIN + face read was not fully authenticated\n");
		goto out;
	}
	row->nef = kenhojo_efs(res, CARD_UNLOCK_PIN, row->ef);
	row->nef += kenmen_efs(kr, row->ef + row->nef);
	row->aps = 2;
	r = 0;
out:
	card_result_free(res);
	card_result_free(kr);
	card_secret_free(s);
	card_secret_free(a);
	return r;
}

/* The JPKI route: certificate, VERIFY, signature, chain (issue 11). */
static int
jpki_read(struct card *c, struct row *row, struct err *e)
{
	struct card_read_req req;
	struct card_jpki_auth *au = NULL;
	char *s = card_secret_new();
	int r;

	if (s == NULL)
		return -1;
	strcpy(s, "1234");
	memset(&req, 0, sizeof(req));
	req.method = CARD_UNLOCK_PIN;
	req.secret = s;
	r = card_jpki_authenticate(c, &req, jroots, NULL, &au, e);
	card_secret_free(s);
	if (r != 0)
		return r;
	if (au->verdict != CARD_JPKI_VERIFIED) {
		fprintf(stderr, "bench_card: the JPKI route was not verified\n");
		card_jpki_auth_free(au);
		return -1;
	}
	row->ef[0] = au->cert_der_len;
	row->nef = 1;
	row->jpki = 1;
	card_jpki_auth_free(au);
	return 0;
}

/* One round trip: empty VERIFYs (the tries query) on the card in the
 * reader, ms per APDU. */
static double
round_trip_ms(void)
{
	struct card_stats st;
	struct card *c;
	double t0, ms;
	int n = 20;

	if (card_open(NULL, &c, NULL) != 0)
		return 0;
	card_pin_tries(c, CARD_PIN_KENHOJO, NULL);	/* warm-up */
	card_stats_get(c, &st);
	{
		unsigned long before = st.apdus;

		t0 = now_ms();
		for (int i = 0; i < n; i++)
			card_pin_tries(c, CARD_PIN_KENHOJO, NULL);
		ms = now_ms() - t0;
		card_stats_get(c, &st);
		card_close(c);
		return st.apdus > before ? ms / (double)(st.apdus - before) : 0;
	}
}

/* One read; fills apdus and the EF sizes (from what was read). */
static int
one_read(int method, int kenmen, struct row *row)
{
	struct card_read_req req;
	struct card_result *res = NULL;
	struct card_stats st;
	struct card *c;
	struct err e;
	char *s = card_secret_new();
	double t0;
	int r;

	if (s == NULL)
		return -1;
	if (kenmen == READ_PIN_FACE || kenmen == READ_JPKI) {
		card_secret_free(s);
		t0 = now_ms();
		if ((r = card_open(NULL, &c, &e)) == 0) {
			r = kenmen == READ_JPKI ? jpki_read(c, row, &e) : pin_face_read(c, row, &e);
			card_stats_get(c, &st);
			card_close(c);
		}
		row->ms += now_ms() - t0;
		if (r != 0) {
			fprintf(stderr, "bench_card: read failed: %s\n", e.msg);
			return -1;
		}
		row->apdus += st.apdus;
		return 0;
	}
	if (method == CARD_UNLOCK_PIN)
		strcpy(s, "1234");
	else
		card_b_from_printed("S20.8.28", "2034", "1234", s, NULL);	/* demo-1.card */
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.secret = s;
	req.anchors = &anchors;
	t0 = now_ms();
	if ((r = card_open(NULL, &c, &e)) == 0) {
		r = kenmen ? card_read_kenmen(c, &req, &res, &e) :
		    card_read_kenhojo(c, &req, &res, &e);
		card_stats_get(c, &st);
		card_close(c);
	}
	row->ms += now_ms() - t0;
	card_secret_free(s);
	if (r != 0) {
		fprintf(stderr, "bench_card: read failed: %s\n", e.msg);
		return -1;
	}
	row->apdus += st.apdus;
	if (res->auth != CARD_AUTH_VERIFIED || res->chip != CARD_CHIP_GENUINE) {
		fprintf(stderr, "bench_card: the read was not fully authenticated\n");
		card_result_free(res);
		return -1;
	}
	/* A fully authenticated read (issue 11): the data EFs, the issuer
	 * certificate EF 0004 (7F21 {5F4E 297, 5F37 256}), and on 入力補助AP
	 * EF 0007 (FF50 {DF51 key, DF52 256}); then one challenge. */
	{
		size_t key = tl(tl(3) + tl(256)), cert = tl(tl(297) + tl(256)), k = 0;
		if (kenmen) {
			row->ef[k++] = tl(tl(18) + tl(8) + tl(1) + key + tl(res->face.name_len) +
			    tl(res->face.addr_len) + tl(res->face.photo_len) + tl(256) + tl(8) +
			    tl(67));
		} else {
			if (method == CARD_UNLOCK_PIN)
				row->ef[k++] = tl(12) + 2;	/* 2 filler bytes */
			row->ef[k++] = tl(tl(8) + tl(strlen(res->name)) + tl(strlen(res->address)) +
			    tl(8) + tl(1));
			row->ef[k++] = tl(tl(32) + tl(32) + tl(res->signature_len));
			row->ef[k++] = tl(key + tl(256));
		}
		row->ef[k++] = cert;
		row->nef = (int)k;
	}
	card_result_free(res);
	return 0;
}

static unsigned long
pieces(size_t len, size_t le)
{
	return (unsigned long)((len + le - 1) / le);
}

int
main(int argc, char **argv)
{
	const char *bdir = getenv("MDG_BUILDDIR"), *sdir = getenv("MDG_SRCDIR");
	int reads = argc > 1 ? atoi(argv[1]) : 20, port;
	char dir[] = "/tmp/mdg-bench-card-XXXXXX", sock[256], portstr[16], log[300];
	pid_t pcscd, sim;
	static const struct { const char *name; int method, kenmen, ext; } rows[] = {
		{ "kenhojo, PIN, extended", CARD_UNLOCK_PIN, 0, 1 },
		{ "kenhojo, B-number, extended", CARD_UNLOCK_B, 0, 1 },
		{ "kenhojo, PIN, short", CARD_UNLOCK_PIN, 0, 0 },
		{ "kenhojo, B-number, short", CARD_UNLOCK_B, 0, 0 },
		{ "kenmen images, B-number, extended", CARD_UNLOCK_B, 1, 1 },
		{ "kenmen images, B-number, short", CARD_UNLOCK_B, 1, 0 },
		{ "F2 PIN read + face (A), extended", CARD_UNLOCK_PIN, READ_PIN_FACE, 1 },
		{ "JPKI auth route, extended", CARD_UNLOCK_PIN, READ_JPKI, 1 },
	};
	double rtt = 0;

	if (reads < 1)
		reads = 1;
	snprintf(sim_bin, sizeof(sim_bin), "%s/bin/mynacard-sim", bdir ? bdir : "build/rel");
	snprintf(profile, sizeof(profile), "%s/data/cards/demo-1.card", sdir ? sdir : ".");
	if (mkdtemp(dir) == NULL || (port = free_pair()) < 0) {
		perror("bench_card");
		return 1;
	}
	srandom((unsigned)getpid());
	{
		char kd[1100], line[2200];
		struct err e;
		snprintf(kd, sizeof(kd), "%s/data/cards/keys", sdir ? sdir : ".");
		if (sim_trust_anchor(kd, line, sizeof(line), &e) != 0 ||
		    card_anchors_parse(line, strlen(line), "test", &anchors, &e) != 0) {
			fprintf(stderr, "bench_card: %s\n", e.msg);
			return 1;
		}
	}
	snprintf(sock, sizeof(sock), "%s/pcscd.comm", dir);
	snprintf(portstr, sizeof(portstr), "%d", port);
	snprintf(log, sizeof(log), "%s/log", dir);
	setenv("PCSCLITE_CSOCK_NAME", sock, 1);
	{
		char *a[] = { sim_bin, "--pcscd", dir, "--port", portstr, NULL };
		pcscd = spawn(a, log);
	}
	printf("card read through pcscd + vpcd + mynacard-sim (%s), %d reads per row\n"
	    "fully authenticated reads: certificate, signatures, digests and the chip challenge\n"
	    "kenhojo = 券面事項入力補助AP (個人番号, 基本4情報, digests); kenmen = 券面事項確認AP;\n"
	    "B-number = 照合番号B; extended/short = APDU length encoding\n",
	    "demo-1.card", reads);
	{
		char jp[1100];
		struct err e;
		snprintf(jp, sizeof(jp), "%s/data/cards/jpki/ca-auth.pem", sdir ? sdir : ".");
		if (card_jpki_roots_load(jp, &jroots, &e) != 0) {
			fprintf(stderr, "bench_card: %s\n", e.msg);
			return 1;
		}
	}
	printf("%-36s %8s %8s %8s %10s %8s %8s\n", "path", "APDUs", "minimum", "ratio", "ms/read",
	    "ms min", "ms ratio");
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *a[] = { sim_bin, "--port", portstr, rows[i].ext ? "--max-response" : "--no-extended",
		    rows[i].ext ? "65536" : NULL, NULL, NULL };
		struct row row;
		unsigned long min, per;
		int ok;
		size_t le = rows[i].ext ? 65536 : 256;

		if (rows[i].ext)
			a[5] = profile;
		else
			a[4] = profile;
		sim = spawn(a, log);
		if (wait_card() != 0) {
			fprintf(stderr, "bench_card: the simulated card did not come up (see %s)\n", log);
			stop(sim);
			stop(pcscd);
			return 1;
		}
		memset(&row, 0, sizeof(row));
		ok = one_read(rows[i].method, rows[i].kenmen, &row) == 0;	/* warm-up */
		rtt = round_trip_ms();
		memset(&row, 0, sizeof(row));
		for (int k = 0; k < reads && ok; k++)
			ok = one_read(rows[i].method, rows[i].kenmen, &row) == 0;
		stop(sim);
		/* pcscd polls presence every 400 ms: let it see the card go
		 * before the next simulator starts. */
		nap(1000);
		if (!ok) {
			stop(pcscd);
			return 1;
		}
		per = row.apdus / (unsigned long)reads;
		/* SELECT AP, SELECT PIN EF, tries, VERIFY; then per EF one
		 * SELECT and its Le-sized pieces. */
		if (row.jpki)	/* SELECT AP, SELECT PIN EF, tries, VERIFY,
				 * SELECT key EF, the signature */
			min = 6;
		else		/* per AP: the four, + the chip challenge */
			min = (unsigned long)(row.aps > 0 ? row.aps : 1) * (4 + 1);
		for (int k = 0; k < row.nef; k++)
			min += 1 + pieces(row.ef[k], le);
		printf("%-36s %8lu %8lu %8.2f %10.2f %8.2f %8.2f\n", rows[i].name, per, min,
		    (double)per / (double)min, row.ms / reads, rtt * (double)min,
		    rtt > 0 ? row.ms / reads / (rtt * (double)min) : 0.0);
		printf("RESULT card row%d_apdus %lu\nRESULT card row%d_min %lu\n"
		    "RESULT card row%d_ms %.2f\n", (int)i, per, (int)i, min, (int)i,
		    row.ms / reads);
	}
	stop(pcscd);
	card_jpki_roots_free(jroots);
	unlink(sock);
	{
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "bench_card: could not remove %s\n", dir);
	}
	return 0;
}
