/*
 * card-internal.h — what the files of src/card share and nobody else may
 * use: PC/SC error mapping, transactions, and the file-system commands
 * (SELECT, READ BINARY, VERIFY) the applications are built from.
 */
#ifndef MDG_CARD_INTERNAL_H
#define MDG_CARD_INTERNAL_H

#include "card.h"

/* Largest EF we read (READ BINARY offsets are 15 bits). */
#define CARD_EF_MAX 32767

int card_pcsc_err(long rv, const char *what, struct err *e);
/* Readers of an established context (SCARDCONTEXT is a long). */
int card_readers_list_ctx(long ctx, char ***names, size_t *n, struct err *e);
int card_extended(const struct card *c);
void card_extended_off(struct card *c);
int card_refused_by_reader(const struct card *c);
/* SCardBeginTransaction / End around one read, so no other client
 * interleaves APDUs with ours. */
int card_begin(struct card *c, struct err *e);
void card_end(struct card *c);
/* SCardControl on the connected card's reader (PC/SC part 10 features);
 * pinpad.c. */
int card_control(struct card *c, unsigned long code, const uint8_t *in,
    size_t inlen, uint8_t *out, size_t cap, size_t *outlen, struct err *e);
/* The PIN-pad VERIFY (pinpad.c): the reader collects the PIN on its keys
 * and sends the VERIFY for the current EF itself; *sw its answer. */
int card_pinpad_verify_here(struct card *c, uint16_t *sw, struct err *e);

int card_select_ap(struct card *c, enum card_ap ap, struct err *e);
int card_select_ef(struct card *c, uint16_t fid, struct err *e);
/* Read one BER-TLV element from the start of the current EF: its header
 * first, then exactly the rest.  *out is malloc'd (*n bytes = the whole
 * element).  A short or malformed answer is ERR_SHORT / ERR_FORMAT. */
int card_read_tlv_ef(struct card *c, uint8_t **out, size_t *n, struct err *e);
/* Tries of one secret: selects its EF in the current AP (the caller has
 * selected the AP) and sends an empty VERIFY. */
int card_tries_here(struct card *c, enum card_pin which, struct err *e);
/* The PIN-safe VERIFY: tries first, refuse on 0 or on 1 without
 * confirmation, then VERIFY with the secret copied into sodium memory and
 * wiped at once.  Fills req->tries_before / tries_after. */
int card_verify_safe(struct card *c, enum card_pin which,
    struct card_read_req *req, struct err *e);

/* Authenticity (auth.c).  Fill r->auth, auth_fail, issuer_key_id; return 1
 * with *chipkey set (pointing into the EF bytes) when the record holding
 * the card key verified, so the chip may be challenged; else 0. */
int card_auth_kenhojo(const struct card_anchors *anchors, const uint8_t *ef3, size_t n3,
    const uint8_t *ef4, size_t n4, const uint8_t *ef7, size_t n7,
    struct card_result *r, struct card_rsa_pub *chipkey);
int card_auth_kenmen(const struct card_anchors *anchors, const uint8_t *ef2, size_t n2,
    const uint8_t *ef4, size_t n4, struct card_result *r, struct card_rsa_pub *chipkey);
/* 32 fresh random bytes, 80 2A 00 00 with their DigestInfo, the answer
 * checked against chipkey: r->chip genuine or failed.  An error only when
 * the card did not answer at all. */
int card_challenge(struct card *c, const struct card_rsa_pub *chipkey,
    struct card_result *r, struct err *e);
/* The whole of the current EF up to 256 bytes (EF 0001 with its filler). */
int card_read_small_ef(struct card *c, uint8_t **out, size_t *n, struct err *e);

#endif
