#!/usr/bin/env bash
# Both faces as deployed (deploy/), on loopback: the pieces the deployment test and the page
# weight benchmark share. Sourced by deploy/test/run.sh, which calls them one by one; or run
# as a command, which starts the stack, runs another command against it and stops it all:
#
#   bash deploy/test/stack.sh COMMAND [ARG...]
#
# The stack: nginx (Debian's package, installed if missing) over TLS with a certificate made
# here and the sites' own server settings (deploy/nginx/*-server.conf); the public face and
# the internal face under gunicorn (deploy/gunicorn.conf.py, two processes each) with their
# own environment and key files (the public one without private keys); an intake worker; a
# scratch PostgreSQL database with the roles of deploy/postgresql (each process connects as
# its own role); one Redis index. Everything started is stopped and removed at the end.
#
# The command gets STACK_PUBLIC_URL, STACK_INTERNAL_URL, STACK_CAFILE (the certificate to
# trust), STACK_WORK (the scratch folder: logs, env files) and, with STACK_STATIC_SITE, also
# STACK_STATIC_URL; the stack's exit status is the command's.
#
# Settings of the command form (run.sh sets the same through its own DEPLOY_TEST_*):
#   STACK_DB            scratch database (default portal_stack; dropped before and after)
#   STACK_PG            a superuser connection (default postgresql://postgres@127.0.0.1)
#   STACK_REDIS_URL     default redis://127.0.0.1:6379/8 (emptied before and after)
#   STACK_ROLE_PREFIX   the database roles' prefix (default portal: portal_owner, ...).
#                       Roles belong to the whole PostgreSQL server: two stacks at once on
#                       one server need different prefixes.
#   STACK_STATIC_SITE   a folder served by a third server with the public face's server
#                       settings (compression, static files): the page weight reference.
#                       Its static/ is served at /static/ as the portal's is, its assets/
#                       at /assets/ with the same caching and precompressed copies.
#   STACK_KEEP=1        keep the scratch folder with the logs and settings
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PYTHON=${PYTHON:-$REPO/.venv/bin/python}
STARTED=$(date +%s)
PIDS=()
ROLE_PREFIX=${ROLE_PREFIX:-portal}
STATIC_SITE=${STATIC_SITE:-}
STACK_NAME=${STACK_NAME:-stack}

step() { printf '\n--- [%3d s] %s\n' "$(( $(date +%s) - STARTED ))" "$*"; }
psql_admin() { psql "$PG/${2:-postgres}" -v ON_ERROR_STOP=1 -q -X -c "$1"; }
role() { echo "${ROLE_PREFIX}_$1"; }
roles() { echo "$(role owner) $(role public) $(role internal) $(role worker)"; }
# deploy/postgresql's SQL with the roles renamed to this stack's prefix.
role_sql() { sed -E "s/\\bportal_(owner|public|internal|worker)\\b/${ROLE_PREFIX}_\\1/g" "$1"; }
db_url() { echo "postgresql://$1:test-$1@127.0.0.1/$DB"; }

drop_database_and_roles() {
  psql_admin "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" >/dev/null 2>&1 || true
  for name in $(roles); do psql_admin "DROP ROLE IF EXISTS $name" >/dev/null 2>&1 || true; done
}

stack_cleanup() {  # the EXIT trap: stop, show the logs of a failed run, remove
  local status=$?
  set +e
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
  if [ "$status" -ne 0 ] && [ -n "${WORK:-}" ]; then
    echo "--- logs of the failed run (last lines of each)"
    for log in "$WORK"/logs/*.log; do [ -f "$log" ] && { echo "== $log"; tail -n 40 "$log"; }; done
  fi
  redis-cli -u "$REDIS" flushdb >/dev/null 2>&1
  drop_database_and_roles
  if [ "${KEEP:-}" = 1 ]; then echo "kept: $WORK"; else rm -rf "$WORK"; fi
  echo "$STACK_NAME: $([ "$status" -eq 0 ] && echo passed || echo FAILED) in $(( $(date +%s) - STARTED )) s"
  exit "$status"
}

free_port() { "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_for_http() {  # wait_for_http NAME URL: up to 30 s
  for _ in $(seq 60); do curl -fsk -o /dev/null "$2" && return 0; sleep 0.5; done
  echo "$1 did not answer at $2" >&2; return 1
}
secret() { "$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(48))'; }

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

ensure_nginx() {
  if ! command -v nginx >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq nginx >/dev/null
  fi
  nginx -v 2>&1
}

stack_database() {  # a scratch database, the portal's roles, an empty Redis index
  drop_database_and_roles
  role_sql deploy/postgresql/roles.sql | psql "$PG/postgres" -v ON_ERROR_STOP=1 -q -X -f -
  for name in $(roles); do psql_admin "ALTER ROLE $name PASSWORD 'test-$name'"; done
  psql_admin "CREATE DATABASE \"$DB\" OWNER $(role owner)"
  redis-cli -u "$REDIS" flushdb >/dev/null
}

stack_keys() {  # the internal set, and the public share without private keys
  mkdir -p "$WORK"/{logs,blobs,audit,tls,nginx,metrics,instance-public,instance-internal,instance-worker}
  "$PYTHON" -m deploy.keys create "$WORK/keys/internal" "$WORK/keys/public"
}

stack_env_files() {  # the faces' environment files, as /etc/portal/public.env and internal.env would be
  PUBLIC_APP=$(free_port); INTERNAL_APP=$(free_port); PUBLIC_TLS=$(free_port); INTERNAL_TLS=$(free_port)
  cat > "$WORK/public.env" <<ENV
PORTAL_ENV=production
PORTAL_FACES=public
SECRET_KEY=$(secret)
DATABASE_URL=$(db_url "$(role public)")
REDIS_URL=$REDIS
PORTAL_KEYS_DIR=$WORK/keys/public
PORTAL_BLOB_DIR=$WORK/blobs
PORTAL_INSTANCE_DIR=$WORK/instance-public
PORTAL_TRUSTED_PROXIES=1
PORTAL_BIND=127.0.0.1:$PUBLIC_APP
PORTAL_WEB_PROCESSES=2
ENV
  INTERNAL_SECRET=$(secret); METRICS_TOKEN=$(secret)
  _internal_env "$(role internal)" "$INTERNAL_APP" > "$WORK/internal.env"
  # The worker: the internal face's settings and keys, its own role, and short timers so
  # that every one of them runs (and is tried against the role's grants) within the test.
  { _internal_env "$(role worker)" 0; cat <<ENV
PORTAL_RELAY_INTERVAL_SECONDS=3
PORTAL_TALLY_COMPACT_SECONDS=3
PORTAL_FIGURES_REFRESH_SECONDS=3
PORTAL_AUDIT_CHECKPOINT_SECONDS=3
ENV
  } > "$WORK/worker.env"
  # The migrations' own environment: the internal face's, as the owner role.
  sed "s|^DATABASE_URL=.*|DATABASE_URL=$(db_url "$(role owner)")|" "$WORK/internal.env" > "$WORK/owner.env"
}

_internal_env() {  # _internal_env ROLE BIND
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
PORTAL_METRICS_TOKEN=$METRICS_TOKEN
PROMETHEUS_MULTIPROC_DIR=$WORK/metrics
PORTAL_TRUSTED_PROXIES=1
PORTAL_BIND=127.0.0.1:$2
PORTAL_WEB_PROCESSES=2
ENV
}

stack_migrate() {  # as the owner role, then the grants
  flask_as "$WORK/owner.env" db upgrade 2>&1 | tail -n 1
  role_sql deploy/postgresql/grants.sql | psql "$PG/$DB" -v ON_ERROR_STOP=1 -q -X -f -
}

stack_prepare() {  # a watch list in force, the audit checkpoint file, static files compressed
  printf 'name,aliases,date_of_birth,reference\nQari Saifullah Mansoor,,1960,UN-2019-0007\n' > "$WORK/watchlist.csv"
  flask_as "$WORK/internal.env" watchlist import "$WORK/watchlist.csv"
  flask_as "$WORK/internal.env" audit checkpoint --start-file
  make -s static
}

stack_start_services() {  # the faces under gunicorn, a worker
  start public "$WORK/public.env" "$PYTHON" -m gunicorn --config deploy/gunicorn.conf.py wsgi:app
  start internal "$WORK/internal.env" "$PYTHON" -m gunicorn --config deploy/gunicorn.conf.py wsgi:app
  start worker "$WORK/worker.env" "$PYTHON" -m flask --app wsgi worker
}

_static_site_server() {  # the third server, when STATIC_SITE names a folder
  [ -n "$STATIC_SITE" ] || return 0
  cat <<NGINX
    server {
        listen 127.0.0.1:$STATIC_TLS ssl http2;
        ssl_certificate $WORK/tls/cert.pem;
        ssl_certificate_key $WORK/tls/key.pem;
        include $REPO/deploy/nginx/tls.conf;
        set \$portal_root $STATIC_SITE;
        include $REPO/deploy/nginx/public-server.conf;
        location /assets/ {
            root $STATIC_SITE;
            gzip_static on;
            add_header Cache-Control "public, max-age=31536000, immutable" always;
            try_files \$uri =404;
        }
    }
NGINX
}

stack_nginx() {  # nginx over TLS on loopback, in front of both faces
  # A certificate for 127.0.0.1, trusted by the clients of the stack only. The sites' TLS
  # settings (tls.conf) and server settings are the production ones; only the addresses,
  # the certificate (no OCSP stapling: nobody answers for it) and the log files differ
  # from deploy/nginx/public.conf and internal.conf.
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1" \
    -keyout "$WORK/tls/key.pem" -out "$WORK/tls/cert.pem" 2>/dev/null
  STATIC_TLS=$(free_port)
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
$(_static_site_server)
}
NGINX
  nginx -q -t -p "$WORK/nginx/" -c "$WORK/nginx/nginx.conf"
  nginx -p "$WORK/nginx/" -c "$WORK/nginx/nginx.conf" & PIDS+=($!)
  PUBLIC_URL="https://127.0.0.1:$PUBLIC_TLS"
  INTERNAL_URL="https://127.0.0.1:$INTERNAL_TLS"
  STATIC_URL="https://127.0.0.1:$STATIC_TLS"
  CAFILE="$WORK/tls/cert.pem"
  wait_for_http "the public face" "$PUBLIC_URL/healthz"
  wait_for_http "the internal face" "$INTERNAL_URL/healthz"
}

stack_up() {  # everything, in order, each step announced
  step "nginx (Debian's package)"
  ensure_nginx
  step "PostgreSQL: a scratch database $DB and the portal's roles ($(roles))"
  stack_database
  step "keys: the internal set, and the public share without private keys"
  stack_keys
  stack_env_files
  step "migrations (as $(role owner)), then the grants"
  stack_migrate
  step "setting up: a watch list in force, the audit checkpoint file, static files compressed"
  stack_prepare
  step "the faces under gunicorn, a worker, nginx over TLS on loopback"
  stack_start_services
  stack_nginx
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then  # run as a command, not sourced
  [ $# -gt 0 ] || { echo "usage: bash deploy/test/stack.sh COMMAND [ARG...]" >&2; exit 2; }
  cd "$REPO"
  DB=${STACK_DB:-portal_stack}
  PG=${STACK_PG:-postgresql://postgres@127.0.0.1}
  REDIS=${STACK_REDIS_URL:-redis://127.0.0.1:6379/8}
  ROLE_PREFIX=${STACK_ROLE_PREFIX:-portal}
  STATIC_SITE=${STACK_STATIC_SITE:-}
  KEEP=${STACK_KEEP:-}
  WORK=$(mktemp -d /tmp/portal-stack.XXXXXX)
  trap stack_cleanup EXIT INT TERM
  stack_up
  step "$*"
  STACK_PUBLIC_URL=$PUBLIC_URL STACK_INTERNAL_URL=$INTERNAL_URL STACK_CAFILE=$CAFILE \
    STACK_WORK=$WORK STACK_STATIC_URL=$([ -n "$STATIC_SITE" ] && echo "$STATIC_URL") "$@"
fi
