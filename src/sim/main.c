/*
 * main.c — `mynacard-sim`: a simulated My Number card on the vpcd reader.
 *
 *   mynacard-sim [--host ADDR] [--port PORT] [fault options] PROFILE.card...
 *   mynacard-sim --pcscd DIR --port PORT
 *
 * The vpcd driver (inside pcscd) listens on TCP; the simulator connects to
 * it, which is "card inserted", and closing the connection is "card
 * removed".  Each message both ways is a 2-byte big-endian length and a
 * payload: a 1-byte control code from the driver (0 power off, 1 power on,
 * 2 reset, 4 send ATR) or a command APDU; the answers are the ATR or the
 * response APDU.  Signals: SIGUSR1 removes the card, SIGUSR2 inserts it,
 * SIGHUP swaps to the next profile (remove, switch, insert), SIGTERM and
 * SIGINT end the simulator.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core.h"
#include "sim.h"

#define DEFAULT_PORT 35963	/* what Debian's vsmartcard-vpcd configures */
#define MAX_PROFILES 64	/* the demo with DEMO_FAULTS=1 loads 22 */

static volatile sig_atomic_t want_remove, want_insert, want_swap, want_quit;

static void
on_signal(int sig)
{
	switch (sig) {
	case SIGUSR1: want_remove = 1; break;
	case SIGUSR2: want_insert = 1; break;
	case SIGHUP: want_swap = 1; break;
	default: want_quit = 1;
	}
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: mynacard-sim [--host ADDR] [--port PORT] [--removed] [--bad-digest]\n"
	    "                    [--forged] [--clone] [--unknown-issuer] [--keys DIR]\n"
	    "                    [--truncate] [--garble] [--malformed] [--slow MS]\n"
	    "                    [--remove-after N] [--blocked] [--no-extended] [--t0]\n"
	    "                    [--max-response N] [--die-with-parent] [--verbose]\n"
	    "                    PROFILE.card...\n"
	    "       mynacard-sim --pcscd DIR --port PORT [--die-with-parent]\n"
	    "       mynacard-sim --trust-anchor [--keys DIR]\n"
	    "See mynacard-sim(1).\n");
}

/* Read exactly n bytes; 0 ok, -1 on EOF or error, -2 when a signal asks
 * for attention before anything was read. */
static int
read_full(int fd, uint8_t *p, size_t n, int first)
{
	size_t got = 0;

	while (got < n) {
		if (first && got == 0) {
			struct pollfd pfd = { fd, POLLIN, 0 };
			int r = poll(&pfd, 1, 100);
			if (r == 0 || (r < 0 && errno == EINTR)) {
				if (want_remove || want_swap || want_quit)
					return -2;
				continue;
			}
		}
		/* vpcd writes the length and the payload separately without
		 * TCP_NODELAY; acknowledging at once avoids a 40 ms Nagle and
		 * delayed-ACK stall per message. */
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
		ssize_t r = read(fd, p + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

static int
send_msg(int fd, const uint8_t *p, size_t n)
{
	uint8_t buf[2 + 65536 + 2];
	ssize_t w;

	/* One write: header and payload in one segment. */
	if (n > sizeof(buf) - 2)
		return -1;
	buf[0] = (uint8_t)(n >> 8);
	buf[1] = (uint8_t)n;
	memcpy(buf + 2, p, n);
	w = write(fd, buf, n + 2);
	return w == (ssize_t)(n + 2) ? 0 : -1;
}

static int
connect_vpcd(const char *host, int port)
{
	struct sockaddr_in sa;
	int fd, one = 1;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		return -2;
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* Serve one inserted card until it is removed (returns 0), the driver goes
 * away (1) or we are told to quit (2). */
static int
serve(int fd, struct sim_card *card, int verbose)
{
	uint8_t hdr[2], *in, *out;
	size_t outn;
	int r, rc = 1, atr_due = 0;

	in = malloc(65536);
	out = malloc(65536 + 2);
	if (in == NULL || out == NULL) {
		free(in);
		free(out);
		return 2;
	}
	for (;;) {
		uint16_t n;

		if ((r = read_full(fd, hdr, 2, !atr_due)) == -2) {
			rc = want_quit ? 2 : 0;
			break;
		}
		if (r != 0)
			break;
		n = (uint16_t)(hdr[0] << 8 | hdr[1]);
		if (n == 0 || read_full(fd, in, n, 0) != 0)
			break;
		if (n == 1) {
			switch (in[0]) {
			case 0: case 1: case 2:
				/* A power-on or reset is followed by the ATR
				 * request: answer it before acting on a signal. */
				atr_due = in[0] != 0;
				sim_card_reset(card);
				if (verbose)
					log_info("vpcd: %s", in[0] == 0 ? "power off" :
					    in[0] == 1 ? "power on" : "reset");
				continue;
			case 4:
				atr_due = 0;
				outn = sim_card_atr(card, out, 64);
				if (send_msg(fd, out, outn) != 0)
					goto out;
				continue;
			default:
				log_warn("vpcd: unknown control code %u", in[0]);
				continue;
			}
		}
		r = sim_card_apdu(card, in, n, out, 65536 + 2, &outn);
		if (r == 1) {
			log_info("card pulled out after %d APDUs (remove_after)",
			    (int)sim_card_apdu_count(card) - 1);
			rc = 3;
			break;
		}
		if (verbose)
			/* Header and lengths only: a VERIFY carries a PIN. */
			log_info("apdu %02X %02X %02X %02X (%u bytes) -> %u bytes SW %02X%02X",
			    in[0], n > 1 ? in[1] : 0, n > 2 ? in[2] : 0, n > 3 ? in[3] : 0,
			    (unsigned)n, (unsigned)outn, outn >= 2 ? out[outn - 2] : 0,
			    outn >= 2 ? out[outn - 1] : 0);
		mem_wipe(in, n);
		if (send_msg(fd, out, outn) != 0)
			break;
	}
out:
	mem_wipe(in, 65536);
	free(in);
	free(out);
	return rc;
}

static void
nap_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

int
main(int argc, char **argv)
{
	const char *host = "127.0.0.1", *pcscd_dir = NULL;
	int port = DEFAULT_PORT, removed = 0, verbose = 0, i, cur = 0, nprof = 0;
	int f_bad = 0, f_trunc = 0, f_garble = 0, f_malformed = 0, f_slow = -1;
	int f_remove = -1, f_blocked = 0, f_noext = 0, f_maxresp = 0, f_t0 = 0;
	int f_forged = 0, f_clone = 0, f_unknown = 0, anchor = 0;
	const char *keys = NULL;
	struct sim_profile *prof[MAX_PROFILES];
	struct sim_card *card = NULL;
	struct sigaction sa;
	struct err e;

	err_clear(&e);
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--version") == 0) {
			printf("mynacard-sim 0.1.0\n");
			return 0;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(a, "--host") == 0 && v) {
			host = v; i++;
		} else if (strcmp(a, "--port") == 0 && v) {
			port = atoi(v); i++;
		} else if (strcmp(a, "--pcscd") == 0 && v) {
			pcscd_dir = v; i++;
		} else if (strcmp(a, "--keys") == 0 && v) {
			keys = v; i++;
		} else if (strcmp(a, "--trust-anchor") == 0) {
			anchor = 1;
		} else if (strcmp(a, "--forged") == 0) {
			f_forged = 1;
		} else if (strcmp(a, "--clone") == 0) {
			f_clone = 1;
		} else if (strcmp(a, "--unknown-issuer") == 0) {
			f_unknown = 1;
		} else if (strcmp(a, "--slow") == 0 && v) {
			f_slow = atoi(v); i++;
		} else if (strcmp(a, "--remove-after") == 0 && v) {
			f_remove = atoi(v); i++;
		} else if (strcmp(a, "--max-response") == 0 && v) {
			f_maxresp = atoi(v); i++;
		} else if (strcmp(a, "--removed") == 0)
			removed = 1;
		else if (strcmp(a, "--die-with-parent") == 0) {
			/* Tests: never outlive the test that started us (kept
			 * across the exec of pcscd). */
			prctl(PR_SET_PDEATHSIG, SIGTERM);
			if (getppid() == 1)
				return 1;
		}
		else if (strcmp(a, "--bad-digest") == 0)
			f_bad = 1;
		else if (strcmp(a, "--truncate") == 0)
			f_trunc = 1;
		else if (strcmp(a, "--garble") == 0)
			f_garble = 1;
		else if (strcmp(a, "--malformed") == 0)
			f_malformed = 1;
		else if (strcmp(a, "--blocked") == 0)
			f_blocked = 1;
		else if (strcmp(a, "--no-extended") == 0)
			f_noext = 1;
		else if (strcmp(a, "--t0") == 0)
			f_t0 = 1;
		else if (strcmp(a, "--verbose") == 0 || strcmp(a, "-v") == 0)
			verbose = 1;
		else {
			fprintf(stderr, "mynacard-sim: unknown option or missing value: %s\n", a);
			usage(stderr);
			return 2;
		}
	}
	if (anchor) {
		/* The test issuer CA's anchor line for [card] trust_anchors. */
		char line[2200];
		if (sim_trust_anchor(keys != NULL ? keys : "data/cards/keys", line,
		    sizeof(line), &e) != 0) {
			fprintf(stderr, "mynacard-sim: %s\n", e.msg);
			return 1;
		}
		printf("# mynacard-sim test issuer CA — TEST ONLY, never on a production terminal\n"
		    "%s\n", line);
		return 0;
	}
	if (port <= 0 || port > 65535) {
		fprintf(stderr, "mynacard-sim: bad port\n");
		return 2;
	}
	if (pcscd_dir != NULL) {
		sim_pcscd_exec(pcscd_dir, port, &e);
		fprintf(stderr, "mynacard-sim: %s\n", e.msg);
		return 1;
	}
	if (i == argc || argc - i > MAX_PROFILES) {
		usage(stderr);
		return 2;
	}
	proc_harden(NULL);
	log_open("mynacard-sim", NULL, verbose ? LOG_INFO : LOG_WARN);
	for (; i < argc; i++) {
		struct sim_profile *p;
		if (sim_profile_load(argv[i], &p, &e) != 0) {
			fprintf(stderr, "mynacard-sim: %s\n", e.msg);
			while (nprof > 0)
				sim_profile_free(prof[--nprof]);
			return 1;
		}
		p->bad_digest |= f_bad;
		p->forged |= f_forged;
		p->clone |= f_clone;
		p->unknown_issuer |= f_unknown;
		if (keys != NULL)
			snprintf(p->keydir, sizeof(p->keydir), "%s", keys);
		p->truncate |= f_trunc;
		p->garble |= f_garble;
		p->malformed |= f_malformed;
		if (f_slow >= 0)
			p->slow_ms = f_slow;
		if (f_remove >= 0)
			p->remove_after = f_remove;
		if (f_blocked)
			p->pin_tries = 0;
		if (f_noext)
			p->extended = 0;
		if (f_t0)
			p->t0 = 1;
		if (f_maxresp >= 64)
			p->max_response = f_maxresp;
		prof[nprof++] = p;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (sim_card_new(prof[cur], &card, &e) != 0) {
		fprintf(stderr, "mynacard-sim: %s\n", e.msg);
		goto done;
	}
	log_info("card %d of %d ready, vpcd at %s:%d%s", cur + 1, nprof, host, port,
	    removed ? " (not inserted)" : "");
	while (!want_quit) {
		int fd, r;

		if (want_swap) {
			want_swap = 0;
			cur = (cur + 1) % nprof;
			sim_card_free(card);
			card = NULL;
			if (sim_card_new(prof[cur], &card, &e) != 0) {
				fprintf(stderr, "mynacard-sim: %s\n", e.msg);
				break;
			}
			removed = 0;
			/* pcscd polls vpcd for presence every 400 ms: stay out
			 * long enough for it to see the empty slot. */
			nap_ms(1000);
			log_info("swapped to card %d of %d", cur + 1, nprof);
		}
		if (want_remove) {
			want_remove = 0;
			removed = 1;
		}
		if (want_insert) {
			want_insert = 0;
			removed = 0;
		}
		if (removed) {
			nap_ms(50);
			continue;
		}
		if ((fd = connect_vpcd(host, port)) < 0) {
			if (fd == -2) {
				fprintf(stderr, "mynacard-sim: bad host address %s\n", host);
				break;
			}
			nap_ms(100);	/* pcscd not up yet: try again */
			continue;
		}
		sim_card_reset(card);
		sim_card_apdu_count_reset(card);
		log_info("card inserted");
		r = serve(fd, card, verbose);
		close(fd);
		if (r == 3 || r == 0) {
			log_info("card removed");
			removed = 1;
		}
		if (r == 1)
			nap_ms(100);	/* driver went away: reconnect */
	}
done:
	sim_card_free(card);
	while (nprof > 0)
		sim_profile_free(prof[--nprof]);
	log_close();
	return 0;
}
