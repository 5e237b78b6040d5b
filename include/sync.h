/*
 * sync.h — synchronisation between a terminal and madoguchi-central:
 * the Noise_IK_25519_ChaChaPoly_BLAKE2b handshake and transport (noise.c),
 * the framed channel over TCP (channel.c), the versioned sync messages
 * (msg.c), and the terminal's sync client and scheduler (client.c).
 *
 * Depends on core only (and libsodium).  The store is reached by the client
 * through store.h.
 */
#ifndef MDG_SYNC_H
#define MDG_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "core.h"

/* ------------------------------------------------------------------ Noise */

/* Noise revision 34, pattern IK, DH 25519, cipher ChaChaPoly, hash BLAKE2b. */
#define NOISE_PROTOCOL_NAME "Noise_IK_25519_ChaChaPoly_BLAKE2b"
#define NOISE_DHLEN 32
#define NOISE_KEYLEN 32
#define NOISE_HASHLEN 64
#define NOISE_TAGLEN 16
#define NOISE_MAX_MSG 65535	/* a Noise message, handshake or transport */
#define NOISE_MAX_PAYLOAD (NOISE_MAX_MSG - NOISE_TAGLEN)

enum noise_role { NOISE_INITIATOR, NOISE_RESPONDER };

/* One direction of a transport (CipherState).  Opaque; key in sodium_malloc
 * memory, wiped by noise_cipher_free. */
struct noise_cipher;

/* Encrypt pt (ptlen <= NOISE_MAX_PAYLOAD) with associated data ad into
 * out (cap >= ptlen + NOISE_TAGLEN); *outlen receives ptlen + 16.  The
 * nonce advances; ERR_RANGE when it would reach 2^64-1. */
int noise_cipher_encrypt(struct noise_cipher *c, const void *ad, size_t adlen,
    const void *pt, size_t ptlen, uint8_t *out, size_t cap, size_t *outlen,
    struct err *e);
/* Decrypt and authenticate; ERR_CRYPTO when the tag does not match (the
 * nonce then does not advance and out is zeroed). */
int noise_cipher_decrypt(struct noise_cipher *c, const void *ad, size_t adlen,
    const void *ct, size_t ctlen, uint8_t *out, size_t cap, size_t *outlen,
    struct err *e);
void noise_cipher_free(struct noise_cipher *c);

/* HandshakeState for IK.  The initiator must know the responder's static
 * public key (pinned); the responder learns the initiator's from message 1. */
struct noise_hs;

/*
 * s_priv: our static private key (32 bytes, copied into locked memory).
 * rs_pub: the responder's static public key; required for the initiator,
 * must be NULL for the responder.  e_priv: a fixed ephemeral private key
 * for test vectors only; NULL makes a random one.  Returns NULL with e set
 * on failure.
 */
struct noise_hs *noise_hs_new(enum noise_role role, const void *prologue,
    size_t plen, const uint8_t s_priv[32], const uint8_t *rs_pub,
    const uint8_t *e_priv, struct err *e);
void noise_hs_free(struct noise_hs *hs);
/* Write the next handshake message (ours to send) carrying payload. */
int noise_hs_write(struct noise_hs *hs, const void *payload, size_t plen,
    uint8_t *out, size_t cap, size_t *outlen, struct err *e);
/* Read the next handshake message; the payload goes to out.  ERR_CRYPTO
 * when authentication fails, ERR_FORMAT when the message is malformed. */
int noise_hs_read(struct noise_hs *hs, const uint8_t *msg, size_t mlen,
    uint8_t *out, size_t cap, size_t *outlen, struct err *e);
/* 1 when both IK messages have been processed. */
int noise_hs_done(const struct noise_hs *hs);
/* 1 when it is our turn to write. */
int noise_hs_our_turn(const struct noise_hs *hs);
/* The peer's static public key: for the responder after message 1. */
int noise_hs_remote_static(const struct noise_hs *hs, uint8_t out[32]);
/* After the handshake: the two transport CipherStates (send = ours to
 * encrypt with, recv = to decrypt the peer's) and the handshake hash h.
 * The caller frees both ciphers. */
int noise_hs_split(struct noise_hs *hs, struct noise_cipher **send,
    struct noise_cipher **recv, uint8_t h[NOISE_HASHLEN], struct err *e);

/* Public key of an X25519 private key; a fresh key pair. */
int noise_pubkey(const uint8_t priv[32], uint8_t pub[32]);
int noise_keypair(uint8_t priv[32], uint8_t pub[32]);

#endif
