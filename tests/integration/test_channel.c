/*
 * test_channel.c — the Noise channel over real TCP on 127.0.0.1 (NET-1,
 * AC-8): application messages spanning many transport messages, a wrong
 * pinned central key, a refused terminal key, garbage before the
 * handshake, malformed and oversized frames after it, and a peer that
 * closes in the middle of a message.  Every failure must be clean (an
 * error code, the connection closed) and the server must keep serving.
 */
#include <errno.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "harness.h"
#include "core.h"
#include "sync.h"

struct server {
	int lfd, port;
	uint8_t priv[32], pub[32];
	uint8_t allowed[32];	/* the one terminal key admitted */
	int nconn;		/* connections to serve */
	size_t max;		/* receive limit (0 = default) */
	int results[16];	/* accept or first failing code per connection */
	pthread_t th;
};

static int
auth_one(void *arg, const uint8_t rs[32], const uint8_t *hello, size_t hlen,
    struct wbuf *reply, struct err *e)
{
	struct server *s = arg;

	if (memcmp(rs, s->allowed, 32) != 0)
		return err_set(e, ERR_AUTH, "unknown terminal key");
	wbuf_put(reply, "welcome:", 8);
	wbuf_put(reply, hello, hlen);
	return 0;
}

/* Echo every message back until the peer goes away. */
static void *
serve(void *arg)
{
	struct server *s = arg;
	struct sync_chan *c;
	struct wbuf m;
	struct err e;
	int i, fd, r;

	wbuf_init(&m, SYNC_MSG_MAX + 16);
	for (i = 0; i < s->nconn; i++) {
		if ((fd = accept(s->lfd, NULL, NULL)) < 0)
			break;
		r = sync_chan_accept(fd, s->priv, auth_one, s, 3000, &c, &e);
		s->results[i] = r;
		if (r != 0)
			continue;
		if (s->max)
			sync_chan_set_max(c, s->max);
		while ((r = sync_chan_recv(c, &m, &e)) == 0)
			if (sync_chan_send(c, m.p, m.len, &e) != 0)
				break;
		s->results[i] = r;
		sync_chan_free(c);
	}
	wbuf_free(&m);
	return NULL;
}

static void
server_start(struct server *s, const uint8_t allowed[32], int nconn)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	int one = 1;

	REQUIRE(noise_keypair(s->priv, s->pub) == 0);
	memcpy(s->allowed, allowed, 32);
	s->nconn = nconn;
	s->lfd = socket(AF_INET, SOCK_STREAM, 0);
	REQUIRE(s->lfd >= 0);
	setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	REQUIRE(bind(s->lfd, (struct sockaddr *)&a, sizeof(a)) == 0);
	REQUIRE(listen(s->lfd, 16) == 0);
	REQUIRE(getsockname(s->lfd, (struct sockaddr *)&a, &al) == 0);
	s->port = ntohs(a.sin_port);
	REQUIRE(pthread_create(&s->th, NULL, serve, s) == 0);
}

static void
server_join(struct server *s)
{
	pthread_join(s->th, NULL);
	close(s->lfd);
}

static const char *
addr(const struct server *s)
{
	static char buf[64];

	snprintf(buf, sizeof(buf), "127.0.0.1:%d", s->port);
	return buf;
}

static int
raw_connect(int port)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)port);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

TEST(channel_large_messages_roundtrip)
{
	struct server s;
	uint8_t tpriv[32], tpub[32];
	struct sync_chan *c;
	struct wbuf reply, back;
	struct err e;
	size_t sizes[] = { 0, 1, NOISE_MAX_PAYLOAD - 4, NOISE_MAX_PAYLOAD - 3,
	    300000, 3 * 1024 * 1024 };
	uint8_t *big;
	size_t i;

	REQUIRE(noise_keypair(tpriv, tpub) == 0);
	server_start(&s, tpub, 1);
	wbuf_init(&reply, 0);
	wbuf_init(&back, SYNC_MSG_MAX + 16);
	REQUIRE_OK(sync_chan_connect(addr(&s), tpriv, s.pub, "hi", 2, &reply, 3000, &c, &e), &e);
	CHECK_INT(reply.len, 10);
	CHECK_MEM(reply.p, "welcome:hi", 10);
	big = malloc(3 * 1024 * 1024);
	REQUIRE(big != NULL);
	rand_bytes(big, 3 * 1024 * 1024);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		CHECK_OK(sync_chan_send(c, big, sizes[i], &e), &e);
		REQUIRE_OK(sync_chan_recv(c, &back, &e), &e);
		CHECK_INT(back.len, sizes[i]);
		if (sizes[i] > 0)
			CHECK_MEM(back.p, big, sizes[i]);
	}
	/* The sender refuses to send more than the limit. */
	CHECK_INT(sync_chan_send(c, big, SYNC_MSG_MAX + 1, &e), ERR_RANGE);
	sync_chan_free(c);
	server_join(&s);
	/* The server saw an orderly close. */
	CHECK_INT(s.results[0], ERR_NET);
	free(big);
	wbuf_free(&reply);
	wbuf_free(&back);
}

TEST(channel_wrong_central_key_and_refused_terminal)
{
	struct server s;
	uint8_t tpriv[32], tpub[32], opriv[32], opub[32];
	struct sync_chan *c = NULL;
	struct err e;

	REQUIRE(noise_keypair(tpriv, tpub) == 0);
	REQUIRE(noise_keypair(opriv, opub) == 0);
	server_start(&s, tpub, 3);
	/* 1. The terminal pins a different central key: the central cannot
	 *    decrypt message 1 and closes; the terminal sees a refusal. */
	CHECK(sync_chan_connect(addr(&s), tpriv, opub, "", 0, NULL, 3000, &c, &e) != 0);
	CHECK(c == NULL);
	/* 2. An unknown terminal key (AC-8): refused, ERR_AUTH at the terminal. */
	CHECK_INT(sync_chan_connect(addr(&s), opriv, s.pub, "", 0, NULL, 3000, &c, &e), ERR_AUTH);
	/* 3. And the right pair still works afterwards. */
	CHECK_OK(sync_chan_connect(addr(&s), tpriv, s.pub, "", 0, NULL, 3000, &c, &e), &e);
	sync_chan_free(c);
	server_join(&s);
	CHECK_INT(s.results[0], ERR_CRYPTO);
	CHECK_INT(s.results[1], ERR_AUTH);
}

TEST(channel_garbage_before_handshake)
{
	struct server s;
	uint8_t tpriv[32], tpub[32], junk[4096];
	struct sync_chan *c;
	struct err e;
	int fd;

	REQUIRE(noise_keypair(tpriv, tpub) == 0);
	server_start(&s, tpub, 4);
	/* HTTP, random bytes with a plausible length, a tiny length, then a
	 * good client: the server must survive all and serve the last. */
	fd = raw_connect(s.port);
	REQUIRE(fd >= 0);
	CHECK(write(fd, "GET / HTTP/1.0\r\n\r\n", 18) == 18);
	close(fd);
	fd = raw_connect(s.port);
	rand_bytes(junk, sizeof(junk));
	junk[0] = 0x00;
	junk[1] = 0x70;
	CHECK(write(fd, junk, sizeof(junk)) == (ssize_t)sizeof(junk));
	close(fd);
	fd = raw_connect(s.port);
	CHECK(write(fd, "\x00\x05" "hello", 7) == 7);
	close(fd);
	CHECK_OK(sync_chan_connect(addr(&s), tpriv, s.pub, "", 0, NULL, 3000, &c, &e), &e);
	sync_chan_free(c);
	server_join(&s);
	CHECK(s.results[0] != 0);
	CHECK_INT(s.results[1], ERR_CRYPTO);
	CHECK_INT(s.results[2], ERR_PROTO);
}

TEST(channel_malformed_frames_after_handshake)
{
	struct server s;
	uint8_t tpriv[32], tpub[32], frame[2 + 64];
	struct sync_chan *c;
	struct wbuf back;
	struct err e;

	REQUIRE(noise_keypair(tpriv, tpub) == 0);
	server_start(&s, tpub, 3);
	wbuf_init(&back, 0);
	/* A transport frame of random bytes: fails authentication. */
	REQUIRE_OK(sync_chan_connect(addr(&s), tpriv, s.pub, "", 0, NULL, 3000, &c, &e), &e);
	rand_bytes(frame, sizeof(frame));
	frame[0] = 0;
	frame[1] = 64;
	CHECK(write(sync_chan_fd(c), frame, sizeof(frame)) == (ssize_t)sizeof(frame));
	CHECK(sync_chan_recv(c, &back, &e) != 0);	/* server closed */
	sync_chan_free(c);
	/* A frame shorter than a tag. */
	REQUIRE_OK(sync_chan_connect(addr(&s), tpriv, s.pub, "", 0, NULL, 3000, &c, &e), &e);
	CHECK(write(sync_chan_fd(c), "\x00\x03" "abc", 5) == 5);
	CHECK(sync_chan_recv(c, &back, &e) != 0);
	sync_chan_free(c);
	/* Half a frame, then the terminal goes away. */
	REQUIRE_OK(sync_chan_connect(addr(&s), tpriv, s.pub, "", 0, NULL, 3000, &c, &e), &e);
	CHECK(write(sync_chan_fd(c), "\x01\x00" "abcdefgh", 10) == 10);
	sync_chan_free(c);
	server_join(&s);
	CHECK_INT(s.results[0], ERR_CRYPTO);
	CHECK_INT(s.results[1], ERR_PROTO);
	CHECK_INT(s.results[2], ERR_NET);
	wbuf_free(&back);
}

TEST(channel_oversized_message_closes)
{
	struct server s;
	uint8_t tpriv[32], tpub[32], *buf;
	struct sync_chan *c;
	struct wbuf back;
	struct err e;

	REQUIRE(noise_keypair(tpriv, tpub) == 0);
	server_start(&s, tpub, 1);
	s.max = 1000;	/* the server accepts at most 1000-byte messages */
	wbuf_init(&back, 0);
	buf = calloc(1, 5000);
	REQUIRE_OK(sync_chan_connect(addr(&s), tpriv, s.pub, "", 0, NULL, 3000, &c, &e), &e);
	CHECK_OK(sync_chan_send(c, buf, 1000, &e), &e);
	CHECK_OK(sync_chan_recv(c, &back, &e), &e);
	CHECK_OK(sync_chan_send(c, buf, 1001, &e), &e);
	CHECK(sync_chan_recv(c, &back, &e) != 0);
	sync_chan_free(c);
	server_join(&s);
	CHECK_INT(s.results[0], ERR_RANGE);
	free(buf);
	wbuf_free(&back);
}

TEST(channel_connect_refused_is_network_error)
{
	uint8_t tpriv[32], tpub[32];
	struct sync_chan *c;
	struct err e;
	char a[64];

	REQUIRE(noise_keypair(tpriv, tpub) == 0);
	snprintf(a, sizeof(a), "127.0.0.1:%d", t_free_port());
	CHECK_INT(sync_chan_connect(a, tpriv, tpub, "", 0, NULL, 2000, &c, &e), ERR_NET);
	CHECK_INT(sync_chan_connect("no-port", tpriv, tpub, "", 0, NULL, 2000, &c, &e), ERR_INVAL);
}
