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

/* ---------------------------------------------------------------- channel */

/*
 * A TCP connection secured by Noise IK.  Every Noise message travels as a
 * 2-byte big-endian length and the message.  Application messages inside
 * the transport are a 4-byte big-endian length and the bytes, cut into as
 * many transport messages as needed (each transport message carries bytes
 * of one application message only).  Anything malformed, oversized or
 * failing authentication closes the connection; the reason is logged and
 * returned, and every later call fails with ERR_STATE.
 */
#define SYNC_PROLOGUE "madoguchi-sync/1"	/* the protocol version */
#define SYNC_MSG_MAX (16u * 1024 * 1024)	/* largest application message */
#define SYNC_TIMEOUT_MS 30000

struct sync_chan;

/* Terminal side: connect to "host:port", run the handshake pinning the
 * central's static public key, carry hello (may be empty) in message 1 and
 * put the central's reply payload into reply (may be NULL).  ERR_AUTH when
 * the central refuses this terminal's key, ERR_CRYPTO when the central is
 * not the pinned key, ERR_NET/ERR_TIMEOUT for the network. */
int sync_chan_connect(const char *hostport, const uint8_t my_priv[32],
    const uint8_t central_pub[32], const void *hello, size_t hlen,
    struct wbuf *reply, int timeout_ms, struct sync_chan **out, struct err *e);

/* Central side: decides after message 1 whether the terminal whose static
 * key is rs may connect (0) or not (negative: the connection is closed
 * without an answer).  reply is the payload of message 2. */
typedef int (*sync_auth_fn)(void *arg, const uint8_t rs[32],
    const uint8_t *hello, size_t hlen, struct wbuf *reply, struct err *e);
/* Run the responder handshake on an accepted socket (owned by the channel
 * from here on, closed on failure too). */
int sync_chan_accept(int fd, const uint8_t my_priv[32], sync_auth_fn auth,
    void *arg, int timeout_ms, struct sync_chan **out, struct err *e);

/* Send one application message (n <= SYNC_MSG_MAX). */
int sync_chan_send(struct sync_chan *c, const void *msg, size_t n,
    struct err *e);
/* Receive one application message into out (reset first).  ERR_NET when
 * the peer closed, ERR_TIMEOUT, ERR_CANCEL when the cancel flag was set
 * while waiting for a message to start. */
int sync_chan_recv(struct sync_chan *c, struct wbuf *out, struct err *e);
/* Stop waiting for the next message when *flag becomes non-zero. */
void sync_chan_set_cancel(struct sync_chan *c, const volatile int *flag);
void sync_chan_set_timeout(struct sync_chan *c, int timeout_ms);
void sync_chan_set_max(struct sync_chan *c, size_t max);
/* Before a message's body is read, fn(arg, its announced length) must
 * return 0 (the central's memory budget); otherwise the receive fails
 * with ERR_BUSY and the connection is closed. */
typedef int (*sync_budget_fn)(void *arg, size_t n);
void sync_chan_set_budget(struct sync_chan *c, sync_budget_fn fn, void *arg);
/* The peer's static public key and its address ("1.2.3.4:5678"). */
void sync_chan_peer_key(const struct sync_chan *c, uint8_t out[32]);
const char *sync_chan_peer(const struct sync_chan *c);
/* The socket, for poll() (and for tests that write raw bytes to it). */
int sync_chan_fd(const struct sync_chan *c);
/* Close and wipe. */
void sync_chan_free(struct sync_chan *c);

/* --------------------------------------------------------------- messages */

/*
 * Sync messages (NET-2, NET-3).  Binary, versioned:
 *
 *   version u8 | type u8 | request id u64 | fields...
 *   field = tag u8 | length u32 | value
 *
 * Each message type allows a fixed set of tags, each with a type (u8, u32,
 * u64: exactly 1, 4, 8 bytes; text: UTF-8 without NUL, bounded; uuid: a
 * canonical lower-case UUID; record: nested fields).  The decoder rejects
 * an unknown version or type, an undefined tag, a repeated single field, a
 * missing required field, a wrong length, a bad value and trailing bytes.
 * A reply carries the request ID of its request.
 *
 * Protocol versions (SPEC 7, rolling upgrades): the version byte is the
 * protocol version the message is written in, and the definitions say
 * since which version each message type and field exists; a message of
 * version N allows only what exists in N (anything newer is undefined, so
 * rejected).  HELLO is always version 1 (it is sent before anything is
 * agreed); it offers the terminal's versions in its client text
 * ("madoguchi 0.1.0 proto=1-2"; no "proto=" is a first-release terminal:
 * 1 only).  The central answers with a WELCOME written in the highest
 * version both speak, and every later message of the connection, in both
 * directions, is written in that version.  See the top of msg.c.
 */
#define SYNC_MSG_VERSION 1		/* HELLO's version, and the first release's */
#define SYNC_PROTO_MIN 1		/* oldest protocol version spoken */
#define SYNC_PROTO_MAX 3		/* newest */
/* What each version added: test with sync_proto_has(version, SINCE_...). */
#define SYNC_SINCE_SERVER 2	/* WELCOME says the central's program and release */
#define SYNC_SINCE_HEAD_COUNTER 3	/* the signed audit head carries the
					 * store's generation counter (issue 15) */
#define SYNC_SINCE_PURGE 3	/* pushed item kind ITEM_PURGE (issue 13, RET-2) */
#define SYNC_SINCE_REFDATA 3	/* change kinds CHG_BANK, CHG_BRANCH, CHG_POSTAL */
#define sync_proto_has(ver, since) ((ver) >= (since))
#define SYNC_BODY_MAX (256u * 1024)	/* one item or change body (JSON) */
#define SYNC_BATCH_MAX 5000		/* items, acks or changes per message */

enum sync_msg_type {
	MSG_HELLO = 1,		/* handshake message 1 payload (terminal) */
	MSG_WELCOME = 2,	/* handshake message 2 payload (central) */
	MSG_PUSH = 3,		/* outbox items */
	MSG_PUSH_ACK = 4,	/* per-UUID results */
	MSG_PULL = 5,		/* changes since cursor */
	MSG_CHANGES = 6,	/* a page of changes and the new cursor */
	MSG_PING = 7,
	MSG_PONG = 8,
	MSG_ERROR = 9,		/* the request could not be served */
	MSG_TYPE_MAX = 9
};

/* What the terminal pushes (outbox item kinds). */
enum sync_item_kind {
	ITEM_APPLICATION = 1,	/* a new application (受付) */
	ITEM_STATUS = 2,	/* a status change of an application */
	ITEM_IDCHECK = 3,	/* an identity-check record */
	ITEM_AUDIT = 4,		/* an audit row of the terminal's chain */
	ITEM_AUDIT_HEAD = 5,	/* the chain head signed with the terminal's Ed25519 key */
	ITEM_PURGE = 6,		/* a purge record (issue 13, RET-2; SYNC_SINCE_PURGE) */
	ITEM_ERASURE = 7,	/* a signed erasure record of `wipe` (issue 13; since 3) */
	ITEM_KIND_MAX = 7
};
/* The protocol version that added a pushed item kind (1 for the first five). */
int sync_item_kind_since(int kind);

/* What the central sends down (change kinds). */
enum sync_change_kind {
	CHG_PERSON = 1,		/* a resident (key: 宛名番号) */
	CHG_MYNUMBER = 2,	/* the 個人番号 link of a person (key: 宛名番号) */
	CHG_ELIGIBILITY = 3,	/* key: 宛名番号/procedure/record id */
	CHG_ACCOUNT = 4,	/* key: login name */
	CHG_DECISION = 5,	/* status decided at the centre (key: receipt no.) */
	/* Reference data (issue 19), since SYNC_SINCE_REFDATA: */
	CHG_BANK = 6,		/* 金融機関 (key: 4-digit 金融機関コード) */
	CHG_BRANCH = 7,		/* 支店 (key: "BANK-BRANCH", 4 + 3 digits) */
	CHG_POSTAL = 8,		/* addresses of a 郵便番号 (key: 7 digits) */
	CHG_KIND_MAX = 8
};
/* The protocol version that added a change kind. */
#define sync_change_kind_since(k) ((k) >= CHG_BANK ? SYNC_SINCE_REFDATA : 1)

enum { CHG_UPSERT = 1, CHG_DELETE = 2 };	/* DELETE = tombstone (NET-6) */
enum { ACK_STORED = 1, ACK_DUPLICATE = 2, ACK_REJECTED = 3 };

struct msg_item {
	char uuid[37];
	uint8_t kind;		/* enum sync_item_kind */
	char *body;		/* JSON text, NUL-terminated */
	size_t bodylen;
};

struct msg_ack {
	char uuid[37];
	uint8_t status;		/* ACK_* */
	char *reason;		/* for ACK_REJECTED, or NULL */
};

struct msg_change {
	uint64_t seq;
	uint8_t kind;		/* enum sync_change_kind */
	uint8_t op;		/* CHG_UPSERT or CHG_DELETE */
	char *key;
	char *body;		/* JSON for an upsert, NULL for a delete */
	size_t bodylen;
};

struct msg {
	uint8_t type;
	uint8_t proto;		/* protocol version it is written in (0 = 1);
				 * set by msg_decode from the header */
	uint64_t id;		/* request ID; echoed by the reply */
	/* HELLO */
	char *token;		/* enrolment token (one-time), or NULL */
	char *client;		/* client version text */
	char *signkey;		/* with a token: Ed25519 public key, 64 hex */
	/* WELCOME */
	char *terminal_id;
	char *wards;		/* comma-separated scope, "" = all */
	char *procedures;
	uint64_t time;		/* central clock, seconds since the epoch */
	char *server;		/* since 2: the central's program and release */
	/* PULL / CHANGES */
	uint64_t cursor;
	uint32_t limit;
	uint8_t more;
	/* ERROR */
	uint32_t code;
	char *text;
	struct msg_item *items;
	size_t nitems;
	struct msg_ack *acks;
	size_t nacks;
	struct msg_change *changes;
	size_t nchanges;
};

/* Zero m. */
void msg_init(struct msg *m, enum sync_msg_type type, uint64_t id);
/* Append to m's lists (copies the strings). */
int msg_add_item(struct msg *m, const char *uuid, uint8_t kind,
    const char *body, size_t bodylen);
int msg_add_ack(struct msg *m, const char *uuid, uint8_t status,
    const char *reason);
int msg_add_change(struct msg *m, uint64_t seq, uint8_t kind, uint8_t op,
    const char *key, const char *body, size_t bodylen);
/* Set a text field of m (copied); field is &m->token etc. */
int msg_set_text(char **field, const char *s);
/* Encode into w (appended) in version m->proto (0: 1).  Validates as the
 * decoder would.  A message type newer than m->proto is ERR_INVAL; an
 * optional field newer than m->proto is left out (the peer does not know
 * it), so a sender may fill it whatever the version. */
int msg_encode(const struct msg *m, struct wbuf *w, struct err *e);
/* Decode and validate against the definitions of the message's version
 * (m->proto); on failure m is left empty.  The caller checks that the
 * version is the one agreed for the connection. */
int msg_decode(const uint8_t *p, size_t n, struct msg *m, struct err *e);
/* The versions a HELLO's client text offers: "... proto=LO-HI" (or
 * "proto=N") as its last word; none is 1-1 (the first release).  ERR_FORMAT
 * for a malformed offer. */
int sync_proto_offer(const char *client, int *lo, int *hi);
/* The highest version in both lo..hi and ours, or ERR_PROTO. */
int sync_proto_choose(int lo, int hi);
/* Release what m holds (m itself is the caller's). */
void msg_clear(struct msg *m);
/* A fresh request ID (random, non-zero). */
uint64_t msg_new_id(void);
const char *msg_type_name(int type);
/* 1 when s is a canonical lower-case UUID (36 characters). */
int msg_uuid_valid(const char *s, size_t n);

/* ------------------------------------------------- the terminal's client */

struct store;
struct conf;

/* Where and how to sync.  The central's address and public key come from
 * madoguchi.conf [sync] central / central_key when set, else from what
 * `madoguchi enroll` saved in the store; the terminal's own static key
 * lives only in the (encrypted) store, setting "sync.private_key". */
struct sync_config {
	char central[256];		/* "host:port" */
	uint8_t central_key[32];
	int timeout_ms;			/* per network wait (default 30000) */
	size_t batch;			/* items per push (default 200) */
	uint32_t page;			/* changes per pull (default 1000) */
};

/* Fill cfg from conf (may be NULL) and the store's settings; ERR_STATE
 * with a clear message when the terminal is not enrolled. */
int sync_config_load(struct store *st, const struct conf *cf,
    struct sync_config *cfg, struct err *e);

/* What one round moved (LOG-4). */
struct sync_report {
	char round_id[37];		/* link ID of the round */
	char terminal_id[17];
	int proto;			/* protocol version agreed (0: not connected) */
	char central_release[65];	/* the central's program and release ("" before version 2) */
	long pushed;			/* items stored at the central */
	long duplicates;		/* already there (acknowledged again) */
	long rejected;			/* refused by the central; kept in the outbox */
	long audit_rows;		/* audit rows among the pushed */
	int head_signed;		/* the audit chain head was signed and accepted */
	long pulled;			/* changes received */
	long applied;			/* changes applied */
	long deleted;			/* tombstones applied (NET-6) */
	long queued;			/* held for confirmation (NET-4, ID-6) */
	long outbox_left;
	uint64_t cursor;
	int ok;
	char error[256];
};

/*
 * One sync round: connect (Noise IK, pinned central key), push the outbox
 * in batches (each item removed only when the central acknowledged it),
 * push new audit rows, then pull changes since the cursor page by page,
 * each page applied together with the new cursor in one transaction.  An
 * update that would link a different 個人番号 to a person (or clear it)
 * goes to the confirmation queue instead (ID-6).  The round is written to
 * the sync log whatever its result.
 */
/* Issue 13: the signed erasure record of `madoguchi wipe` (text lines:
 * terminal, store, at, operator, method, audit-head; no personal data),
 * *text malloc'd, sigx the Ed25519 signature in hex ("" when the terminal
 * has no signing key), queued in the outbox as kind "erasure". */
int sync_erasure_record(struct store *st, const char *operator_name,
    const char *method, char **text, char sigx[129], struct err *e);
int sync_round(struct store *st, const struct sync_config *cfg,
    struct sync_report *rep, struct err *e);

/* Enrol this terminal: a new static key, the one-time token in the first
 * handshake, and on success the key, the central's address and key, the
 * terminal ID and scope saved in the store.  terminal_id: 17 bytes. */
int sync_enroll(struct store *st, const char *central,
    const uint8_t central_key[32], const char *token, char *terminal_id,
    struct err *e);

/* What the terminal signs for its audit chain head (LOG-2): the text
 * "madoguchi audit head v1\n<terminal id>\n<row id>\n<hash hex>" with its
 * Ed25519 key, made at enrolment (setting "sync.sign_key"). */
#define SYNC_HEAD_CONTEXT "madoguchi audit head v1\n"
int sync_head_message(const char *terminal, int64_t id, const uint8_t hash[32],
    char *out, size_t cap);
/* Since protocol version 3 (issue 15, rollback detection): the head also
 * signs the store's generation counter (store_generation_next, raised for
 * every head signed): "madoguchi audit head v2\n<terminal id>\n<row id>\n
 * <hash hex>\n<counter>".  The central refuses a head whose counter is not
 * above every counter the terminal signed before. */
#define SYNC_HEAD_CONTEXT2 "madoguchi audit head v2\n"
int sync_head_message2(const char *terminal, int64_t id, const uint8_t hash[32],
    uint64_t counter, char *out, size_t cap);

/* The sync log (LOG-4), newest first. */
struct sync_log_row {
	int64_t id;
	char round_id[37];
	char started_at[32];
	char ended_at[32];
	char source[64];		/* this terminal */
	char destination[256];		/* the central */
	char content[256];		/* counts, as text */
	char result[16];		/* "ok" or "error" */
	char error[256];
};
int sync_log_list(struct store *st, size_t limit, struct sync_log_row **v,
    size_t *n, struct err *e);

/* The confirmation queue (確認リスト, ID-6): incoming 個人番号 links that
 * differ from what the terminal holds.  The proposed number is kept in the
 * encrypted store for the reviewer; lists show it masked. */
struct sync_confirm_row {
	int64_t id;
	char atena[16];
	char received_at[32];
	char proposed_masked[MYNUMBER_MASKED_LEN];	/* "" = would clear it */
	char reason[128];
};
int sync_confirm_list(struct store *st, size_t limit,
    struct sync_confirm_row **v, size_t *n, struct err *e);
/* Decide an open entry as the logged-in user: approve links the proposed
 * number (or clears it), reject leaves the person as is; both are audited.
 * Run it inside store_tx to make it atomic. */
int sync_confirm_decide(struct store *st, int64_t id, int approve,
    struct err *e);
/* Issue 14 (ID-6): who may decide an entry queued by queued_by: a
 * reviewer (or administrator) who did not queue it, holding view-mynumber
 * (and its key) to approve.  0 or ERR_PERM with the reason;
 * sync_confirm_decide checks it, the screens ask it first. */
int sync_confirm_may_decide(const struct store *st, const char *queued_by,
    int approve, struct err *e);

/* Queue a saved application (by its uuid) for the central, replacing a
 * version of it still waiting in the outbox.  The item's UUID is derived
 * from the application's UUID and content: queued twice unchanged, the
 * central stores it once; corrected, the central stores the new version. */
int sync_outbox_application(struct store *st, const char *uuid, struct err *e);
/* Queue a status change of an application (new item uuid each time). */
int sync_outbox_status(struct store *st, const char *app_uuid,
    const char *status, const char *note, struct err *e);

/* 1 while an outbox item of this uuid, or a version of the application
 * with this uuid, has not been acknowledged by the central: the
 * application is provisional (NET-7). */
int sync_is_pending(struct store *st, const char *uuid);

/* The error list (LOG-4): the central's reason for refusing an outbox item
 * (kept in the outbox); 1 and the reason in buf when there is one. */
int sync_reject_reason(struct store *st, const char *uuid, char *buf,
    size_t cap);

/* ----------------------------------------------------------- scheduler */

/* Background sync for the TUI: its own thread and store connection
 * (store_dup), a round every interval seconds, right away on trigger,
 * exponential backoff from 5 s while the central is unreachable.  Never
 * blocks the caller: status is a copy under a mutex. */
struct sync_sched;

struct sync_status {
	int enrolled;			/* 0: no central configured */
	int online;			/* the last round reached the central */
	int running;			/* a round is in progress */
	long long last_ok;		/* time() of the last good round, 0 none */
	long long last_try;
	long long next_at;
	long retry_in;			/* seconds of the current wait */
	int failures;			/* consecutive failed rounds */
	long outbox_left;
	char synced_at[32];		/* time of the last completed pull (NET-5) */
	char error[256];		/* of the last failed round */
};

/* Called from the sync thread when a round starts and when it ends (not
 * under any lock; must itself be thread-safe, e.g. post to an event
 * queue).  May be NULL. */
typedef void (*sync_notify_fn)(void *arg, const struct sync_status *st);

int sync_sched_new(struct store *st, const struct conf *cf, int interval_s,
    sync_notify_fn notify, void *arg, struct sync_sched **out, struct err *e);
void sync_sched_trigger(struct sync_sched *s);
void sync_sched_status(struct sync_sched *s, struct sync_status *out);
/* Stop (waits for a running round to end) and free. */
void sync_sched_free(struct sync_sched *s);

#endif
