/*
 * fuzz_keyslots.c — the key-slot file parser (store.keys, SPEC 4): bytes
 * from the disk, read through the bounded reader only.
 *
 * Properties: no crash or over-read on any input; an accepted file has at
 * most 1000 slots with non-empty valid UTF-8 names and Argon2id limits not
 * below INTERACTIVE; encoding it again gives exactly the input (the format
 * is canonical), and that parses again to the same slots.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core.h"
#include "store.h"

static void
check(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct store_keyslots *ks = NULL, *again = NULL;
	struct store_slot_state ss;
	struct err e;
	struct wbuf w;

	if (store_keyslots_parse(data, size, &ks, &e) != 0) {
		check(ks == NULL);
		check(e.code == ERR_FORMAT || e.code == ERR_NOMEM);
		return 0;
	}
	check(store_keyslots_count(ks) <= 1000);
	/* Names are not in the file (format 2): only a name's locator is. */
	check(!store_keyslots_has(ks, "admin"));
	check(store_keyslots_state(ks, "admin", &ss) == ERR_NOTFOUND);
	wbuf_init(&w, 0);
	check(store_keyslots_encode(ks, &w) == 0);
	check(w.len == size && memcmp(w.p, data, size) == 0);
	check(store_keyslots_parse(w.p, w.len, &again, &e) == 0);
	check(store_keyslots_count(again) == store_keyslots_count(ks));
	wbuf_free(&w);
	store_keyslots_free(again);
	store_keyslots_free(ks);
	return 0;
}
