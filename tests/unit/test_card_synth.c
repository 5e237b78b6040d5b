/*
 * test_card_synth.c — the demo card profiles (data/cards/demo-N.card) carry
 * the same person as the synthetic data set the demo store is filled with,
 * so a demo card finds its resident (ID-3: the number read is compared with
 * the number held).  Regenerate with tests/tools/gen-demo-cards when the
 * generator changes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "sim.h"
#include "store.h"

TEST(demo_cards_match_synthetic_residents)
{
	int checked = 0;

	for (int k = 1; k <= 20; k++) {
		char path[1024];
		struct sim_profile *p;
		struct synth *g;
		struct synth_resident r;
		unsigned long long seed;
		int index;
		struct err e;

		snprintf(path, sizeof(path), "%s/data/cards/demo-%d.card", t_srcdir(), k);
		if (access(path, R_OK) != 0)
			break;
		REQUIRE_OK(sim_profile_load(path, &p, &e), &e);
		REQUIRE(sscanf(p->synth, "%llu %d", &seed, &index) == 2);
		REQUIRE(index >= 1 && index < 100000);
		REQUIRE((g = synth_new(seed)) != NULL);
		for (int i = 0; i < index; i++)
			synth_next(g, &r);
		CHECK_STR(p->name, r.p.name);
		CHECK_STR(p->address, r.p.address);
		CHECK_INT(p->birth, r.p.birth);
		CHECK_INT(p->sex, r.p.sex == 0 ? 9 : r.p.sex);
		CHECK_STR(p->mynumber, r.mynumber);
		CHECK(mynumber_validate(p->mynumber, 12, NULL) == 0);
		/* issue 11: the card carries its face images (data/cards/faces,
		 * made by scripts/gen-faces.py), so the demo shows a photo */
		{
			static const char *const fmt[] = { "%s/data/cards/faces/demo-%d.jp2",
				"%s/data/cards/faces/demo-%d-name.png",
				"%s/data/cards/faces/demo-%d-addr.png" };
			const uint8_t *got[] = { p->photo, p->name_image, p->address_image };
			size_t gotn[] = { p->photo_len, p->name_image_len, p->address_image_len };

			for (int i = 0; i < 3; i++) {
				char fp[1024];
				size_t fn = 0;
				char *want;

				snprintf(fp, sizeof(fp), fmt[i], t_srcdir(), k);
				REQUIRE((want = t_read_file(fp, &fn)) != NULL);
				CHECK(got[i] != NULL && gotn[i] == fn && fn > 0 &&
				    memcmp(got[i], want, fn) == 0);
				free(want);
			}
		}
		synth_free(g);
		sim_profile_free(p);
		checked++;
	}
	CHECK(checked >= 3);
}

TEST(moved_and_unregistered_cards)
{
	char path[1024];
	struct sim_profile *moved, *demo4, *none;
	struct synth *g;
	struct synth_resident r;
	struct err e;

	snprintf(path, sizeof(path), "%s/data/cards/other-moved.card", t_srcdir());
	REQUIRE_OK(sim_profile_load(path, &moved, &e), &e);
	snprintf(path, sizeof(path), "%s/data/cards/demo-4.card", t_srcdir());
	REQUIRE_OK(sim_profile_load(path, &demo4, &e), &e);
	snprintf(path, sizeof(path), "%s/data/cards/other-unregistered.card", t_srcdir());
	REQUIRE_OK(sim_profile_load(path, &none, &e), &e);
	/* Same person, different address. */
	CHECK_STR(moved->mynumber, demo4->mynumber);
	CHECK_STR(moved->name, demo4->name);
	CHECK_INT(moved->birth, demo4->birth);
	CHECK(strcmp(moved->address, demo4->address) != 0);
	/* Nobody among the demo store's 1000 residents has this number. */
	REQUIRE((g = synth_new(1)) != NULL);
	for (int i = 0; i < 1000; i++) {
		synth_next(g, &r);
		CHECK(strcmp(r.mynumber, none->mynumber) != 0);
		CHECK(strcmp(r.p.name, none->name) != 0 || r.p.birth != none->birth);
	}
	synth_free(g);
	sim_profile_free(moved);
	sim_profile_free(demo4);
	sim_profile_free(none);
}
