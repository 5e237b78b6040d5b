/*
 * account.c — accounts and permissions (AC-1..AC-6).  The account row says
 * what someone may do; the key slot says whether they can open the store at
 * all.  Every change is an audit row (AC-2).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core.h"
#include "store.h"
#include "store-int.h"

static const char *const role_names[] = { "clerk", "reviewer", "admin" };
static const char *const perm_names[] = { "none", "read", "write", "review" };

const char *
store_role_name(enum store_role r)
{
	return (unsigned)r < 3 ? role_names[r] : "?";
}

int
store_role_parse(const char *s, enum store_role *r)
{
	for (int i = 0; i < 3; i++)
		if (s != NULL && strcmp(s, role_names[i]) == 0) {
			*r = (enum store_role)i;
			return 0;
		}
	return ERR_INVAL;
}

const char *
store_perm_name(enum store_perm p)
{
	return (unsigned)p < 4 ? perm_names[p] : "?";
}

int
store_perm_parse(const char *s, enum store_perm *p)
{
	for (int i = 0; i < 4; i++)
		if (s != NULL && strcmp(s, perm_names[i]) == 0) {
			*p = (enum store_perm)i;
			return 0;
		}
	return ERR_INVAL;
}

enum store_perm
account_perm(const struct account *a, const char *procedure)
{
	for (size_t i = 0; i < a->nperms; i++)
		if (strcmp(a->perms[i].procedure, procedure) == 0)
			return a->perms[i].level;
	return PERM_NONE;
}

static int
name_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n >= STORE_NAME_MAX)
		return 0;
	/* Login IDs are plain ASCII words: no spaces or controls. */
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || strchr("._-@", s[i]) != NULL))
			return 0;
	return 1;
}

int
account_load(sqlite3 *db, const char *name, struct account *out,
    struct err *e)
{
	sqlite3_stmt *st;
	int rc, r;

	memset(out, 0, sizeof(*out));
	if ((r = sql_prepare(db, "SELECT name, display, role, view_mynumber, "
	    "search_mynumber, export_ok, valid_until, disabled, "
	    "must_change_password, updated_at, updated_by FROM accounts "
	    "WHERE name = ?", &st, e)) != 0)
		return r;
	sql_bind_text(st, 1, name);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		char role[16];

		sql_col_text(st, 0, out->name, sizeof(out->name));
		sql_col_text(st, 1, out->display, sizeof(out->display));
		sql_col_text(st, 2, role, sizeof(role));
		if (store_role_parse(role, &out->role) != 0)
			out->role = ROLE_CLERK;
		out->view_mynumber = sqlite3_column_int(st, 3);
		out->search_mynumber = sqlite3_column_int(st, 4);
		out->export_ok = sqlite3_column_int(st, 5);
		out->valid_until = sqlite3_column_int(st, 6);
		out->disabled = sqlite3_column_int(st, 7);
		out->must_change_password = sqlite3_column_int(st, 8);
		sql_col_text(st, 9, out->updated_at, sizeof(out->updated_at));
		sql_col_text(st, 10, out->updated_by, sizeof(out->updated_by));
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return err_set(e, ERR_NOTFOUND, "no account \"%s\"", name);
	if (rc != SQLITE_ROW)
		return sql_err(db, sqlite3_extended_errcode(db), e, "account");
	if ((r = sql_prepare(db, "SELECT procedure, level, sensitive FROM account_perms "
	    "WHERE name = ? ORDER BY procedure", &st, e)) != 0)
		return r;
	sql_bind_text(st, 1, name);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	    out->nperms < STORE_MAX_PERMS) {
		struct store_perm_entry *p = &out->perms[out->nperms++];
		int lv = sqlite3_column_int(st, 1);

		sql_col_text(st, 0, p->procedure, sizeof(p->procedure));
		p->level = lv == PERM_REVIEW ? PERM_REVIEW : lv == PERM_WRITE ?
		    PERM_WRITE : lv == PERM_READ ? PERM_READ : PERM_NONE;
		p->sensitive = sqlite3_column_int(st, 2) != 0;
	}
	sqlite3_finalize(st);
	return 0;
}

int
account_insert(sqlite3 *db, const struct account *a, const char *by,
    int replace, struct err *e)
{
	sqlite3_stmt *st = NULL;
	char now[32];
	int r, rc;

	if (!name_ok(a->name))
		return err_set(e, ERR_INVAL,
		    "account names are 1-63 letters, digits or . _ - @");
	if (a->nperms > STORE_MAX_PERMS)
		return err_set(e, ERR_RANGE, "too many permissions");
	store_now(now);
	if ((r = sql_tx_begin(db, e)) != 0)
		return r;
	if (replace &&
	    (r = sql_prepare(db, "DELETE FROM account_perms WHERE name = ?",
	    &st, e)) == 0) {
		sql_bind_text(st, 1, a->name);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			r = sql_err(db, sqlite3_extended_errcode(db), e, "account");
	}
	/* password_changed_at (issue 14, AC-4 ageing): a new row's password
	 * is the one it is created with; an update keeps the time. */
#define ACCOUNT_INSERT "INSERT INTO accounts (name, display, role," \
	" view_mynumber, search_mynumber, export_ok, valid_until, disabled," \
	" must_change_password, updated_at, updated_by, password_changed_at)" \
	" VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?10)"
	if (r == 0 && (r = sql_prepare(db, replace ?
	    ACCOUNT_INSERT " "
	    "ON CONFLICT(name) DO UPDATE SET display=?2, role=?3, "
	    "view_mynumber=?4, search_mynumber=?5, export_ok=?6, valid_until=?7, "
	    "disabled=?8, must_change_password=?9, updated_at=?10, updated_by=?11" :
	    ACCOUNT_INSERT,
	    &st, e)) == 0) {
		sql_bind_text(st, 1, a->name);
		sql_bind_text(st, 2, a->display);
		sql_bind_text(st, 3, store_role_name(a->role));
		sqlite3_bind_int(st, 4, a->view_mynumber != 0);
		sqlite3_bind_int(st, 5, a->search_mynumber != 0);
		sqlite3_bind_int(st, 6, a->export_ok != 0);
		sqlite3_bind_int(st, 7, a->valid_until);
		sqlite3_bind_int(st, 8, a->disabled != 0);
		sqlite3_bind_int(st, 9, a->must_change_password != 0);
		sql_bind_text(st, 10, now);
		sql_bind_text(st, 11, by);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			r = sql_err(db, sqlite3_extended_errcode(db), e, "account");
	}
	for (size_t i = 0; r == 0 && i < a->nperms; i++) {
		if ((r = sql_prepare(db, "INSERT OR REPLACE INTO account_perms "
		    "(name, procedure, level, sensitive) VALUES (?, ?, ?, ?)",
		    &st, e)) != 0)
			break;
		sql_bind_text(st, 1, a->name);
		sql_bind_text(st, 2, a->perms[i].procedure);
		sqlite3_bind_int(st, 3, (int)a->perms[i].level);
		sqlite3_bind_int(st, 4, a->perms[i].sensitive != 0);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			r = sql_err(db, sqlite3_extended_errcode(db), e, "permission");
	}
	if (r == ERR_EXISTS)
		err_set(e, ERR_EXISTS, "account \"%s\" already exists", a->name);
	sql_tx_end(db, r == 0, r == 0 ? e : NULL);
	return r;
}

static int
need_admin(struct store *st, struct err *e)
{
	if (st->user.role != ROLE_ADMIN)
		return err_set_ja(e, ERR_PERM, "管理者の権限が必要です",
		    "administrator rights required");
	return 0;
}

/* Load the key-slot file.  Writers hold store_dir_lock from before this
 * load until after their save, so that a concurrent login's failure count
 * is not lost. */
static int
slots_load(struct store *st, struct store_keyslots **ks, char *path,
    size_t cap, struct err *e)
{
	int r;

	if ((r = keyslots_path(st->dir, path, cap, e)) != 0)
		return r;
	return store_keyslots_load(path, ks, e);
}

static void
fill_slot_state(const struct store_keyslots *ks, struct account *a)
{
	struct store_slot_state ss;

	a->has_slot = store_keyslots_has(ks, a->name) &&
	    store_keyslots_state(ks, a->name, &ss) == 0;
	a->failures = a->has_slot ? ss.failures : 0;
	a->locked = a->has_slot ? ss.locked : 0;
}

static void
describe(const struct account *a, char *out, size_t cap)
{
	struct wbuf w;

	wbuf_init_fixed(&w, out, cap);
	wbuf_printf(&w, "%s: role=%s view_mynumber=%d search_mynumber=%d export=%d "
	    "valid_until=%d disabled=%d perms=", a->name, store_role_name(a->role),
	    a->view_mynumber, a->search_mynumber, a->export_ok, a->valid_until,
	    a->disabled);
	for (size_t i = 0; i < a->nperms; i++)
		wbuf_printf(&w, "%s%s:%s", i ? "," : "", a->perms[i].procedure,
		    store_perm_name(a->perms[i].level));
	if (w.err)
		snprintf(out + (cap > 4 ? cap - 4 : 0), cap > 4 ? 4 : cap, "...");
	else
		wbuf_str(&w);
}

int
store_account_get(struct store *st, const char *name, struct account *out,
    struct err *e)
{
	struct store_keyslots *ks;
	char path[4200];
	int r;

	if ((r = account_load(st->db, name, out, e)) != 0)
		return r;
	if (slots_load(st, &ks, path, sizeof(path), NULL) == 0) {
		fill_slot_state(ks, out);
		store_keyslots_free(ks);
	}
	return 0;
}

int
store_account_list(struct store *st, struct account **v, size_t *n,
    struct err *e)
{
	struct store_keyslots *ks = NULL;
	sqlite3_stmt *q;
	struct account *arr = NULL;
	size_t cnt = 0;
	char path[4200];
	int r = 0, rc;

	*v = NULL;
	*n = 0;
	if ((r = sql_prepare(st->db, "SELECT name FROM accounts ORDER BY name",
	    &q, e)) != 0)
		return r;
	slots_load(st, &ks, path, sizeof(path), NULL);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		char name[STORE_NAME_MAX];
		struct account *na = realloc(arr, (cnt + 1) * sizeof(*arr));

		if (na == NULL) {
			r = err_set(e, ERR_NOMEM, "out of memory");
			break;
		}
		arr = na;
		sql_col_text(q, 0, name, sizeof(name));
		if ((r = account_load(st->db, name, &arr[cnt], e)) != 0)
			break;
		if (ks != NULL)
			fill_slot_state(ks, &arr[cnt]);
		cnt++;
	}
	sqlite3_finalize(q);
	store_keyslots_free(ks);
	if (r != 0) {
		free(arr);
		return r;
	}
	*v = arr;
	*n = cnt;
	return 0;
}

int
store_account_add(struct store *st, const struct account *a,
    const char *password, struct err *e)
{
	struct store_keyslots *ks = NULL;
	char path[4200], detail[512];
	uint8_t pk[STORE_PK_LEN];
	int r, lk;

	if ((r = need_admin(st, e)) != 0)
		return r;
	if (!name_ok(a->name))
		return err_set(e, ERR_INVAL,
		    "account names are 1-63 letters, digits or . _ - @");
	if ((r = store_password_check(password, a->name, e)) != 0)
		return r;
	if ((lk = store_dir_lock(st->dir, e)) < 0)
		return lk;
	if ((r = slots_load(st, &ks, path, sizeof(path), e)) != 0)
		goto out;
	if (store_keyslots_has(ks, a->name)) {
		r = err_set(e, ERR_EXISTS, "account \"%s\" already exists", a->name);
		goto out;
	}
	if ((r = store_keyslots_set(ks, a->name, password, st->key, NULL, NULL,
	    e)) != 0 || (r = store_keyslots_pk(ks, a->name, pk)) != 0)
		goto out;
	if ((r = sql_tx_begin(st->db, e)) != 0)
		goto out;
	describe(a, detail, sizeof(detail));
	r = account_insert(st->db, a, st->user.name, 0, e);
	if (r == 0)
		r = account_key_set(st->db, a->name, pk, e);
	if (r == 0)
		r = store_rights_sync(st, NULL, e);
	if (r == 0)
		r = store_audit_append(st, NULL, NULL, "account.add", NULL, "admin",
		    detail, e);
	if (r == 0)
		r = store_keyslots_save(ks, path, e);
	sql_tx_end(st->db, r == 0, r == 0 ? e : NULL);
	if (r == 0)
		log_info("account %s added by %s", a->name, st->user.name);
out:
	store_keyslots_free(ks);
	store_dir_unlock(lk);
	return r;
}

/* Change the slot state of name (under the caller's transaction). */
static int
slot_update(struct store *st, const char *name,
    void (*fn)(struct store_slot_state *, void *), void *arg, int required,
    struct err *e)
{
	struct store_keyslots *ks;
	struct store_slot_state ss;
	char path[4200];
	int r, lk;

	if ((lk = store_dir_lock(st->dir, e)) < 0)
		return lk;
	if ((r = slots_load(st, &ks, path, sizeof(path), e)) != 0) {
		store_dir_unlock(lk);
		return r;
	}
	if (store_keyslots_state(ks, name, &ss) != 0) {
		r = required ? err_set(e, ERR_NOTFOUND,
		    "account \"%s\" has no key slot", name) : 0;
	} else {
		fn(&ss, arg);
		store_keyslots_set_state(ks, name, &ss);
		r = store_keyslots_save(ks, path, e);
	}
	store_keyslots_free(ks);
	store_dir_unlock(lk);
	return r;
}

/* Remove an account's key slot (disabling, revocation); the re-key that
 * follows makes the old slot useless even where a copy survives. */
static int
slot_drop(struct store *st, const char *name, struct err *e)
{
	struct store_keyslots *ks;
	char path[4200];
	int r, lk;

	if ((lk = store_dir_lock(st->dir, e)) < 0)
		return lk;
	if ((r = slots_load(st, &ks, path, sizeof(path), e)) != 0) {
		store_dir_unlock(lk);
		return r;
	}
	if (store_keyslots_has(ks, name) &&
	    store_keyslots_disable(ks, name, NULL) == 0)
		r = store_keyslots_save(ks, path, e);
	store_keyslots_free(ks);
	store_dir_unlock(lk);
	return r;
}

/* After a disabling: re-key now, or leave it pending (ERR_BUSY is not a
 * failure of the change itself). */
static int
rekey_after(struct store *st, struct err *e)
{
	struct err e2;
	int r = store_rekey(st, &e2);

	if (r == ERR_BUSY) {
		log_info("re-key pending: %s", e2.msg);
		return 0;
	}
	if (r != 0 && e != NULL)
		*e = e2;
	return r;
}

static void
clear_lock(struct store_slot_state *ss, void *arg)
{
	(void)arg;
	ss->failures = 0;
	ss->locked = 0;
}

int
store_account_update(struct store *st, const struct account *a,
    struct err *e)
{
	struct account old;
	char detail[512];
	int r, dis = a->disabled != 0;

	if ((r = need_admin(st, e)) != 0)
		return r;
	if ((r = account_load(st->db, a->name, &old, e)) != 0)
		return r;
	if (strcmp(a->name, st->user.name) == 0 &&
	    (a->role != ROLE_ADMIN || a->disabled))
		return err_set(e, ERR_PERM,
		    "an administrator cannot demote or disable their own account");
	if ((r = sql_tx_begin(st->db, e)) != 0)
		return r;
	describe(a, detail, sizeof(detail));
	r = account_insert(st->db, a, st->user.name, 1, e);
	if (r == 0)
		r = store_audit_append(st, NULL, NULL, "account.update", NULL,
		    "admin", detail, e);
	if (r == 0 && dis && !old.disabled)
		r = slot_drop(st, a->name, e);
	if (r == 0)
		r = store_rights_sync(st, NULL, e);
	r = sql_tx_end(st->db, r == 0, r == 0 ? e : NULL) != 0 && r == 0 ?
	    ERR_IO : r;
	if (r == 0 && dis && !old.disabled)
		r = rekey_after(st, e);
	return r;
}

int
store_account_upsert(struct store *st, const struct account *a,
    struct err *e)
{
	char detail[512];
	int r, dis = a->disabled != 0;

	if (dis) {
		struct account old;
		/* already disabled here: nothing to remove or re-key */
		if (account_load(st->db, a->name, &old, NULL) == 0 && old.disabled)
			dis = 0;
	}
	if ((r = sql_tx_begin(st->db, e)) != 0)
		return r;
	describe(a, detail, sizeof(detail));
	r = account_insert(st->db, a, a->updated_by[0] ? a->updated_by : "central",
	    1, e);
	if (r == 0)
		r = store_audit_append(st, NULL, NULL, "account.sync", NULL, "sync",
		    detail, e);
	/* A disabling or revocation pulled by sync: the slot goes now, the
	 * re-key runs when the store is free (inside this page's transaction
	 * it is left pending; the sync round and the next open run it). */
	if (r == 0 && dis)
		r = slot_drop(st, a->name, e);
	if (r == 0)
		r = store_rights_sync(st, NULL, e);
	r = sql_tx_end(st->db, r == 0, r == 0 ? e : NULL) != 0 && r == 0 ?
	    ERR_IO : r;
	if (r == 0 && dis)
		r = rekey_after(st, e);
	return r;
}

int
store_account_set_password(struct store *st, const char *name,
    const char *old, const char *password, struct err *e)
{
	struct store_keyslots *ks = NULL;
	struct store_slot_state ss = { 0, 0, 0 };
	char path[4200];
	uint8_t *tmp = NULL, pk[STORE_PK_LEN];
	int self = strcmp(name, st->user.name) == 0, r, lk;

	if (!self && st->user.role != ROLE_ADMIN)
		return need_admin(st, e);
	if ((r = store_password_check(password, name, e)) != 0)
		return r;
	if ((lk = store_dir_lock(st->dir, e)) < 0)
		return lk;
	if ((r = slots_load(st, &ks, path, sizeof(path), e)) != 0)
		goto out;
	if (self || old != NULL) {
		/* Prove the old password (the admin changing their own too). */
		if ((tmp = sodium_malloc(STORE_SLOT_KEYS_LEN)) == NULL) {
			r = err_set(e, ERR_NOMEM, "sodium_malloc");
			goto out;
		}
		if ((r = store_keyslots_unlock(ks, name, old ? old : "", tmp, NULL,
		    e)) != 0)
			goto out;
		if (old != NULL && strcmp(old, password) == 0) {
			r = err_set_ja(e, ERR_INVAL, "新しいパスワードが以前と同じです",
			    "the new password must differ from the old one");
			goto out;
		}
	} else {
		struct account a;
		if ((r = account_load(st->db, name, &a, e)) != 0)
			goto out;
	}
	store_keyslots_state(ks, name, &ss);
	/* One's own password change keeps the key pair (and the grants sealed
	 * to it); an administrator's reset makes a new one: the grants are
	 * sealed again by a session that holds the rights. */
	if ((r = store_keyslots_set(ks, name, password, st->key,
	    self ? st->sk : NULL, NULL, e)) != 0 ||
	    (r = store_keyslots_pk(ks, name, pk)) != 0)
		goto out;
	/* A new password clears the failure counter; disabled stays. */
	ss.failures = 0;
	ss.locked = 0;
	store_keyslots_set_state(ks, name, &ss);
	if ((r = sql_tx_begin(st->db, e)) != 0)
		goto out;
	{
		sqlite3_stmt *q;
		char now[32];
		int rc;

		store_now(now);
		if ((r = sql_prepare(st->db, "UPDATE accounts SET "
		    "must_change_password = ?, updated_at = ?2, updated_by = ?, "
		    "password_changed_at = ?2 WHERE name = ?", &q, e)) == 0) {
			sqlite3_bind_int(q, 1, self ? 0 : 1);
			sql_bind_text(q, 2, now);
			sql_bind_text(q, 3, st->user.name);
			sql_bind_text(q, 4, name);
			rc = sqlite3_step(q);
			sqlite3_finalize(q);
			if (rc != SQLITE_DONE)
				r = sql_err(st->db, sqlite3_extended_errcode(st->db), e,
				    "account");
		}
	}
	if (r == 0)
		r = account_key_set(st->db, name, pk, e);
	if (r == 0)
		r = store_rights_sync(st, NULL, e);
	if (r == 0)
		r = store_audit_append(st, NULL, NULL, "account.password", NULL,
		    self ? "passwd" : "admin", self ? "own password changed" :
		    name, e);
	if (r == 0)
		r = store_keyslots_save(ks, path, e);
	sql_tx_end(st->db, r == 0, r == 0 ? e : NULL);
	if (r == 0 && self)
		st->user.must_change_password = 0;
out:
	if (tmp != NULL)
		sodium_free(tmp);
	store_keyslots_free(ks);
	store_dir_unlock(lk);
	return r;
}

int
store_account_unlock(struct store *st, const char *name, struct err *e)
{
	int r;

	if ((r = need_admin(st, e)) != 0)
		return r;
	if ((r = sql_tx_begin(st->db, e)) != 0)
		return r;
	r = store_audit_append(st, NULL, NULL, "account.unlock", NULL, "admin",
	    name, e);
	if (r == 0)
		r = slot_update(st, name, clear_lock, NULL, 1, e);
	sql_tx_end(st->db, r == 0, r == 0 ? e : NULL);
	return r;
}

int
store_account_revoke(struct store *st, const char *name, struct err *e)
{
	struct store_keyslots *ks = NULL;
	char path[4200];
	sqlite3_stmt *q;
	int r, rc, lk;

	if ((r = need_admin(st, e)) != 0)
		return r;
	if (strcmp(name, st->user.name) == 0)
		return err_set(e, ERR_PERM, "cannot revoke your own account");
	if ((lk = store_dir_lock(st->dir, e)) < 0)
		return lk;
	if ((r = slots_load(st, &ks, path, sizeof(path), e)) != 0)
		goto out;
	if (!store_keyslots_has(ks, name)) {
		r = err_set(e, ERR_NOTFOUND, "account \"%s\" has no key slot", name);
		goto out;
	}
	if ((r = store_keyslots_disable(ks, name, e)) != 0)
		goto out;
	if ((r = sql_tx_begin(st->db, e)) != 0)
		goto out;
	if ((r = sql_prepare(st->db, "UPDATE accounts SET disabled = 1 "
	    "WHERE name = ?", &q, e)) == 0) {
		sql_bind_text(q, 1, name);
		rc = sqlite3_step(q);
		sqlite3_finalize(q);
		if (rc != SQLITE_DONE)
			r = sql_err(st->db, sqlite3_extended_errcode(st->db), e, "account");
	}
	if (r == 0)
		r = store_audit_append(st, NULL, NULL, "account.revoke", NULL,
		    "admin", name, e);
	if (r == 0)
		r = store_keyslots_save(ks, path, e);
	if (r == 0)
		r = store_rights_sync(st, NULL, e);
	r = sql_tx_end(st->db, r == 0, r == 0 ? e : NULL) != 0 && r == 0 ?
	    ERR_IO : r;
out:
	store_keyslots_free(ks);
	store_dir_unlock(lk);
	/* Nothing the removed slot unwraps reads what is written after this. */
	if (r == 0)
		r = rekey_after(st, e);
	return r;
}
