/*
 * test_sync_client.c — the terminal's sync round against a misbehaving
 * central (a thread speaking the real channel on 127.0.0.1): an answer
 * with a foreign request ID, an answer of the wrong type, and an
 * acknowledgement of an item that was never sent must all leave the
 * outbox as it was (NET-2); a change body with an undefined member fails
 * its page without applying any of it, cursor included (NET-3).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "harness.h"
#include "store.h"
#include "sync.h"

enum mode { WRONG_ID, WRONG_TYPE, FOREIGN_ACK, BAD_CHANGE };

struct fake {
	int lfd, port;
	uint8_t priv[32], pub[32];
	enum mode mode;
	pthread_t th;
};

static int
auth_any(void *arg, const uint8_t rs[32], const uint8_t *hello, size_t hlen,
    struct wbuf *reply, struct err *e)
{
	struct msg h, w;
	int r;

	(void)arg;
	(void)rs;
	if ((r = msg_decode(hello, hlen, &h, e)) != 0)
		return r;
	msg_init(&w, MSG_WELCOME, h.id);
	msg_set_text(&w.terminal_id, "T9");
	msg_set_text(&w.wards, "");
	msg_set_text(&w.procedures, "");
	r = msg_encode(&w, reply, e);
	msg_clear(&w);
	msg_clear(&h);
	return r;
}

static void *
fake_main(void *arg)
{
	struct fake *f = arg;
	struct sync_chan *ch;
	struct msg req, rep;
	struct wbuf b;
	struct err e;
	int fd;

	wbuf_init(&b, 0);
	if ((fd = accept(f->lfd, NULL, NULL)) < 0 ||
	    sync_chan_accept(fd, f->priv, auth_any, f, 5000, &ch, &e) != 0)
		return NULL;
	while (sync_chan_recv(ch, &b, &e) == 0 && msg_decode(b.p, b.len, &req, &e) == 0) {
		if (req.type == MSG_PUSH) {
			msg_init(&rep, f->mode == WRONG_TYPE ? MSG_PONG : MSG_PUSH_ACK,
			    f->mode == WRONG_ID ? req.id + 1 : req.id);
			if (f->mode == FOREIGN_ACK)
				msg_add_ack(&rep, "7c9e6679-7425-40de-944b-e07fc1f90ae7",
				    ACK_STORED, NULL);
			else
				msg_add_ack(&rep, req.items[0].uuid, ACK_STORED, NULL);
		} else if (req.type == MSG_PULL) {
			const char *bad = "{\"atena\":\"000000002\",\"evil\":1}";

			msg_init(&rep, MSG_CHANGES, req.id);
			rep.cursor = 2;
			msg_add_change(&rep, 1, CHG_PERSON, CHG_DELETE, "000000001", NULL, 0);
			msg_add_change(&rep, 2, CHG_PERSON, CHG_UPSERT, "000000002", bad,
			    strlen(bad));
		} else
			msg_init(&rep, MSG_PONG, req.id);
		msg_clear(&req);
		b.len = 0;
		msg_encode(&rep, &b, &e);
		msg_clear(&rep);
		if (sync_chan_send(ch, b.p, b.len, &e) != 0)
			break;
	}
	sync_chan_free(ch);
	wbuf_free(&b);
	return NULL;
}

static void
fake_start(struct fake *f, enum mode m)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);

	REQUIRE(noise_keypair(f->priv, f->pub) == 0);
	f->mode = m;
	f->lfd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	REQUIRE(bind(f->lfd, (struct sockaddr *)&a, sizeof(a)) == 0);
	REQUIRE(listen(f->lfd, 4) == 0);
	REQUIRE(getsockname(f->lfd, (struct sockaddr *)&a, &al) == 0);
	f->port = ntohs(a.sin_port);
	REQUIRE(pthread_create(&f->th, NULL, fake_main, f) == 0);
}

/* A terminal store "enrolled" with the fake central, one outbox item and
 * one person; returns the result of one round. */
static int
round_against(enum mode m, struct store **out, struct sync_report *rep)
{
	struct fake f;
	struct store *st;
	struct sync_config cfg;
	struct person p;
	uint8_t tpriv[32], tpub[32];
	char hex[65], addr[64];
	struct err e;
	int r;

	fake_start(&f, m);
	REQUIRE_OK(store_create(t_path("t"), "admin", "Kx9#mPq2vL", &e), &e);
	REQUIRE_OK(store_open(t_path("t"), "admin", "Kx9#mPq2vL", &st, &e), &e);
	noise_keypair(tpriv, tpub);
	hex_encode(tpriv, 32, hex);
	REQUIRE_OK(store_secret_set(st, "sync.private_key", hex, strlen(hex), &e), &e);
	hex_encode(f.pub, 32, hex);
	REQUIRE_OK(store_setting_set(st, "sync.central_key", hex, &e), &e);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", f.port);
	REQUIRE_OK(store_setting_set(st, "sync.central", addr, &e), &e);
	REQUIRE_OK(store_outbox_add(st, NULL, "idcheck", "{}", 2, NULL, &e), &e);
	memset(&p, 0, sizeof(p));
	snprintf(p.atena, sizeof(p.atena), "000000001");
	snprintf(p.name, sizeof(p.name), "山田 太郎");
	snprintf(p.kana, sizeof(p.kana), "ヤマダ タロウ");
	snprintf(p.address, sizeof(p.address), "北区");
	snprintf(p.ward, sizeof(p.ward), "01");
	p.birth = 19800401;
	p.sex = 1;
	REQUIRE_OK(store_person_upsert(st, &p, &e), &e);
	REQUIRE_OK(sync_config_load(st, NULL, &cfg, &e), &e);
	cfg.timeout_ms = 5000;
	r = sync_round(st, &cfg, rep, &e);
	pthread_join(f.th, NULL);
	close(f.lfd);
	*out = st;
	return r;
}

static int64_t
outbox(struct store *st)
{
	int64_t n = -1;
	struct err e;

	CHECK_OK(store_outbox_count(st, &n, &e), &e);
	return n;
}

TEST(client_rejects_answer_with_foreign_request_id)
{
	struct store *st;
	struct sync_report rep;

	CHECK_INT(round_against(WRONG_ID, &st, &rep), ERR_PROTO);
	CHECK(strstr(rep.error, "request ID") != NULL);
	CHECK_INT(outbox(st), 1);
	store_close(st);
}

TEST(client_rejects_answer_of_wrong_type)
{
	struct store *st;
	struct sync_report rep;

	CHECK_INT(round_against(WRONG_TYPE, &st, &rep), ERR_PROTO);
	CHECK_INT(outbox(st), 1);
	store_close(st);
}

TEST(client_ignores_ack_of_item_never_sent)
{
	struct store *st;
	struct sync_report rep;

	/* The round fails: the item sent has no answer; and the foreign
	 * acknowledgement deleted nothing. */
	CHECK_INT(round_against(FOREIGN_ACK, &st, &rep), ERR_PROTO);
	CHECK(strstr(rep.error, "did not acknowledge") != NULL);
	CHECK_INT(rep.pushed, 0);
	CHECK_INT(outbox(st), 1);
	store_close(st);
}

TEST(client_bad_change_applies_nothing_of_its_page)
{
	struct store *st;
	struct sync_report rep;
	struct person p;
	struct err e;
	char cur[32];

	CHECK_INT(round_against(BAD_CHANGE, &st, &rep), ERR_FORMAT);
	CHECK(strstr(rep.error, "undefined member") != NULL);
	/* The tombstone before the bad change was rolled back with it, and
	 * the cursor did not move (NET-3, one transaction per page). */
	CHECK_OK(store_person_get(st, "000000001", &p, &e), &e);
	CHECK_INT(store_sync_cursor_get(st, cur, sizeof(cur), NULL, &e), ERR_NOTFOUND);
	store_close(st);
}
