/*
 * fuzz_sim_profile.c — mynacard-sim's profile parser (the data/cards profiles).
 *
 * Properties: an error is an ERR_* value with a message and no profile;
 * a parsed profile has every required key with a valid value (12- and
 * 4-digit numbers, real dates, ISO 5218 sex, counters within their
 * limits), and a card built from it answers SELECT of each application.
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
digits(const char *s, size_t n)
{
	if (strlen(s) != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sim_profile *p = NULL;
	struct sim_card *c;
	struct date d;
	struct err e;
	int r;

	r = sim_profile_parse((const char *)data, size, NULL, &p, &e);
	if (r != 0) {
		check(r <= ERR_INVAL && r >= ERR_PROTO);
		check(p == NULL && e.msg[0] != '\0');
		return 0;
	}
	check(p != NULL);
	check(p->name[0] != '\0' && utf8_valid(p->name, strlen(p->name)));
	check(p->address[0] != '\0' && utf8_valid(p->address, strlen(p->address)));
	check(date_from_ymd(p->birth, &d) == 0 && date_from_ymd(p->expiry, &d) == 0);
	check(p->sex == 1 || p->sex == 2 || p->sex == 9);
	check(digits(p->mynumber, 12) && digits(p->pin, 4) && digits(p->code, 4));
	check(p->pin_tries >= 0 && p->pin_tries <= 3 && p->b_tries >= 0 && p->b_tries <= 10);
	p->slow_ms = 0;			/* fuzzing speed, not behaviour */
	p->remove_after = 0;
	if (sim_card_new(p, &c, &e) == 0) {
		static const char *aids[] = { CARD_AID_KENHOJO, CARD_AID_KENMEN, CARD_AID_JPKI };
		uint8_t cmd[5 + CARD_AID_LEN], out[300];
		size_t outn;
		for (int i = 0; i < 3; i++) {
			memcpy(cmd, "\x00\xA4\x04\x0C\x0A", 5);
			memcpy(cmd + 5, aids[i], CARD_AID_LEN);
			check(sim_card_apdu(c, cmd, sizeof(cmd), out, sizeof(out), &outn) == 0);
			check(outn == 2 && out[0] == 0x90 && out[1] == 0x00);
		}
		sim_card_free(c);
	} else
		check(e.code == ERR_RANGE);
	sim_profile_free(p);
	return 0;
}
