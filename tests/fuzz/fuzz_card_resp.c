/*
 * fuzz_card_resp.c — everything in the card module that reads bytes from a
 * card: response APDUs and status words, command APDUs (the simulator's
 * side), and the EF parsers (個人番号, 基本4情報, digests, 券面事項); then the
 * simulated card itself, fed the input as a stream of commands.
 *
 * The first byte picks the target; the rest is the input.  Properties:
 * errors are ERR_* values and leave nothing allocated behind; decoded
 * commands re-encode to the same bytes; a parsed 個人番号 is 12 digits (FF10,
 * LAYOUT.md); a
 * parsed 基本4情報 has UTF-8 name and address, a real date and an ISO 5218
 * sex; every status word gets a message in both languages.
 */
#include <stdlib.h>
#include <string.h>

#include "card.h"
#include "sim.h"

static void
check(int cond)
{
	if (!cond)
		abort();
}

static int
is_err(int r)
{
	return r <= ERR_INVAL && r >= ERR_PROTO;
}

static void
fuzz_rapdu(const uint8_t *p, size_t n)
{
	struct rapdu r;
	struct err e;
	int rc = rapdu_parse(p, n, &r);

	if (rc != 0) {
		check(rc == ERR_SHORT && n < 2);
		return;
	}
	check(r.len == n - 2);
	check(r.sw == (uint16_t)(p[n - 2] << 8 | p[n - 1]));
	rc = card_sw_err(r.sw, &e);
	if (r.sw == 0x9000)
		check(rc == 0);
	else {
		check(is_err(rc));
		check(e.msg[0] != '\0' && err_ja(&e)[0] != '\0');
		check(utf8_valid(e.ja, strlen(e.ja)));
	}
}

static void
fuzz_apdu(const uint8_t *p, size_t n)
{
	struct apdu a;
	uint8_t out[65536 + 16];
	size_t m;
	int rc = apdu_decode(p, n, &a);

	if (rc != 0) {
		check(rc == ERR_SHORT || rc == ERR_FORMAT);
		return;
	}
	check(a.lc <= 65535 && a.le <= CARD_LE_MAX);
	check(apdu_encode(&a, out, sizeof(out), &m) == 0);
	check(m == n && memcmp(out, p, n) == 0);
}

static struct card_result *
fresh(void)
{
	struct card_result *r = calloc(1, sizeof(*r));

	check(r != NULL);
	return r;
}

static void
fuzz_mynumber(const uint8_t *p, size_t n)
{
	struct card_result *r = fresh();
	struct err e;
	int rc = card_parse_mynumber(p, n, r, &e);

	if (rc == 0) {
		check(r->mynumber != NULL && strlen(r->mynumber) == 12);
		for (int i = 0; i < 12; i++)
			check(r->mynumber[i] >= '0' && r->mynumber[i] <= '9');
	} else
		check(is_err(rc) && r->mynumber == NULL);
	card_result_free(r);
}

static void
fuzz_basic4(const uint8_t *p, size_t n)
{
	struct card_result *r = fresh();
	struct err e;
	int rc = card_parse_basic4(p, n, r, &e);

	if (rc == 0) {
		check(r->name != NULL && utf8_valid(r->name, strlen(r->name)));
		check(r->address != NULL && utf8_valid(r->address, strlen(r->address)));
		check(date_valid(r->birth.y, r->birth.m, r->birth.d));
		check(r->sex == 0 || r->sex == 1 || r->sex == 2 || r->sex == 9);
	} else
		check(is_err(rc));
	card_result_free(r);		/* also on error: partial fields freed */
}

static void
fuzz_digests(const uint8_t *p, size_t n)
{
	struct card_result *r = fresh();
	struct err e;
	size_t a, b;
	int rc;

	if (n < 2)
		goto out;
	a = p[0] % (n - 1);
	b = p[1] % (n - 1 - a ? n - 1 - a : 1);
	p += 2;
	n -= 2;
	if (a + b > n)
		goto out;
	rc = card_parse_digests(p + a + b, n - a - b, p, a, p + a, b, r, &e);
	if (rc == 0) {
		check(r->digest_mynumber >= CARD_DIGEST_OK && r->digest_mynumber <= CARD_DIGEST_MISSING);
		check(r->digest_basic4 >= CARD_DIGEST_OK && r->digest_basic4 <= CARD_DIGEST_MISSING);
	} else
		check(is_err(rc));
out:
	card_result_free(r);
}

static void
fuzz_kenmen(const uint8_t *p, size_t n)
{
	struct card_result *r = fresh();
	struct err e;
	int rc = card_parse_kenmen(p, n, r, &e);

	if (rc == 0) {
		check(r->face.photo_jp2 != NULL && r->face.photo_len > 0);
		check(r->face.name_png != NULL && r->face.addr_png != NULL);
		check(date_valid(r->expiry.y, r->expiry.m, r->expiry.d));
		check(strlen(r->face.expiry) == 10);
	} else
		check(is_err(rc));
	card_result_free(r);
}

/* The simulated card answers any command stream without crashing; every
 * answer ends in a status word (no faults switched on). */
static void
fuzz_sim(const uint8_t *p, size_t n)
{
	static const char prof[] = "name = 試験\naddress = 窓口市\nbirth = 19800101\n"
	    "sex = 1\nmynumber = 444444444440\npin = 1234\nexpiry = 20300101\n"
	    "security_code = 1234\nmax_response = 100\n";
	static uint8_t out[65536 + 2];
	struct sim_profile *sp;
	struct sim_card *c;
	struct err e;
	struct rbuf b;

	check(sim_profile_parse(prof, strlen(prof), NULL, &sp, &e) == 0);
	check(sim_card_new(sp, &c, &e) == 0);
	rbuf_init(&b, p, n);
	while (rbuf_left(&b) > 0) {
		const uint8_t *cmd;
		size_t cn, outn = 0;
		if (rbuf_get_lp(&b, 1, 255, &cmd, &cn) != 0)
			break;
		check(sim_card_apdu(c, cmd, cn, out, sizeof(out), &outn) == 0);
		check(outn >= 2);
	}
	sim_card_free(c);
	sim_profile_free(sp);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] % 7) {
	case 0: fuzz_rapdu(data + 1, size - 1); break;
	case 1: fuzz_apdu(data + 1, size - 1); break;
	case 2: fuzz_mynumber(data + 1, size - 1); break;
	case 3: fuzz_basic4(data + 1, size - 1); break;
	case 4: fuzz_digests(data + 1, size - 1); break;
	case 5: fuzz_kenmen(data + 1, size - 1); break;
	case 6: fuzz_sim(data + 1, size - 1); break;
	}
	return 0;
}
