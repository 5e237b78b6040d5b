/*
 * schema.c — the store's tables, as numbered migrations applied at open.
 *
 * PRAGMA user_version is the number of migrations applied.  A migration is
 * applied with its version bump in one transaction, so a crash leaves the
 * database at the previous version, never half-way.  Migrations are only
 * ever appended: a released one is never edited.
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "core.h"
#include "store.h"
#include "store-int.h"

static const char *const migrations[] = {
	/* 1: the initial schema (SPEC 4). */
	"CREATE TABLE persons ("
	"  atena TEXT PRIMARY KEY,"		/* 宛名番号 */
	"  name TEXT NOT NULL,"			/* 氏名 */
	"  kana TEXT NOT NULL,"			/* 氏名カナ */
	"  kana_key TEXT NOT NULL,"		/* normalised for search */
	"  alias TEXT NOT NULL DEFAULT '',"	/* 通称名 */
	"  alias_kana TEXT NOT NULL DEFAULT '',"
	"  alias_key TEXT NOT NULL DEFAULT '',"
	"  alpha TEXT NOT NULL DEFAULT '',"	/* alphabet name */
	"  birth INTEGER NOT NULL,"		/* yyyymmdd */
	"  sex INTEGER NOT NULL DEFAULT 0,"	/* ISO 5218 */
	"  postal TEXT NOT NULL DEFAULT '',"
	"  address TEXT NOT NULL DEFAULT '',"
	"  household TEXT NOT NULL DEFAULT '',"	/* 世帯番号 */
	"  relation TEXT NOT NULL DEFAULT '',"	/* 続柄 */
	"  head TEXT NOT NULL DEFAULT '',"	/* 世帯主 */
	"  ward TEXT NOT NULL DEFAULT '',"
	"  dv INTEGER NOT NULL DEFAULT 0,"
	"  nondisclose INTEGER NOT NULL DEFAULT 0,"
	"  updated_at TEXT NOT NULL,"		/* 更新年月日 */
	"  updated_by TEXT NOT NULL"		/* 更新職員ID */
	") WITHOUT ROWID;"
	"CREATE INDEX persons_kana ON persons(kana_key);"
	"CREATE INDEX persons_alias ON persons(alias_key) WHERE alias_key <> '';"
	"CREATE INDEX persons_birth ON persons(birth);"
	"CREATE INDEX persons_household ON persons(household);"
	/* DATA-3: corrections keep the previous values. */
	"CREATE TABLE person_history ("
	"  id INTEGER PRIMARY KEY,"
	"  atena TEXT NOT NULL, name TEXT, kana TEXT, alias TEXT,"
	"  alias_kana TEXT, alpha TEXT, birth INTEGER, sex INTEGER,"
	"  postal TEXT, address TEXT, household TEXT, relation TEXT, head TEXT,"
	"  ward TEXT, dv INTEGER, nondisclose INTEGER,"
	"  updated_at TEXT, updated_by TEXT, replaced_at TEXT NOT NULL"
	");"
	"CREATE INDEX person_history_atena ON person_history(atena);"
	"CREATE TRIGGER persons_keep BEFORE UPDATE ON persons BEGIN"
	"  INSERT INTO person_history (atena, name, kana, alias, alias_kana,"
	"    alpha, birth, sex, postal, address, household, relation, head,"
	"    ward, dv, nondisclose, updated_at, updated_by, replaced_at)"
	"  VALUES (old.atena, old.name, old.kana, old.alias, old.alias_kana,"
	"    old.alpha, old.birth, old.sex, old.postal, old.address,"
	"    old.household, old.relation, old.head, old.ward, old.dv,"
	"    old.nondisclose, old.updated_at, old.updated_by, new.updated_at);"
	"END;"
	/* DATA-1: the 個人番号 lives here only, keyed by 宛名番号. */
	"CREATE TABLE mynumbers ("
	"  atena TEXT PRIMARY KEY REFERENCES persons(atena) ON DELETE CASCADE,"
	"  mynumber TEXT NOT NULL UNIQUE,"
	"  updated_at TEXT NOT NULL,"
	"  updated_by TEXT NOT NULL"
	") WITHOUT ROWID;"
	/* DATA-4: eligibility and certificate issuance. */
	"CREATE TABLE certificates ("
	"  id INTEGER PRIMARY KEY,"
	"  atena TEXT NOT NULL REFERENCES persons(atena) ON DELETE CASCADE,"
	"  procedure TEXT NOT NULL,"
	"  recipient_no TEXT NOT NULL DEFAULT '',"	/* 受給者番号 */
	"  category TEXT NOT NULL DEFAULT '',"		/* 区分 */
	"  valid_from INTEGER NOT NULL DEFAULT 0,"
	"  valid_to INTEGER NOT NULL DEFAULT 0,"
	"  issued INTEGER NOT NULL DEFAULT 0,"		/* 交付日 */
	"  returned INTEGER NOT NULL DEFAULT 0,"	/* 回収日 */
	"  burden_rate INTEGER NOT NULL DEFAULT -1,"
	"  burden_limit INTEGER NOT NULL DEFAULT -1,"
	"  burden_note TEXT NOT NULL DEFAULT '',"
	"  reason TEXT NOT NULL DEFAULT '',"		/* 交付理由 */
	"  updated_at TEXT NOT NULL,"
	"  updated_by TEXT NOT NULL"
	");"
	"CREATE INDEX certificates_atena ON certificates(atena, procedure);"
	"CREATE INDEX certificates_recipient ON certificates(recipient_no)"
	"  WHERE recipient_no <> '';"
	/* ID-1, ID-2 */
	"CREATE TABLE idchecks ("
	"  uuid TEXT PRIMARY KEY,"
	"  atena TEXT NOT NULL DEFAULT '',"
	"  method TEXT NOT NULL,"
	"  documents TEXT NOT NULL DEFAULT '',"
	"  clerk TEXT NOT NULL,"
	"  at TEXT NOT NULL,"
	"  digest_result INTEGER NOT NULL DEFAULT -1,"
	"  detail TEXT NOT NULL DEFAULT ''"
	") WITHOUT ROWID;"
	/* INT-8: the receipt ledger and status history. */
	"CREATE TABLE applications ("
	"  uuid TEXT PRIMARY KEY,"
	"  receipt_no TEXT NOT NULL UNIQUE,"
	"  procedure TEXT NOT NULL,"
	"  type TEXT NOT NULL,"
	"  atena TEXT NOT NULL DEFAULT '',"
	"  form_json TEXT NOT NULL DEFAULT '{}',"
	"  agent_json TEXT,"
	"  idcheck TEXT NOT NULL DEFAULT '',"
	"  entered_by TEXT NOT NULL,"
	"  confirmed_by TEXT NOT NULL DEFAULT '',"
	"  status TEXT NOT NULL,"
	"  received_at TEXT NOT NULL,"
	"  updated_at TEXT NOT NULL"
	") WITHOUT ROWID;"
	"CREATE INDEX applications_status ON applications(status, received_at);"
	"CREATE INDEX applications_atena ON applications(atena);"
	"CREATE TABLE application_status ("
	"  id INTEGER PRIMARY KEY,"
	"  uuid TEXT NOT NULL REFERENCES applications(uuid) ON DELETE CASCADE,"
	"  status TEXT NOT NULL,"
	"  at TEXT NOT NULL,"
	"  by TEXT NOT NULL,"
	"  note TEXT NOT NULL DEFAULT ''"
	");"
	"CREATE INDEX application_status_uuid ON application_status(uuid);"
	/* AC-1..AC-6 */
	"CREATE TABLE accounts ("
	"  name TEXT PRIMARY KEY,"
	"  display TEXT NOT NULL DEFAULT '',"
	"  role TEXT NOT NULL,"
	"  view_mynumber INTEGER NOT NULL DEFAULT 0,"
	"  search_mynumber INTEGER NOT NULL DEFAULT 0,"
	"  export_ok INTEGER NOT NULL DEFAULT 0,"
	"  valid_until INTEGER NOT NULL DEFAULT 0,"
	"  disabled INTEGER NOT NULL DEFAULT 0,"
	"  must_change_password INTEGER NOT NULL DEFAULT 0,"
	"  updated_at TEXT NOT NULL,"
	"  updated_by TEXT NOT NULL"
	") WITHOUT ROWID;"
	"CREATE TABLE account_perms ("
	"  name TEXT NOT NULL REFERENCES accounts(name) ON DELETE CASCADE,"
	"  procedure TEXT NOT NULL,"
	"  level INTEGER NOT NULL,"
	"  PRIMARY KEY (name, procedure)"
	") WITHOUT ROWID;"
	"CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
	"  WITHOUT ROWID;"
	"CREATE TABLE outbox ("
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  uuid TEXT NOT NULL UNIQUE,"
	"  kind TEXT NOT NULL,"
	"  payload BLOB NOT NULL,"
	"  created_at TEXT NOT NULL"
	");"
	"CREATE TABLE sync_cursor ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  cursor TEXT NOT NULL,"
	"  at TEXT NOT NULL"
	");"
	/* LOG-1, LOG-2: append-only; the triggers stop casual edits through
	 * SQL, the hash chain catches the rest. */
	"CREATE TABLE audit ("
	"  id INTEGER PRIMARY KEY,"
	"  at TEXT NOT NULL,"
	"  who TEXT NOT NULL,"
	"  terminal TEXT NOT NULL,"
	"  action TEXT NOT NULL,"
	"  person TEXT NOT NULL DEFAULT '',"
	"  screen TEXT NOT NULL DEFAULT '',"
	"  detail TEXT NOT NULL DEFAULT '',"
	"  prev BLOB NOT NULL,"
	"  hash BLOB NOT NULL"
	");"
	"CREATE INDEX audit_person ON audit(person) WHERE person <> '';"
	"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN"
	"  SELECT RAISE(ABORT, 'audit rows are append-only');"
	"END;"
	"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN"
	"  SELECT RAISE(ABORT, 'audit rows are append-only');"
	"END;",
	/* 2: intake, review and the ledger (issue 7).  DATA-3: corrections
	 * keep the old and new value of each field, who and when; AC-7 the
	 * confirmer; ID-6 a changed 個人番号 in an application waits in
	 * application_confirm for a second person; INT-10 返戻 with its
	 * resubmission deadline; INT-9 進達 batches; INT-11 the inquiry and
	 * disclosure-request log. */
	"CREATE TABLE application_corrections ("
	"  id INTEGER PRIMARY KEY,"
	"  uuid TEXT NOT NULL REFERENCES applications(uuid) ON DELETE CASCADE,"
	"  field TEXT NOT NULL,"
	"  old_value TEXT NOT NULL,"
	"  new_value TEXT NOT NULL,"
	"  reason TEXT NOT NULL DEFAULT '',"
	"  by TEXT NOT NULL,"
	"  at TEXT NOT NULL,"
	"  confirmed_by TEXT NOT NULL DEFAULT ''"
	");"
	"CREATE INDEX application_corrections_uuid ON application_corrections(uuid);"
	"CREATE TABLE application_confirm ("
	"  id INTEGER PRIMARY KEY,"
	"  uuid TEXT NOT NULL REFERENCES applications(uuid) ON DELETE CASCADE,"
	"  field TEXT NOT NULL,"
	"  value TEXT NOT NULL,"
	"  reason TEXT NOT NULL DEFAULT '',"
	"  requested_by TEXT NOT NULL,"
	"  requested_at TEXT NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'pending',"
	"  decided_by TEXT NOT NULL DEFAULT '',"
	"  decided_at TEXT NOT NULL DEFAULT ''"
	");"
	"CREATE INDEX application_confirm_state ON application_confirm(state);"
	"CREATE TABLE application_returns ("
	"  uuid TEXT PRIMARY KEY REFERENCES applications(uuid) ON DELETE CASCADE,"
	"  reason TEXT NOT NULL,"
	"  deadline INTEGER NOT NULL,"
	"  returned_at TEXT NOT NULL,"
	"  by TEXT NOT NULL,"
	"  resubmitted_at TEXT NOT NULL DEFAULT ''"
	") WITHOUT ROWID;"
	"CREATE TABLE batches ("
	"  id TEXT PRIMARY KEY,"
	"  method TEXT NOT NULL CHECK (method IN ('carry', 'post')),"
	"  bag TEXT NOT NULL,"
	"  date INTEGER NOT NULL,"
	"  clerk TEXT NOT NULL,"
	"  destination TEXT NOT NULL DEFAULT '',"
	"  count INTEGER NOT NULL,"
	"  created_at TEXT NOT NULL"
	") WITHOUT ROWID;"
	"CREATE TABLE batch_items ("
	"  batch TEXT NOT NULL REFERENCES batches(id) ON DELETE CASCADE,"
	"  uuid TEXT NOT NULL UNIQUE REFERENCES applications(uuid),"
	"  seq INTEGER NOT NULL,"
	"  PRIMARY KEY (batch, seq)"
	") WITHOUT ROWID;"
	"CREATE TABLE inquiries ("
	"  id INTEGER PRIMARY KEY,"
	"  no TEXT NOT NULL UNIQUE,"
	"  kind TEXT NOT NULL,"
	"  atena TEXT NOT NULL DEFAULT '',"
	"  requester TEXT NOT NULL DEFAULT '',"
	"  summary TEXT NOT NULL,"
	"  received_at TEXT NOT NULL,"
	"  received_by TEXT NOT NULL,"
	"  response TEXT NOT NULL DEFAULT '',"
	"  responded_at TEXT NOT NULL DEFAULT '',"
	"  responded_by TEXT NOT NULL DEFAULT ''"
	");"
	"CREATE INDEX inquiries_received ON inquiries(received_at);",
	/* 3: the sync module's tables (issue 3, SPEC 4: the schema comes from
	 * these migrations only).  LOG-4 the sync log (date-time, link ID,
	 * source, destination, content, result); ID-6 the confirmation queue
	 * of 個人番号 changes received from the central, which wait for a
	 * second person; LOG-4 the outbox items the central refused, with its
	 * reason.  Builds before this migration created the same three tables
	 * on first use with CREATE TABLE IF NOT EXISTS and exactly these
	 * columns, so an older store may already hold them with data:
	 * IF NOT EXISTS keeps that data and makes this step a no-op there. */
	"CREATE TABLE IF NOT EXISTS sync_log ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" round_id TEXT NOT NULL, started_at TEXT NOT NULL, ended_at TEXT NOT NULL,"
	" source TEXT NOT NULL, destination TEXT NOT NULL, content TEXT NOT NULL,"
	" result TEXT NOT NULL, error TEXT NOT NULL DEFAULT '');"
	"CREATE TABLE IF NOT EXISTS sync_confirm ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT,"
	" atena TEXT NOT NULL, proposed TEXT NOT NULL, reason TEXT NOT NULL,"
	" received_at TEXT NOT NULL, resolved_at TEXT, resolved_by TEXT);"
	"CREATE TABLE IF NOT EXISTS sync_rejects ("
	" uuid TEXT PRIMARY KEY, reason TEXT NOT NULL, at TEXT NOT NULL);",
	/* 4: the card's authenticity verdicts with the identity-check record
	 * (issue 11, ID-1, ID-3), one row per idchecks row that had a card
	 * read: authenticity verified / failed / unverifiable / not-checked,
	 * which check failed, the issuer key ID, and the chip genuine /
	 * failed / not-checked.  Never an image.  A table of its own (IF NOT
	 * EXISTS), so the step is safe to replay like migration 3. */
	"CREATE TABLE IF NOT EXISTS idcheck_verdicts ("
	" uuid TEXT PRIMARY KEY,"
	" authenticity TEXT NOT NULL, authenticity_detail TEXT NOT NULL DEFAULT '',"
	" issuer_key_id TEXT NOT NULL DEFAULT '', chip TEXT NOT NULL);",
	/* 5 (issue 15):
	 * rights backed by keys.  account_keys: each account's X25519 public
	 * key (from its key slot); right_keys: each right's public key;
	 * right_grants: a right's secret key sealed to an entitled account's
	 * public key.  The 個人番号 table is replaced: the number sealed to the
	 * right "mynumber", a blind index (keyed BLAKE2b-128, unique) for
	 * equality and search, and the masked form SC-1 lets everyone see.
	 * The old table is kept as mynumbers_v1: a store of v0.1.0 (key-slot
	 * format 1) moves its numbers into the new one at its first login on
	 * this model (legacy.c), which drops it; store_create drops the empty
	 * one of a new store.  Protected addresses (DV/不開示)
	 * move to persons.address_sealed, sealed to the right "address", in the
	 * history too (the trigger is recreated with the column).  The
	 * terminal's own secrets live in sealed_settings.  account_totp is
	 * where issue 14's TOTP secret goes, sealed to its own account's public
	 * key (nothing writes it yet). */
	"ALTER TABLE mynumbers RENAME TO mynumbers_v1;"
	"CREATE TABLE mynumbers ("
	"  atena TEXT PRIMARY KEY REFERENCES persons(atena) ON DELETE CASCADE,"
	"  idx BLOB NOT NULL UNIQUE,"
	"  sealed BLOB NOT NULL,"
	"  masked TEXT NOT NULL,"
	"  updated_at TEXT NOT NULL,"
	"  updated_by TEXT NOT NULL"
	") WITHOUT ROWID;"
	"CREATE TABLE account_keys ("
	"  name TEXT PRIMARY KEY,"
	"  pk BLOB NOT NULL"
	") WITHOUT ROWID;"
	"CREATE TABLE right_keys ("
	"  name TEXT PRIMARY KEY,"
	"  pk BLOB NOT NULL"
	") WITHOUT ROWID;"
	"CREATE TABLE right_grants ("
	"  right TEXT NOT NULL,"
	"  account TEXT NOT NULL,"
	"  sealed BLOB NOT NULL,"
	"  PRIMARY KEY (right, account)"
	") WITHOUT ROWID;"
	"CREATE TABLE sealed_settings ("
	"  key TEXT PRIMARY KEY,"
	"  value BLOB NOT NULL"
	") WITHOUT ROWID;"
	"CREATE TABLE account_totp ("
	"  name TEXT PRIMARY KEY,"
	"  sealed BLOB NOT NULL"
	") WITHOUT ROWID;"
	"ALTER TABLE persons ADD COLUMN address_sealed BLOB;"
	"ALTER TABLE person_history ADD COLUMN address_sealed BLOB;"
	"DROP TRIGGER persons_keep;"
	"CREATE TRIGGER persons_keep BEFORE UPDATE ON persons BEGIN"
	"  INSERT INTO person_history (atena, name, kana, alias, alias_kana,"
	"    alpha, birth, sex, postal, address, household, relation, head,"
	"    ward, dv, nondisclose, updated_at, updated_by, replaced_at,"
	"    address_sealed)"
	"  VALUES (old.atena, old.name, old.kana, old.alias, old.alias_kana,"
	"    old.alpha, old.birth, old.sex, old.postal, old.address,"
	"    old.household, old.relation, old.head, old.ward, old.dv,"
	"    old.nondisclose, old.updated_at, old.updated_by, new.updated_at,"
	"    old.address_sealed);"
	"END;",
	/* 6 (issue 15 A, with issue 14): the per-procedure `sensitive` flag
	 * that entitles an account to the right sensitive:PROC (rights.c). */
	"ALTER TABLE account_perms ADD COLUMN sensitive INTEGER NOT NULL DEFAULT 0;",
	/* 7 (issue 13, RET-1..RET-3, DATA-1): the local copy's lifecycle.
	 * applications.minimised_at: when the 個人番号 in the body was masked
	 * (the application left the terminal's hands for good).  Audit rows
	 * can be redacted: the body (person, screen, detail) is replaced by
	 * the marker (redacted_at, redacted_why) while id, prev and hash stay,
	 * so the chain still verifies; the update trigger allows exactly that
	 * change and nothing else.  Old rows can be deleted from the front of
	 * the chain while the row 'audit.purging' is in settings (only the
	 * purge, inside its transaction, writes it); verify then starts at
	 * the recorded base.  purge_log: one row per purge (RET-2: what, how
	 * many, when, how; record IDs, never content), reported to the
	 * central at the next sync. */
	"ALTER TABLE applications ADD COLUMN minimised_at TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE audit ADD COLUMN redacted_at TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE audit ADD COLUMN redacted_why TEXT NOT NULL DEFAULT '';"
	"DROP TRIGGER audit_no_update;"
	"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit WHEN NOT ("
	"  old.redacted_at = '' AND new.redacted_at <> '' AND new.id = old.id AND"
	"  new.prev = old.prev AND new.hash = old.hash AND new.at = old.at AND"
	"  new.who = old.who AND new.terminal = old.terminal AND"
	"  new.action = old.action AND new.person = '' AND new.screen = '' AND"
	"  new.detail = '') BEGIN"
	"  SELECT RAISE(ABORT, 'audit rows are append-only');"
	"END;"
	"DROP TRIGGER audit_no_delete;"
	"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit WHEN NOT EXISTS"
	"  (SELECT 1 FROM settings WHERE key = 'audit.purging') BEGIN"
	"  SELECT RAISE(ABORT, 'audit rows are append-only');"
	"END;"
	"CREATE TABLE purge_log ("
	"  id INTEGER PRIMARY KEY,"
	"  at TEXT NOT NULL,"
	"  who TEXT NOT NULL,"
	"  category TEXT NOT NULL,"
	"  how TEXT NOT NULL,"
	"  count INTEGER NOT NULL,"
	"  oldest TEXT NOT NULL DEFAULT '',"
	"  newest TEXT NOT NULL DEFAULT '',"
	"  ids TEXT NOT NULL DEFAULT '',"
	"  reported INTEGER NOT NULL DEFAULT 0"
	");",
	/* 8 (issue 14, access control on every path): account_log, the
	 * terminal's record of every account issued, changed or revoked on it
	 * with the request it was made against (AC-2; the central's table of
	 * the same name); when each account's password was last set, for
	 * [store] password_max_age (AC-4), counted from this migration for
	 * the accounts already there; who queued each 個人番号 change waiting
	 * for confirmation, so that a different person confirms it (ID-6). */
	"CREATE TABLE IF NOT EXISTS account_log ("
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  name TEXT NOT NULL, action TEXT NOT NULL, request TEXT NOT NULL,"
	"  operator TEXT NOT NULL, at TEXT NOT NULL, detail TEXT NOT NULL);"
	"ALTER TABLE accounts ADD COLUMN password_changed_at TEXT NOT NULL"
	"  DEFAULT '';"
	"UPDATE accounts SET password_changed_at ="
	"  strftime('%Y-%m-%dT%H:%M:%S', 'now', 'localtime');"
	"ALTER TABLE sync_confirm ADD COLUMN queued_by TEXT NOT NULL DEFAULT '';",
	/* 9: reference data pulled from the central (issue 19): 全銀 bank and
	 * branch codes (zengin-code) and Japan Post's KEN_ALL addresses, so a
	 * form checks a 金融機関コード and fills an address offline.  The
	 * pull cursor goes back to 0 once: a central that already held
	 * reference data moved an older terminal's cursor past it (protocol
	 * version 3 kinds are not sent to version 2), so the first pull
	 * after this upgrade reads the whole feed again (each key's latest
	 * change only, applied idempotently). */
	"CREATE TABLE ref_banks ("
	"  code TEXT PRIMARY KEY,"		/* 4 digits */
	"  name TEXT NOT NULL,"
	"  kana TEXT NOT NULL"
	") WITHOUT ROWID;"
	"CREATE TABLE ref_branches ("
	"  bank TEXT NOT NULL,"			/* 4 digits */
	"  code TEXT NOT NULL,"			/* 3 digits */
	"  name TEXT NOT NULL,"
	"  kana TEXT NOT NULL,"
	"  PRIMARY KEY (bank, code)"
	") WITHOUT ROWID;"
	"CREATE TABLE ref_postal ("
	"  code TEXT NOT NULL,"			/* 7 digits, no hyphen */
	"  seq INTEGER NOT NULL,"		/* order in KEN_ALL */
	"  pref TEXT NOT NULL,"
	"  city TEXT NOT NULL,"
	"  town TEXT NOT NULL,"			/* what fills an address */
	"  town_full TEXT NOT NULL,"		/* as published, notes included */
	"  kana TEXT NOT NULL,"
	"  PRIMARY KEY (code, seq)"
	") WITHOUT ROWID;"
	"UPDATE sync_cursor SET cursor = '0';",
};

#define NMIGRATIONS (int)(sizeof(migrations) / sizeof(migrations[0]))

int
store_schema_version(void)
{
	return NMIGRATIONS;
}

static int
user_version(sqlite3 *db, int *v, struct err *e)
{
	sqlite3_stmt *st;
	int r, rc;

	if ((r = sql_prepare(db, "PRAGMA user_version", &st, e)) != 0)
		return r;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return sql_err(db, sqlite3_extended_errcode(db), e, "user_version");
	return 0;
}

int
store_schema_apply(sqlite3 *db, struct err *e)
{
	char sql[64];
	int v = 0, r;

	if ((r = user_version(db, &v, e)) != 0)
		return r;
	if (v > NMIGRATIONS)
		return err_set(e, ERR_STATE,
		    "store schema version %d is newer than this program (%d)",
		    v, NMIGRATIONS);
	for (; v < NMIGRATIONS; v++) {
		if ((r = sql_exec(db, "BEGIN IMMEDIATE", e)) != 0)
			return r;
		snprintf(sql, sizeof(sql), "PRAGMA user_version=%d", v + 1);
		if ((r = sql_exec(db, migrations[v], e)) != 0 ||
		    (r = sql_exec(db, sql, e)) != 0 ||
		    (r = sql_exec(db, "COMMIT", e)) != 0) {
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			return err_prefix(e, "migration %d: ", v + 1);
		}
	}
	return 0;
}
