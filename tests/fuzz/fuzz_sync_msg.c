/*
 * fuzz_sync_msg.c — libFuzzer target for the sync message decoder (NET-3):
 * any bytes either decode into a message that re-encodes and decodes to the
 * same thing, or are rejected with an error; never a crash or a leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "sync.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msg m, again;
	struct wbuf w;
	struct err e;

	if (msg_decode(data, size, &m, &e) != 0)
		return 0;
	/* What the decoder accepts, the encoder must accept and reproduce. */
	wbuf_init(&w, 0);
	if (msg_encode(&m, &w, &e) != 0)
		abort();
	if (msg_decode(w.p, w.len, &again, &e) != 0)
		abort();
	if (again.type != m.type || again.id != m.id ||
	    again.nitems != m.nitems || again.nacks != m.nacks ||
	    again.nchanges != m.nchanges)
		abort();
	msg_clear(&again);
	msg_clear(&m);
	wbuf_free(&w);
	return 0;
}
