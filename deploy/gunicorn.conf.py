"""gunicorn settings of both faces: ``gunicorn --config deploy/gunicorn.conf.py wsgi:app``.

Every value comes from the environment (the face's EnvironmentFile), with defaults for
a web process behind nginx on the same host. Which face a process serves is the app's
setting (``PORTAL_FACES``), not gunicorn's.
"""

import multiprocessing
import os
from typing import Any

from gunicorn.glogging import Logger

from portal.core.request_log import SECRET_PATHS

# Loopback only: nginx in front terminates TLS, limits bodies and serves static files;
# nothing else may reach the app directly (docs/deployment.md).
bind = [os.environ.get("PORTAL_BIND", "127.0.0.1:8001")]
# Sync workers: each request holds one process, and a slow client is nginx's problem, not
# the app's, because nginx buffers requests and responses. Two per core is the usual start.
workers = int(os.environ.get("PORTAL_WEB_PROCESSES", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# An upload of 12 MiB is checked and encrypted in well under this; a request still running
# after it is stuck and its process is replaced.
timeout = int(os.environ.get("PORTAL_WEB_TIMEOUT", 60))
graceful_timeout = int(os.environ.get("PORTAL_WEB_GRACEFUL_TIMEOUT", 30))
keepalive = 5
# Replace each process now and then (jittered, so they do not all restart at once):
# whatever a long-lived process accumulates is dropped.
max_requests = int(os.environ.get("PORTAL_WEB_MAX_REQUESTS", 5000))
max_requests_jitter = max_requests // 10
# Each process builds its own app, so no database connection or Redis socket is shared
# across a fork.
preload_app = False
# The proxy whose X-Forwarded-Proto gunicorn believes; the client's address is taken by the
# app itself (PORTAL_TRUSTED_PROXIES), from the same proxy only.
forwarded_allow_ips = os.environ.get("PORTAL_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Headers and request lines past these are refused before the app sees them.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
# Files the services may create (the heartbeat files of the processes) are this user's only.
umask = 0o007
worker_tmp_dir = os.environ.get("PORTAL_WEB_TMP_DIR") or None
# gunicorn's runtime control socket (resizing, reloading) is not used: systemd and the
# environment file decide, and nothing else on the host should be able to.
control_socket_disable = True
proc_name = f"portal-{os.environ.get('PORTAL_FACES', 'portal').replace(',', '+')}"

errorlog = "-"
accesslog = "-" if os.environ.get("PORTAL_ACCESS_LOG", "1") == "1" else None
# No client address (personal data), no query string, no referrer or user agent: the
# method, the path, the status, the size and the time taken, which is what operations need.
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'


class PortalLogger(Logger):  # type: ignore[misc]
    """gunicorn's logger, with secrets taken out of the paths it writes (an enrolment
    link's: the portal's own rule, ``SECRET_PATHS``)."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        atoms["U"] = SECRET_PATHS.sub(r"\1…", atoms.get("U", ""))
        return atoms


logger_class = PortalLogger


def child_exit(_server: Any, worker: Any) -> None:
    """With Prometheus' multiprocess mode (PROMETHEUS_MULTIPROC_DIR set), forget the gauges
    of a process that ended, or they stay in the figures forever."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
