#!/usr/bin/env bash
# Back up the portal: the database (pg_dump, custom format) and the blob store (tar), into
# a new folder under BACKUP_DIR. A bucket (PORTAL_BLOB_URL=s3://...) is copied out first,
# as ciphertext, into the layout of a folder store, so the archive is the same either way.
# Key files, the shred ledger and the audit checkpoints are NOT in it, and must never be:
# docs/operations.md, "Backups and retention", says why.
#
# Run on a host that holds the internal face's environment, as root, with the owner's
# connection from a file of its own (never in internal.env: no face may hold it), e.g.
#   set -a; . /etc/portal/internal.env; . /etc/portal/owner.env; set +a
#   BACKUP_DIR=/srv/backups deploy/backup.sh
# where owner.env (mode 0600) says PORTAL_OWNER_DATABASE_URL=postgresql://portal_owner:...
#
# Needs: DATABASE_URL (postgresql://...), PORTAL_BLOB_DIR or PORTAL_BLOB_URL, BACKUP_DIR;
# PORTAL_OWNER_DATABASE_URL: the schema owner's connection (portal_owner), which pg_dump
# reads every table with: the internal face's role may not read the migrations' own table
# (deploy/postgresql/grants.sql); DATABASE_URL if not set (one role for everything);
# PORTAL_FLASK (for a bucket): how to run the portal's commands, "flask --app wsgi" by
# default (owner.env names the virtualenv's, as for restore.sh), run in the checkout this
# script belongs to; reads
# PORTAL_KEYS_DIR, PORTAL_SHRED_LEDGER_PATH and PORTAL_AUDIT_CHECKPOINT_PATH only to refuse a
# backup that would take them along.
set -euo pipefail

: "${DATABASE_URL:?set DATABASE_URL (postgresql://...)}"
[[ -n "${PORTAL_BLOB_URL:-}" ]] || : "${PORTAL_BLOB_DIR:?set PORTAL_BLOB_DIR or PORTAL_BLOB_URL}"
: "${BACKUP_DIR:?set BACKUP_DIR, where backups are kept}"

die() { echo "backup: $*" >&2; exit 1; }

# shellcheck source=deploy/libpq-url.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/libpq-url.sh"
libpq_url "${PORTAL_OWNER_DATABASE_URL:-$DATABASE_URL}" 2>/dev/null ||
  die "DATABASE_URL must be a PostgreSQL URL (SQLite: copy the file with sqlite3 .backup)"

inside() {  # is path $1 (resolved) inside directory $2 (resolved), or the same?
  local path dir
  path="$(realpath -m -- "$1")"
  dir="$(realpath -m -- "$2")"
  [[ "$path" == "$dir" || "$path" == "$dir"/* ]]
}

# Whoever holds a backup together with the keys can read every case in it, shredded ones
# included; and a ledger inside the backup would be rolled back with the database, undoing
# exactly the shreds it exists to re-apply.
for kept_apart in "${PORTAL_KEYS_DIR:-}" "${PORTAL_SHRED_LEDGER_PATH:-}" \
  "${PORTAL_AUDIT_CHECKPOINT_PATH:-}"; do
  [[ -n "$kept_apart" ]] || continue
  for archived in ${PORTAL_BLOB_DIR:+"$PORTAL_BLOB_DIR"} "$BACKUP_DIR"; do
    if inside "$kept_apart" "$archived" || inside "$archived" "$kept_apart"; then
      die "$kept_apart and $archived overlap: keys, the shred ledger and the audit" \
        "checkpoints must live apart from the blob store and the backups"
    fi
  done
done
[[ -n "${PORTAL_SHRED_LEDGER_PATH:-}" ]] ||
  echo "backup: PORTAL_SHRED_LEDGER_PATH is not set here; make sure the ledger is kept" \
    "(on its own volume or host) apart from this backup" >&2

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
target="$BACKUP_DIR/$stamp"
umask 077  # the dump holds the clear columns and every wrapped key
mkdir -p -- "$BACKUP_DIR"
[[ ! -e "$target" ]] || die "$target exists already: a backup is never written over another"
# Written under another name and renamed once whole, so that a backup that failed half-way
# (and left its folder behind) is never taken for one to copy off or restore.
# A failed one is removed: half a backup restores nothing and still holds the dump.
partial="$target.partial"
mkdir -- "$partial"
trap '[[ ! -d "$partial" ]] || rm -rf -- "$partial"' EXIT

# The blob store is live while tar reads it. An upload's temporary file (.upload-*) is no
# document yet. A blob deleted, or a folder given a new blob, while tar reads reports exit
# status 1 ("some files differ"): the dump, taken first, is what counts, so that is a
# backup; 2 and above are errors.
archive_blobs() {  # archive_blobs FOLDER
  local status=0
  tar --create --file="$partial/blobs.tar" --exclude='.upload-*' \
    --warning=no-file-changed --warning=no-file-removed --directory="$1" . || status=$?
  (( status <= 1 )) || die "the blob store $1 could not be archived (tar exit status $status)"
}

# The database first, then the blobs: a document row in the dump always had its blob
# written before it (uploads write the blob, then the row), so the tar taken after holds it
# unless the document was deleted or its case shredded in between, which is what must be.
(
  [[ -z "$libpq_password" ]] || export PGPASSWORD="$libpq_password"
  exec pg_dump --format=custom --no-owner --file="$partial/database.dump" "$libpq_url"
)
if [[ -n "${PORTAL_BLOB_URL:-}" ]]; then
  read -r -a flask <<< "${PORTAL_FLASK:-flask --app wsgi}"
  exported="$(realpath -m -- "$partial/blobs")"
  (cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && "${flask[@]}" blobs export "$exported")
  archive_blobs "$partial/blobs"
  rm -r -- "$partial/blobs"
else
  archive_blobs "$PORTAL_BLOB_DIR"
fi
(cd -- "$partial" && sha256sum database.dump blobs.tar > SHA256SUMS)
mv -T -- "$partial" "$target"

echo "backup written to $target"
echo "reminder: copy the key directory and the shred ledger separately (their own" \
  "media, their own access), never into $BACKUP_DIR"
