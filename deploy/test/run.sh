#!/usr/bin/env bash
# The deployment test: both faces as deployed (deploy/), on this machine, end to end.
#
# Installs nginx from Debian's packages if it is missing; makes a scratch PostgreSQL
# database with the roles of deploy/postgresql (each process connects as its own role)
# and uses one Redis index; generates the keys into separate internal and public
# directories (the public one without private keys); migrates; runs the public face and
# the internal face under gunicorn (two processes each, deploy/gunicorn.conf.py) behind
# nginx with the sites' own server settings (deploy/nginx/*-server.conf) over TLS on
# loopback ports with a certificate made here; starts one intake worker; and drives a
# case through it all (deploy/test/drive.py). Everything it started is stopped and
# removed at the end, whatever happens.
#
#   bash deploy/test/run.sh     (CI runs it; as root, with PostgreSQL and Redis running)
#
# Settings: DEPLOY_TEST_DB (database name, default portal_deploy_test),
# DEPLOY_TEST_PG (a superuser connection, default postgresql://postgres@127.0.0.1),
# DEPLOY_TEST_REDIS_URL (default redis://127.0.0.1:6379/7: emptied before and after),
# DEPLOY_TEST_KEEP=1 (keep the scratch folder with the logs and settings).
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO=$(pwd)
PYTHON=${PYTHON:-$REPO/.venv/bin/python}
DB=${DEPLOY_TEST_DB:-portal_deploy_test}
PG=${DEPLOY_TEST_PG:-postgresql://postgres@127.0.0.1}
REDIS=${DEPLOY_TEST_REDIS_URL:-redis://127.0.0.1:6379/7}
ROLES="portal_owner portal_public portal_internal portal_worker"
STARTED=$(date +%s)
WORK=$(mktemp -d /tmp/portal-deploy-test.XXXXXX)
PIDS=()

step() { printf '\n--- [%3d s] %s\n' "$(( $(date +%s) - STARTED ))" "$*"; }
psql_admin() { psql "$PG/${2:-postgres}" -v ON_ERROR_STOP=1 -q -X -c "$1"; }

drop_database_and_roles() {
  psql_admin "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" >/dev/null 2>&1 || true
  for role in $ROLES; do psql_admin "DROP ROLE IF EXISTS $role" >/dev/null 2>&1 || true; done
}

cleanup() {
  local status=$?
  set +e
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
  if [ "$status" -ne 0 ]; then
    echo "--- logs of the failed run (last lines of each)"
    for log in "$WORK"/logs/*.log; do [ -f "$log" ] && { echo "== $log"; tail -n 40 "$log"; }; done
  fi
  redis-cli -u "$REDIS" flushdb >/dev/null 2>&1
  drop_database_and_roles
  if [ "${DEPLOY_TEST_KEEP:-}" = 1 ]; then echo "kept: $WORK"; else rm -rf "$WORK"; fi
  echo "deployment test: $([ "$status" -eq 0 ] && echo passed || echo FAILED) in $(( $(date +%s) - STARTED )) s"
  exit "$status"
}
trap cleanup EXIT INT TERM

free_port() { "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_for_http() {  # wait_for_http NAME URL: up to 30 s
  for _ in $(seq 60); do curl -fsk -o /dev/null "$2" && return 0; sleep 0.5; done
  echo "$1 did not answer at $2" >&2; return 1
}

step "nginx (Debian's package)"
if ! command -v nginx >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq nginx >/dev/null
fi
nginx -v 2>&1

step "PostgreSQL: a scratch database $DB and the portal's roles"
drop_database_and_roles
psql "$PG/postgres" -v ON_ERROR_STOP=1 -q -X -f deploy/postgresql/roles.sql
for role in $ROLES; do psql_admin "ALTER ROLE $role PASSWORD 'test-$role'"; done
psql_admin "CREATE DATABASE \"$DB\" OWNER portal_owner"
db_url() { echo "postgresql://$1:test-$1@127.0.0.1/$DB"; }
redis-cli -u "$REDIS" flushdb >/dev/null

step "keys: the internal set, and the public share without private keys"
mkdir -p "$WORK"/{logs,blobs,audit,tls,nginx,instance-public,instance-internal,instance-worker}
"$PYTHON" -m deploy.keys create "$WORK/keys/internal" "$WORK/keys/public"

PUBLIC_APP=$(free_port); INTERNAL_APP=$(free_port); PUBLIC_TLS=$(free_port); INTERNAL_TLS=$(free_port)
secret() { "$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(48))'; }
# The faces' environment files, as /etc/portal/public.env and internal.env would be.
cat > "$WORK/public.env" <<ENV
PORTAL_ENV=production
PORTAL_FACES=public
SECRET_KEY=$(secret)
DATABASE_URL=$(db_url portal_public)
REDIS_URL=$REDIS
PORTAL_KEYS_DIR=$WORK/keys/public
PORTAL_BLOB_DIR=$WORK/blobs
PORTAL_INSTANCE_DIR=$WORK/instance-public
PORTAL_TRUSTED_PROXIES=1
PORTAL_BIND=127.0.0.1:$PUBLIC_APP
PORTAL_WEB_PROCESSES=2
ENV
INTERNAL_SECRET=$(secret)
internal_env() {  # internal_env ROLE BIND
  cat <<ENV
PORTAL_ENV=production
PORTAL_FACES=internal
SECRET_KEY=$INTERNAL_SECRET
DATABASE_URL=$(db_url "$1")
REDIS_URL=$REDIS
PORTAL_KEYS_DIR=$WORK/keys/internal
PORTAL_BLOB_DIR=$WORK/blobs
PORTAL_INSTANCE_DIR=$WORK/instance-internal
PORTAL_AUDIT_CHECKPOINT_PATH=$WORK/audit/checkpoints.jsonl
PORTAL_TRUSTED_PROXIES=1
PORTAL_BIND=127.0.0.1:$2
PORTAL_WEB_PROCESSES=2
ENV
}
internal_env portal_internal "$INTERNAL_APP" > "$WORK/internal.env"
# The worker: the internal face's settings and keys, its own role, and short timers so
# that every one of them runs (and is tried against the role's grants) within the test.
{ internal_env portal_worker 0; cat <<ENV
PORTAL_RELAY_INTERVAL_SECONDS=3
PORTAL_TALLY_COMPACT_SECONDS=3
PORTAL_FIGURES_REFRESH_SECONDS=3
PORTAL_AUDIT_CHECKPOINT_SECONDS=3
ENV
} > "$WORK/worker.env"
# The migrations' own environment: the internal face's, as the owner role.
sed "s|^DATABASE_URL=.*|DATABASE_URL=$(db_url portal_owner)|" "$WORK/internal.env" > "$WORK/owner.env"

as() {  # as ENV_FILE COMMAND...: run a command in a face's environment, as systemd would
  local file=$1; shift
  env -i PATH="$PATH" LANG=C.UTF-8 $(grep -v '^#' "$file" | xargs) "$@"
}
flask_as() { local file=$1; shift; as "$file" "$PYTHON" -m flask --app wsgi "$@"; }
start() {  # start LOG ENV_FILE COMMAND...: in the background, its pid remembered for the end
  local log=$1; shift
  ( exec env -i PATH="$PATH" LANG=C.UTF-8 $(grep -v '^#' "$1" | xargs) "${@:2}" ) \
    >"$WORK/logs/$log.log" 2>&1 &
  PIDS+=($!)
}

step "migrations (as portal_owner), then the grants"
flask_as "$WORK/owner.env" db upgrade 2>&1 | tail -n 1
psql "$PG/$DB" -v ON_ERROR_STOP=1 -q -X -f deploy/postgresql/grants.sql

step "setting up: a watch list in force, the audit checkpoint file, static files compressed"
printf 'name,aliases,date_of_birth,reference\nQari Saifullah Mansoor,,1960,UN-2019-0007\n' > "$WORK/watchlist.csv"
flask_as "$WORK/internal.env" watchlist import "$WORK/watchlist.csv"
flask_as "$WORK/internal.env" audit checkpoint --start-file
make -s static

step "the faces under gunicorn, a worker, nginx over TLS on loopback"
start public "$WORK/public.env" "$PYTHON" -m gunicorn --config deploy/gunicorn.conf.py wsgi:app
start internal "$WORK/internal.env" "$PYTHON" -m gunicorn --config deploy/gunicorn.conf.py wsgi:app
start worker "$WORK/worker.env" "$PYTHON" -m flask --app wsgi worker

# A certificate for 127.0.0.1, trusted by the driver only. The sites' TLS settings
# (tls.conf) and server settings are the production ones; only the addresses, the
# certificate (no OCSP stapling: nobody answers for it) and the log files differ from deploy/nginx/public.conf and internal.conf.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" \
  -addext "subjectAltName=IP:127.0.0.1" \
  -keyout "$WORK/tls/key.pem" -out "$WORK/tls/cert.pem" 2>/dev/null
cat > "$WORK/nginx/nginx.conf" <<NGINX
user $(id -un);
worker_processes 2;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/logs/nginx-error.log warn;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    log_format portal '\$time_iso8601 \$server_port "\$request_method \$uri" \$status \$body_bytes_sent \$request_time';
    access_log $WORK/logs/nginx-access.log portal;
    upstream portal_public { server 127.0.0.1:$PUBLIC_APP; }
    upstream portal_internal { server 127.0.0.1:$INTERNAL_APP; }
    server {
        listen 127.0.0.1:$PUBLIC_TLS ssl http2;
        ssl_certificate $WORK/tls/cert.pem;
        ssl_certificate_key $WORK/tls/key.pem;
        include $REPO/deploy/nginx/tls.conf;
        set \$portal_root $REPO/portal;
        include $REPO/deploy/nginx/public-server.conf;
    }
    server {
        listen 127.0.0.1:$INTERNAL_TLS ssl http2;
        ssl_certificate $WORK/tls/cert.pem;
        ssl_certificate_key $WORK/tls/key.pem;
        include $REPO/deploy/nginx/tls.conf;
        allow 127.0.0.1;
        deny all;
        set \$portal_root $REPO/portal;
        include $REPO/deploy/nginx/internal-server.conf;
    }
}
NGINX
nginx -q -t -p "$WORK/nginx/" -c "$WORK/nginx/nginx.conf"
nginx -p "$WORK/nginx/" -c "$WORK/nginx/nginx.conf" & PIDS+=($!)
wait_for_http "the public face" "https://127.0.0.1:$PUBLIC_TLS/healthz"
wait_for_http "the internal face" "https://127.0.0.1:$INTERNAL_TLS/healthz"

step "the production site files parse (their paths pointed at this test's files)"
mkdir -p "$WORK/site-check/sites" "$WORK/site-check/body"
for site in public internal; do
  sed -e "s|/opt/portal/app|$REPO|g" \
      -e "s|/etc/ssl/portal/[^/]*/fullchain.pem|$WORK/tls/cert.pem|; s|/etc/ssl/portal/[^/]*/privkey.pem|$WORK/tls/key.pem|" \
      -e "s|/var/log/nginx|$WORK/logs|g; s|/run/nginx-portal-public|$WORK/site-check/body|" \
      "deploy/nginx/$site.conf" > "$WORK/site-check/sites/$site.conf"
done
cat > "$WORK/site-check/nginx.conf" <<NGINX
pid $WORK/site-check/nginx.pid;
error_log $WORK/logs/site-check.log;
events {}
http { include /etc/nginx/mime.types; include $WORK/site-check/sites/*.conf; }
NGINX
nginx -q -t -p "$WORK/site-check/" -c "$WORK/site-check/nginx.conf"
echo "deploy/nginx/public.conf and internal.conf: syntax ok"

step "the journey (deploy/test/drive.py)"
"$PYTHON" -m deploy.test.drive \
  --public "https://127.0.0.1:$PUBLIC_TLS" --internal "https://127.0.0.1:$INTERNAL_TLS" \
  --cafile "$WORK/tls/cert.pem" --public-env "$WORK/public.env" --internal-env "$WORK/internal.env"

step "the logs: no refused grant, no error"
sleep 4  # one more round of the worker's timers, after the decision
if grep -iE "permission denied|Traceback|\\[ERROR\\]| failed" "$WORK"/logs/{public,internal,worker}.log; then
  echo "FAILED: the processes logged the errors above" >&2
  exit 1
fi
echo "ok   no errors in the logs of the faces and the worker"
grep -c '"' "$WORK/logs/nginx-access.log" | xargs printf 'ok   %s requests through nginx\n'
