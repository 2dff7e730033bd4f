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
# case through it all (deploy/test/drive.py); then weighs every applicant page in
# Chromium against the page weight budget (bench/page_weight.py --public; skipped without
# Chromium unless PORTAL_REQUIRE_BROWSER is set). Everything it started is stopped and
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
DB=${DEPLOY_TEST_DB:-portal_deploy_test}
PG=${DEPLOY_TEST_PG:-postgresql://postgres@127.0.0.1}
REDIS=${DEPLOY_TEST_REDIS_URL:-redis://127.0.0.1:6379/7}
KEEP=${DEPLOY_TEST_KEEP:-}
STACK_NAME="deployment test"
WORK=$(mktemp -d /tmp/portal-deploy-test.XXXXXX)
# The stack's pieces (deploy/test/stack.sh), the same the page weight benchmark starts.
source deploy/test/stack.sh
trap stack_cleanup EXIT INT TERM

stack_up

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

step "the units: the internal face and the workers write their metrics into one folder"
# As the stack's internal.env and worker.env do: the journey checks that a job's figures
# reach the internal face's scrape that way.
metrics_folder() { sed -n 's/^Environment=PROMETHEUS_MULTIPROC_DIR=//p' "deploy/systemd/$1"; }
shared=$(metrics_folder portal-internal.service)
if [ -z "$shared" ] || [ "$shared" != "$(metrics_folder portal-worker@.service)" ] ||
  ! grep -q "^d $shared " deploy/systemd/portal-metrics.conf; then
  echo "FAILED: portal-internal.service and portal-worker@.service must name one" \
    "PROMETHEUS_MULTIPROC_DIR, made by deploy/systemd/portal-metrics.conf" >&2
  exit 1
fi
echo "ok   both units write into $shared, made at boot by portal-metrics.conf"

step "the journey (deploy/test/drive.py)"
"$PYTHON" -m deploy.test.drive \
  --public "$PUBLIC_URL" --internal "$INTERNAL_URL" \
  --cafile "$CAFILE" --public-env "$WORK/public.env" --internal-env "$WORK/internal.env"

step "page weight through nginx in Chromium: each applicant page within 14 KB, the median within 8 KB"
# Bytes, not time: what Chromium received for each page on a first visit, through the
# production server settings (compression, precompressed static files, the uncompressed
# receipt). Only here do nginx, TLS and those settings stand in front of the pages.
if command -v chromium >/dev/null 2>&1; then
  "$PYTHON" bench/page_weight.py --public "$PUBLIC_URL"
elif [ -n "${PORTAL_REQUIRE_BROWSER:-}" ]; then
  echo "FAILED: Chromium is required (PORTAL_REQUIRE_BROWSER) but not installed" >&2
  exit 1
else
  echo "skipped: no Chromium installed (apt-get install chromium)"
fi

step "the logs: no refused grant, no error"
sleep 4  # one more round of the worker's timers, after the decision
if grep -iE "permission denied|Traceback|\\[ERROR\\]| failed" "$WORK"/logs/{public,internal,worker}.log; then
  echo "FAILED: the processes logged the errors above" >&2
  exit 1
fi
echo "ok   no errors in the logs of the faces and the worker"
grep -c '"' "$WORK/logs/nginx-access.log" | xargs printf 'ok   %s requests through nginx\n'
