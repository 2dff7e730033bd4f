#!/usr/bin/env bash
# Restore a backup made by deploy/backup.sh, then re-apply every shred in the shred ledger
# before anything is served: a backup taken before a shred still holds the case's keys.
#
#   set -a; . /etc/portal/internal.env; . /etc/portal/owner.env; set +a
#   deploy/restore.sh /srv/backups/20250101T020000Z
#
# Stop both faces and every worker first. Run with the internal face's environment: it needs
# DATABASE_URL (the database to restore into; its tables are replaced),
# PORTAL_OWNER_DATABASE_URL (the same database as the schema owner, portal_owner: only the
# owner may drop and create the tables and migrate them; DATABASE_URL if not set, for one
# role for everything), PORTAL_BLOB_DIR or
# PORTAL_BLOB_URL (a bucket: the backup's blobs are uploaded into it),
# PORTAL_KEYS_DIR and PORTAL_SHRED_LEDGER_PATH (the ledger as it is now, never one from the
# backup). PORTAL_SERVICES (optional): systemd units that must be stopped, checked first.
# PORTAL_FLASK: how to run the portal's commands, "flask --app wsgi" by default, which
# needs the virtualenv's bin on PATH; the deployment's owner.env names it
# (PORTAL_FLASK="/opt/portal/venv/bin/flask --app wsgi"). They run in the checkout this
# script belongs to, wherever it is started from.
set -euo pipefail

die() { echo "restore: $*" >&2; exit 1; }

[[ $# -eq 1 ]] || die "usage: $0 BACKUP_FOLDER"
backup="$1"
: "${DATABASE_URL:?set DATABASE_URL (postgresql://...)}"
[[ -n "${PORTAL_BLOB_URL:-}" ]] || : "${PORTAL_BLOB_DIR:?set PORTAL_BLOB_DIR or PORTAL_BLOB_URL}"
: "${PORTAL_KEYS_DIR:?set PORTAL_KEYS_DIR (the keys are not in the backup)}"
: "${PORTAL_SHRED_LEDGER_PATH:?set PORTAL_SHRED_LEDGER_PATH (the ledger is not in the backup)}"
read -r -a flask <<< "${PORTAL_FLASK:-flask --app wsgi}"
app_dir="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)"
portal() { (cd -- "$app_dir" && "${flask[@]}" "$@"); }

owner_url="${PORTAL_OWNER_DATABASE_URL:-$DATABASE_URL}"
# shellcheck source=deploy/libpq-url.sh
. "$(dirname -- "${BASH_SOURCE[0]}")/libpq-url.sh"
libpq_url "$owner_url" 2>/dev/null || die "DATABASE_URL must be a PostgreSQL URL"

for unit in ${PORTAL_SERVICES:-}; do
  if systemctl is-active --quiet "$unit"; then
    die "$unit is running: stop every face and worker before restoring"
  fi
done
# Tried before anything is replaced: a restore that stopped after the database would leave
# every case shredded since the backup readable again.
portal retention --help >/dev/null 2>&1 ||
  die "cannot run the portal's commands as '${flask[*]}': set PORTAL_FLASK," \
    "e.g. PORTAL_FLASK=\"/opt/portal/venv/bin/flask --app wsgi\""
[[ -d "$PORTAL_KEYS_DIR" ]] || die "no key directory at $PORTAL_KEYS_DIR"
# Without the ledger, every case shredded since the backup would come back readable.
[[ -f "$PORTAL_SHRED_LEDGER_PATH" ]] ||
  die "no shred ledger at $PORTAL_SHRED_LEDGER_PATH: mount it before restoring"
# Strict, and both files listed: a line damaged out of its format would otherwise be
# skipped with a warning, and the file it names restored unchecked.
(
  cd -- "$backup" &&
    sha256sum --check --strict --quiet SHA256SUMS &&
    [[ "$(awk '{ print $2 }' SHA256SUMS | sort | paste -s -d ' ')" == "blobs.tar database.dump" ]]
) || die "the backup is damaged"

(
  [[ -z "$libpq_password" ]] || export PGPASSWORD="$libpq_password"
  exec pg_restore --clean --if-exists --no-owner --single-transaction --exit-on-error \
    --dbname="$libpq_url" "$backup/database.dump"
)

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
if [[ -n "${PORTAL_BLOB_URL:-}" ]]; then
  # Uploaded over the bucket's objects of the same name; objects written after the backup
  # are counted, not deleted, for the operator to remove once the restore is checked.
  unpacked="$(mktemp -d)"
  trap 'rm -rf -- "$unpacked"' EXIT
  tar --extract --file="$backup/blobs.tar" --directory="$unpacked"
  portal blobs import "$unpacked"
else
  # Unpacked beside the store and then swapped in, so a failed unpack leaves it as it was.
  # The path without a trailing slash, or "beside" would be inside.
  store="$(realpath --canonicalize-missing --no-symlinks -- "$PORTAL_BLOB_DIR")"
  incoming="$store.restoring-$stamp"
  (umask 077 && mkdir -- "$incoming")
  tar --extract --file="$backup/blobs.tar" --directory="$incoming"
  if [[ -e "$store" ]]; then
    # -T: never into a folder of that name, should one exist already.
    mv -T -- "$store" "$store.replaced-$stamp"
    echo "restore: the blob store in use was moved to $store.replaced-$stamp;" \
      "delete it once the restore is checked"
  fi
  mv -T -- "$incoming" "$store"
fi

# A backup of an older release is brought up to this one's schema before anything runs,
# as the owner, as every migration is (docs/deployment.md).
DATABASE_URL="$owner_url" portal db upgrade
# Shred again whatever the ledger says is gone; it exits non-zero on a forged or damaged
# line or on anything still readable, and then nothing may be started.
portal retention reapply
portal retention check

echo "restored from $backup; every shred in the ledger is applied."
echo "if 'db upgrade' migrated, run deploy/postgresql/grants.sql as after every migration" \
  "(docs/deployment.md), before the services start."
echo "'${flask[*]} audit verify' will report the rollback of the audit chain: keep that" \
  "report, then start a new checkpoint file (docs/operations.md, \"Audit checkpoints\")."
