/*
 * sync-int.h — shared between the files of src/sync (not public).
 */
#ifndef MDG_SYNC_INT_H
#define MDG_SYNC_INT_H

#include "store.h"
#include "sync.h"

/* Apply one pulled change inside the caller's transaction. */
int sync_change_apply(struct store *st, const struct msg_change *c,
    struct sync_report *rep, struct err *e);

/* A reference-data change (CHG_BANK, CHG_BRANCH, CHG_POSTAL; j is NULL
 * for a delete): apply-ref.c. */
int sync_apply_ref(struct store *st, const struct msg_change *c,
    const struct json *j, struct err *e);

/* Local ISO 8601 time. */
void sync_log_now(char out[32]);
/* One row of the sync log for a finished round (errors are logged, not
 * returned: the log must not make a good round fail). */
void sync_log_write(struct store *st, const char *central, const char *started,
    const struct sync_report *rep);
/* Queue an incoming 個人番号 link for confirmation (ID-6). */
int sync_confirm_add(struct store *st, const char *atena, const char *proposed,
    const char *reason, struct err *e);

/* Remember why the central refused an outbox item. */
int sync_reject_note(struct store *st, const char *uuid, const char *reason,
    struct err *e);

#endif
