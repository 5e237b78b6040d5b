/*
 * channel.c — TCP + Noise IK transport with framed application messages.
 *
 * Wire format: every Noise message (handshake or transport) is a 2-byte
 * big-endian length followed by that many bytes.  An application message
 * is a 4-byte big-endian length L followed by L bytes, carried in the
 * plaintext of one or more transport messages; the first transport message
 * of an application message starts with the 4-byte length, and no transport
 * message mixes the bytes of two application messages.
 *
 * Every read from the peer is bounded (lengths checked before any
 * allocation or wait) and has a deadline.  Any failure caused by the peer
 * or the network kills the channel: the socket is shut down, the reason is
 * logged once, and later calls return ERR_STATE.  The peer can reconnect.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <sodium.h>

#include "sync.h"

#define HS1_MIN (32 + 32 + NOISE_TAGLEN + NOISE_TAGLEN)	/* e, s+tag, payload tag */
#define HS2_MIN (32 + NOISE_TAGLEN)
#define POLL_SLICE_MS 200

struct sync_chan {
	int fd;
	int dead;
	int clean_eof;		/* the peer closed between messages */
	int timeout_ms;
	size_t max;
	const volatile int *cancel;
	sync_budget_fn budget;	/* reserve a message's bytes, or NULL */
	void *budget_arg;
	struct noise_cipher *tx, *rx;
	uint8_t peer_key[32];
	char peer[64];
	uint8_t wire[2 + NOISE_MAX_MSG];	/* one Noise message as sent/received */
	uint8_t plain[NOISE_MAX_MSG];
};

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct sync_chan *
chan_new(int fd, int timeout_ms)
{
	struct sync_chan *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->fd = fd;
	c->timeout_ms = timeout_ms > 0 ? timeout_ms : SYNC_TIMEOUT_MS;
	c->max = SYNC_MSG_MAX;
	snprintf(c->peer, sizeof(c->peer), "?");
	return c;
}

/* Kill the channel because of e: log once, shut the socket down. */
static int
chan_fail(struct sync_chan *c, struct err *e, int code)
{
	if (!c->dead) {
		c->dead = 1;
		if (code == ERR_CANCEL || c->clean_eof)
			log_info("sync: connection %s closed: %s", c->peer,
			    e != NULL ? e->msg : err_name(code));
		else
			log_warn("sync: closing connection %s: %s", c->peer,
			    e != NULL ? e->msg : err_name(code));
		shutdown(c->fd, SHUT_RDWR);
	}
	return code;
}

static void
peer_name(int fd, char *out, size_t cap)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[NI_MAXHOST], serv[NI_MAXSERV];

	snprintf(out, cap, "?");
	if (getpeername(fd, (struct sockaddr *)&ss, &sl) == 0 &&
	    getnameinfo((struct sockaddr *)&ss, sl, host, sizeof(host), serv,
	    sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV) == 0)
		snprintf(out, cap, "%.45s:%.8s", host, serv);
}

/* Wait until fd is readable/writable or the deadline passes.  When
 * cancellable and the cancel flag is set, ERR_CANCEL. */
static int
wait_fd(struct sync_chan *c, short events, int64_t deadline, int cancellable,
    struct err *e)
{
	struct pollfd pfd;
	int64_t left;
	int r;

	for (;;) {
		if (cancellable && c->cancel != NULL && *c->cancel)
			return err_set(e, ERR_CANCEL, "shutting down");
		left = deadline - now_ms();
		if (left <= 0)
			return err_set(e, ERR_TIMEOUT, "peer too slow (timed out)");
		pfd.fd = c->fd;
		pfd.events = events;
		pfd.revents = 0;
		r = poll(&pfd, 1, left > POLL_SLICE_MS ? POLL_SLICE_MS : (int)left);
		if (r < 0 && errno != EINTR)
			return err_set(e, ERR_NET, "poll: %s", strerror(errno));
		if (r > 0)
			return 0;
	}
}

static int
write_all(struct sync_chan *c, const uint8_t *p, size_t n, struct err *e)
{
	int64_t deadline = now_ms() + c->timeout_ms;
	ssize_t w;
	int r;

	while (n > 0) {
		w = send(c->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if ((r = wait_fd(c, POLLOUT, deadline, 0, e)) != 0)
				return r;
			continue;
		}
		return err_set(e, ERR_NET, "send: %s", strerror(errno));
	}
	return 0;
}

/* Read exactly n bytes.  first: this is the start of a new message, so an
 * orderly close by the peer here is a plain close, and the wait may be
 * cancelled. */
static int
read_exact(struct sync_chan *c, uint8_t *p, size_t n, int first, struct err *e)
{
	int64_t deadline = now_ms() + c->timeout_ms;
	size_t got = 0;
	ssize_t r;
	int rc;

	while (got < n) {
		r = recv(c->fd, p + got, n - got, MSG_DONTWAIT);
		if (r > 0) {
			got += (size_t)r;
			continue;
		}
		if (r == 0) {
			c->clean_eof = got == 0 && first;
			return err_set(e, ERR_NET, got == 0 && first ?
			    "peer closed the connection" :
			    "peer closed the connection in the middle of a message");
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return err_set(e, ERR_NET, "recv: %s", strerror(errno));
		if ((rc = wait_fd(c, POLLIN, deadline, first && got == 0, e)) != 0)
			return rc;
	}
	return 0;
}

/* One Noise message off the wire into c->wire + 2; its length in *n. */
static int
read_noise(struct sync_chan *c, size_t minlen, int first, size_t *n,
    struct err *e)
{
	struct rbuf b;
	uint16_t len;
	int r;

	if ((r = read_exact(c, c->wire, 2, first, e)) != 0)
		return r;
	rbuf_init(&b, c->wire, 2);
	rbuf_get_u16(&b, &len);
	if (len < minlen)
		return err_set(e, ERR_PROTO, "Noise message of %u bytes is too short",
		    (unsigned)len);
	if ((r = read_exact(c, c->wire + 2, len, 0, e)) != 0)
		return r;
	*n = len;
	return 0;
}

static int
write_noise(struct sync_chan *c, size_t n, struct err *e)
{
	c->wire[0] = (uint8_t)(n >> 8);
	c->wire[1] = (uint8_t)n;
	return write_all(c, c->wire, n + 2, e);
}

static int
tcp_connect(const char *hostport, int timeout_ms, struct err *e)
{
	struct addrinfo hints, *res = NULL, *ai;
	char host[256], *colon;
	const char *port;
	int fd = -1, r, one = 1;

	if (strlen(hostport) >= sizeof(host))
		return err_set(e, ERR_INVAL, "central address too long");
	snprintf(host, sizeof(host), "%s", hostport);
	if ((colon = strrchr(host, ':')) == NULL || colon[1] == '\0')
		return err_set(e, ERR_INVAL, "central address \"%s\" is not HOST:PORT",
		    hostport);
	*colon = '\0';
	port = colon + 1;
	if (host[0] == '[' && colon > host + 1 && colon[-1] == ']') {
		colon[-1] = '\0';
		memmove(host, host + 1, strlen(host));
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((r = getaddrinfo(host, port, &hints, &res)) != 0)
		return err_set(e, ERR_NET, "cannot resolve %s: %s", hostport,
		    gai_strerror(r));
	r = err_set(e, ERR_NET, "cannot connect to %s", hostport);
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		struct pollfd pfd;
		int soerr = 0;
		socklen_t sl = sizeof(soerr);

		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
		    SOCK_NONBLOCK, ai->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
			if (errno != EINPROGRESS) {
				r = err_set(e, ERR_NET, "cannot connect to %s: %s",
				    hostport, strerror(errno));
				close(fd);
				fd = -1;
				continue;
			}
			pfd.fd = fd;
			pfd.events = POLLOUT;
			if (poll(&pfd, 1, timeout_ms) != 1 ||
			    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0 ||
			    soerr != 0) {
				r = err_set(e, soerr == 0 ? ERR_TIMEOUT : ERR_NET,
				    "cannot connect to %s: %s", hostport,
				    soerr == 0 ? "timed out" : strerror(soerr));
				close(fd);
				fd = -1;
				continue;
			}
		}
		break;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return r;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	err_clear(e);
	return fd;
}

static int
chan_split(struct sync_chan *c, struct noise_hs *hs, struct err *e)
{
	return noise_hs_split(hs, &c->tx, &c->rx, NULL, e);
}

int
sync_chan_connect(const char *hostport, const uint8_t my_priv[32],
    const uint8_t central_pub[32], const void *hello, size_t hlen,
    struct wbuf *reply, int timeout_ms, struct sync_chan **out, struct err *e)
{
	struct sync_chan *c;
	struct noise_hs *hs = NULL;
	size_t n, pn;
	int fd, r;

	*out = NULL;
	if ((fd = tcp_connect(hostport, timeout_ms > 0 ? timeout_ms :
	    SYNC_TIMEOUT_MS, e)) < 0)
		return fd;
	if ((c = chan_new(fd, timeout_ms)) == NULL) {
		close(fd);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	snprintf(c->peer, sizeof(c->peer), "%s", hostport);
	memcpy(c->peer_key, central_pub, 32);
	if ((hs = noise_hs_new(NOISE_INITIATOR, SYNC_PROLOGUE,
	    strlen(SYNC_PROLOGUE), my_priv, central_pub, NULL, e)) == NULL) {
		r = e != NULL ? e->code : ERR_CRYPTO;
		goto fail;
	}
	if ((r = noise_hs_write(hs, hello, hlen, c->wire + 2, NOISE_MAX_MSG, &n,
	    e)) != 0 || (r = write_noise(c, n, e)) != 0)
		goto fail;
	if ((r = read_noise(c, HS2_MIN, 1, &n, e)) != 0) {
		if (r == ERR_NET)
			r = err_set_ja(e, ERR_AUTH, "中央システムがこの端末を受け付けませんでした",
			    "central %s refused this terminal (not enrolled, revoked,"
			    " or the pinned central key is not the central's)", hostport);
		goto fail;
	}
	if ((r = noise_hs_read(hs, c->wire + 2, n, c->plain, sizeof(c->plain),
	    &pn, e)) != 0) {
		if (r == ERR_CRYPTO)
			r = err_set_ja(e, ERR_CRYPTO, "中央システムの鍵が一致しません",
			    "central %s does not hold the pinned central key", hostport);
		goto fail;
	}
	if (reply != NULL) {
		reply->len = 0;
		reply->err = 0;
		if ((r = wbuf_put(reply, c->plain, pn)) != 0) {
			r = err_set(e, ERR_RANGE, "handshake reply too long");
			goto fail;
		}
	}
	if ((r = chan_split(c, hs, e)) != 0)
		goto fail;
	noise_hs_free(hs);
	*out = c;
	return 0;
fail:
	noise_hs_free(hs);
	chan_fail(c, e, r);
	sync_chan_free(c);
	return r;
}

int
sync_chan_accept(int fd, const uint8_t my_priv[32], sync_auth_fn auth,
    void *arg, int timeout_ms, struct sync_chan **out, struct err *e)
{
	struct sync_chan *c;
	struct noise_hs *hs = NULL;
	struct wbuf reply;
	size_t n, pn;
	int r, one = 1, fl;

	*out = NULL;
	wbuf_init(&reply, NOISE_MAX_MSG - 200);
	if ((c = chan_new(fd, timeout_ms)) == NULL) {
		close(fd);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	if ((fl = fcntl(fd, F_GETFL)) >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	peer_name(fd, c->peer, sizeof(c->peer));
	if ((hs = noise_hs_new(NOISE_RESPONDER, SYNC_PROLOGUE,
	    strlen(SYNC_PROLOGUE), my_priv, NULL, NULL, e)) == NULL) {
		r = e != NULL ? e->code : ERR_CRYPTO;
		goto fail;
	}
	if ((r = read_noise(c, HS1_MIN, 1, &n, e)) != 0)
		goto fail;
	if ((r = noise_hs_read(hs, c->wire + 2, n, c->plain, sizeof(c->plain),
	    &pn, e)) != 0) {
		err_prefix(e, "handshake: ");
		goto fail;
	}
	noise_hs_remote_static(hs, c->peer_key);
	if ((r = auth(arg, c->peer_key, c->plain, pn, &reply, e)) != 0)
		goto fail;
	if (reply.err != 0) {
		r = err_set(e, ERR_RANGE, "handshake reply too long");
		goto fail;
	}
	if ((r = noise_hs_write(hs, reply.p, reply.len, c->wire + 2,
	    NOISE_MAX_MSG, &n, e)) != 0 || (r = write_noise(c, n, e)) != 0 ||
	    (r = chan_split(c, hs, e)) != 0)
		goto fail;
	noise_hs_free(hs);
	wbuf_free(&reply);
	*out = c;
	return 0;
fail:
	noise_hs_free(hs);
	wbuf_free(&reply);
	chan_fail(c, e, r);
	sync_chan_free(c);
	return r;
}

int
sync_chan_send(struct sync_chan *c, const void *msg, size_t n, struct err *e)
{
	const uint8_t *p = msg;
	size_t off = 0, chunk, hdr, ctn;
	int r;

	if (c->dead)
		return err_set(e, ERR_STATE, "connection is closed");
	if (n > c->max)
		return err_set(e, ERR_RANGE, "message of %zu bytes is too long", n);
	do {
		/* plain holds [len] + first chunk, or a continuation chunk. */
		hdr = off == 0 ? 4 : 0;
		chunk = n - off;
		if (chunk > NOISE_MAX_PAYLOAD - hdr)
			chunk = NOISE_MAX_PAYLOAD - hdr;
		if (hdr) {
			c->plain[0] = (uint8_t)(n >> 24);
			c->plain[1] = (uint8_t)(n >> 16);
			c->plain[2] = (uint8_t)(n >> 8);
			c->plain[3] = (uint8_t)n;
		}
		if (chunk > 0)
			memcpy(c->plain + hdr, p + off, chunk);
		if ((r = noise_cipher_encrypt(c->tx, NULL, 0, c->plain, hdr + chunk,
		    c->wire + 2, NOISE_MAX_MSG, &ctn, e)) != 0 ||
		    (r = write_noise(c, ctn, e)) != 0)
			return chan_fail(c, e, r);
		off += chunk;
	} while (off < n);
	sodium_memzero(c->plain, sizeof(c->plain));
	return 0;
}

int
sync_chan_recv(struct sync_chan *c, struct wbuf *out, struct err *e)
{
	struct rbuf b;
	uint32_t total;
	size_t n, pn, got = 0;
	int r, first = 1;

	if (c->dead)
		return err_set(e, ERR_STATE, "connection is closed");
	out->len = 0;
	out->err = 0;
	do {
		if ((r = read_noise(c, NOISE_TAGLEN, first, &n, e)) != 0)
			return chan_fail(c, e, r);
		if ((r = noise_cipher_decrypt(c->rx, NULL, 0, c->wire + 2, n,
		    c->plain, sizeof(c->plain), &pn, e)) != 0)
			return chan_fail(c, e, r);
		rbuf_init(&b, c->plain, pn);
		if (first) {
			if (rbuf_get_u32(&b, &total) != 0) {
				r = err_set(e, ERR_PROTO, "message without its length");
				return chan_fail(c, e, r);
			}
			if (total > c->max) {
				r = err_set(e, ERR_RANGE,
				    "peer announced a message of %u bytes (limit %zu)",
				    (unsigned)total, c->max);
				return chan_fail(c, e, r);
			}
			if (c->budget != NULL && c->budget(c->budget_arg, total) != 0) {
				r = err_set(e, ERR_BUSY, "no memory budget left for a"
				    " message of %u bytes", (unsigned)total);
				return chan_fail(c, e, r);
			}
			first = 0;
		} else if (rbuf_left(&b) == 0) {
			r = err_set(e, ERR_PROTO, "empty continuation frame");
			return chan_fail(c, e, r);
		}
		if (rbuf_left(&b) > total - got) {
			r = err_set(e, ERR_PROTO, "frame runs past the end of its message");
			return chan_fail(c, e, r);
		}
		if (wbuf_put(out, rbuf_cur(&b), rbuf_left(&b)) != 0) {
			r = err_set(e, ERR_NOMEM, "out of memory for a message");
			return chan_fail(c, e, r);
		}
		got += rbuf_left(&b);
	} while (got < total);
	sodium_memzero(c->plain, sizeof(c->plain));
	return 0;
}

void
sync_chan_set_cancel(struct sync_chan *c, const volatile int *flag)
{
	c->cancel = flag;
}

void
sync_chan_set_timeout(struct sync_chan *c, int timeout_ms)
{
	c->timeout_ms = timeout_ms > 0 ? timeout_ms : SYNC_TIMEOUT_MS;
}

void
sync_chan_set_budget(struct sync_chan *c, sync_budget_fn fn, void *arg)
{
	c->budget = fn;
	c->budget_arg = arg;
}

void
sync_chan_set_max(struct sync_chan *c, size_t max)
{
	c->max = max > SYNC_MSG_MAX ? SYNC_MSG_MAX : max;
}

void
sync_chan_peer_key(const struct sync_chan *c, uint8_t out[32])
{
	memcpy(out, c->peer_key, 32);
}

const char *
sync_chan_peer(const struct sync_chan *c)
{
	return c->peer;
}

int
sync_chan_fd(const struct sync_chan *c)
{
	return c->fd;
}

void
sync_chan_free(struct sync_chan *c)
{
	if (c == NULL)
		return;
	if (c->fd >= 0)
		close(c->fd);
	noise_cipher_free(c->tx);
	noise_cipher_free(c->rx);
	sodium_memzero(c, sizeof(*c));
	free(c);
}
