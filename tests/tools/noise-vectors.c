/*
 * noise-vectors — check src/sync/noise.c against a Noise test-vector file
 * in the cacophony JSON format:
 *
 *   noise-vectors FILE
 *
 * Every entry whose protocol_name is Noise_IK_25519_ChaChaPoly_BLAKE2b is
 * run: the fixed static and ephemeral keys and prologues go in, and each
 * handshake and transport ciphertext, each decrypted payload and the
 * handshake hash must come out exactly.  Entries for other protocols, or
 * with PSKs or fallback (not part of plain IK), are counted as skipped.
 * Prints one line per vector and ends with "N passed, N failed".
 * Exit status 0 only when at least one vector ran and none failed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "sync.h"

#define BUFMAX (NOISE_MAX_MSG + 64)

/* Decode a hex member into a malloc'd buffer (or fail with a reason). */
static int
get_hex(const struct json *obj, const char *key, uint8_t **out, size_t *n,
    char *why, size_t whylen)
{
	const char *s = json_get_str(obj, key);
	size_t sl;
	int r;

	*out = NULL;
	*n = 0;
	if (s == NULL) {
		snprintf(why, whylen, "missing %s", key);
		return -1;
	}
	sl = strlen(s);
	if ((*out = malloc(sl / 2 + 1)) == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	if ((r = hex_decode(s, sl, *out, sl / 2 + 1)) < 0) {
		snprintf(why, whylen, "%s is not hex", key);
		free(*out);
		*out = NULL;
		return -1;
	}
	*n = (size_t)r;
	return 0;
}

static int
get_key32(const struct json *obj, const char *key, uint8_t out[32], char *why,
    size_t whylen)
{
	uint8_t *p;
	size_t n;

	if (get_hex(obj, key, &p, &n, why, whylen) != 0)
		return -1;
	if (n != 32) {
		snprintf(why, whylen, "%s is not 32 bytes", key);
		free(p);
		return -1;
	}
	memcpy(out, p, 32);
	free(p);
	return 0;
}

/* Run one vector; 0 pass, -1 fail with why set. */
static int
run_vector(const struct json *v, char *why, size_t whylen)
{
	uint8_t is[32], ie[32], irs[32], rsk[32], re[32];
	uint8_t *ipro = NULL, *rpro = NULL, *hh = NULL, *pl = NULL, *ct = NULL;
	size_t ipn, rpn, hhn, pln, ctn, outn, decn;
	uint8_t *out = NULL, *dec = NULL, h_i[NOISE_HASHLEN], h_r[NOISE_HASHLEN];
	struct noise_hs *ih = NULL, *rh = NULL;
	struct noise_cipher *isend = NULL, *irecv = NULL, *rsend = NULL, *rrecv = NULL;
	const struct json *msgs, *m;
	struct err e;
	int idx, rc = -1;

	err_clear(&e);
	if (get_key32(v, "init_static", is, why, whylen) != 0 ||
	    get_key32(v, "init_ephemeral", ie, why, whylen) != 0 ||
	    get_key32(v, "init_remote_static", irs, why, whylen) != 0 ||
	    get_key32(v, "resp_static", rsk, why, whylen) != 0 ||
	    get_key32(v, "resp_ephemeral", re, why, whylen) != 0 ||
	    get_hex(v, "init_prologue", &ipro, &ipn, why, whylen) != 0 ||
	    get_hex(v, "resp_prologue", &rpro, &rpn, why, whylen) != 0 ||
	    get_hex(v, "handshake_hash", &hh, &hhn, why, whylen) != 0)
		goto out;
	if ((msgs = json_get(v, "messages")) == NULL || msgs->type != JSON_ARR) {
		snprintf(why, whylen, "missing messages");
		goto out;
	}
	out = malloc(BUFMAX);
	dec = malloc(BUFMAX);
	ih = noise_hs_new(NOISE_INITIATOR, ipro, ipn, is, irs, ie, &e);
	rh = noise_hs_new(NOISE_RESPONDER, rpro, rpn, rsk, NULL, re, &e);
	if (out == NULL || dec == NULL || ih == NULL || rh == NULL) {
		snprintf(why, whylen, "setup: %s", e.msg);
		goto out;
	}
	for (m = msgs->child, idx = 0; m != NULL; m = m->next, idx++) {
		int from_init = idx % 2 == 0;

		free(pl);
		free(ct);
		pl = ct = NULL;
		if (get_hex(m, "payload", &pl, &pln, why, whylen) != 0 ||
		    get_hex(m, "ciphertext", &ct, &ctn, why, whylen) != 0)
			goto out;
		if (idx < 2) {
			struct noise_hs *w = from_init ? ih : rh, *r = from_init ? rh : ih;

			if (noise_hs_write(w, pl, pln, out, BUFMAX, &outn, &e) != 0 ||
			    noise_hs_read(r, out, outn, dec, BUFMAX, &decn, &e) != 0) {
				snprintf(why, whylen, "message %d: %s", idx, e.msg);
				goto out;
			}
			if (idx == 1) {
				if (noise_hs_split(ih, &isend, &irecv, h_i, &e) != 0 ||
				    noise_hs_split(rh, &rsend, &rrecv, h_r, &e) != 0) {
					snprintf(why, whylen, "split: %s", e.msg);
					goto out;
				}
				if (hhn != NOISE_HASHLEN || memcmp(h_i, hh, hhn) != 0 ||
				    memcmp(h_r, hh, hhn) != 0) {
					snprintf(why, whylen, "handshake hash differs");
					goto out;
				}
			}
		} else {
			struct noise_cipher *s = from_init ? isend : rsend;
			struct noise_cipher *r = from_init ? rrecv : irecv;

			if (noise_cipher_encrypt(s, NULL, 0, pl, pln, out, BUFMAX, &outn, &e) != 0 ||
			    noise_cipher_decrypt(r, NULL, 0, out, outn, dec, BUFMAX, &decn, &e) != 0) {
				snprintf(why, whylen, "message %d: %s", idx, e.msg);
				goto out;
			}
		}
		if (outn != ctn || memcmp(out, ct, ctn) != 0) {
			snprintf(why, whylen, "message %d: ciphertext differs", idx);
			goto out;
		}
		if (decn != pln || memcmp(dec, pl, pln) != 0) {
			snprintf(why, whylen, "message %d: payload differs after decryption", idx);
			goto out;
		}
	}
	if (idx < 2) {
		snprintf(why, whylen, "fewer than two messages");
		goto out;
	}
	rc = 0;
out:
	noise_hs_free(ih);
	noise_hs_free(rh);
	noise_cipher_free(isend);
	noise_cipher_free(irecv);
	noise_cipher_free(rsend);
	noise_cipher_free(rrecv);
	free(ipro);
	free(rpro);
	free(hh);
	free(pl);
	free(ct);
	free(out);
	free(dec);
	return rc;
}

int
main(int argc, char **argv)
{
	const struct json *vs, *v;
	struct json *root = NULL;
	struct err e;
	char *text = NULL, why[256];
	size_t n = 0, cap = 0;
	int pass = 0, fail = 0, skip = 0, idx;
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: noise-vectors FILE\n");
		return 2;
	}
	if ((f = fopen(argv[1], "rb")) == NULL) {
		fprintf(stderr, "noise-vectors: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	for (;;) {
		size_t got;

		if (n == cap) {
			char *t = realloc(text, cap = cap ? cap * 2 : 65536);
			if (t == NULL) {
				fclose(f);
				free(text);
				return 2;
			}
			text = t;
		}
		if ((got = fread(text + n, 1, cap - n, f)) == 0)
			break;
		n += got;
	}
	fclose(f);
	err_clear(&e);
	if (json_parse(text, n, &root, &e) != 0) {
		fprintf(stderr, "noise-vectors: %s: %s\n", argv[1], e.msg);
		free(text);
		printf("0 passed, 1 failed\n");
		return 1;
	}
	free(text);
	vs = json_get(root, "vectors");
	if (vs == NULL || vs->type != JSON_ARR) {
		fprintf(stderr, "noise-vectors: %s: no \"vectors\" array\n", argv[1]);
		json_free(root);
		printf("0 passed, 1 failed\n");
		return 1;
	}
	for (v = vs->child, idx = 0; v != NULL; v = v->next, idx++) {
		const char *name = json_get_str(v, "protocol_name");

		if (name == NULL || strcmp(name, NOISE_PROTOCOL_NAME) != 0 ||
		    json_get(v, "init_psks") != NULL || json_get(v, "resp_psks") != NULL ||
		    json_get(v, "fallback") != NULL || json_get(v, "fail") != NULL) {
			skip++;
			continue;
		}
		why[0] = '\0';
		if (run_vector(v, why, sizeof(why)) == 0) {
			printf("ok   vector %d %s\n", idx, name);
			pass++;
		} else {
			printf("FAIL vector %d %s: %s\n", idx, name, why);
			fail++;
		}
	}
	json_free(root);
	if (skip > 0)
		printf("(%d entries for other protocols or variants skipped)\n", skip);
	if (pass + fail == 0) {
		printf("no %s vectors in %s\n", NOISE_PROTOCOL_NAME, argv[1]);
		fail = 1;
	}
	printf("%d passed, %d failed\n", pass, fail);
	return fail == 0 ? 0 : 1;
}
