"""Gunicorn settings for Microblog (`gunicorn -c gunicorn.conf.py microblog:app`, run by boot.sh).

Every value can be changed through the environment, so one image or checkout serves a laptop, a
single box behind nginx and a container fleet alike.
"""

import multiprocessing
import os
from pathlib import Path

from dotenv import dotenv_values


def _int(name: str, default: int) -> int:
    """Return an integer environment variable, failing with a message that names it."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise SystemExit(f"gunicorn.conf.py: {name} must be a whole number, got {value!r}") from None


# Address: HOST (127.0.0.1, i.e. only nginx on this machine can connect; the container image sets
# 0.0.0.0) and PORT (8000). BIND replaces both, e.g. BIND=unix:/run/microblog/gunicorn.sock.
bind = [os.environ.get("BIND") or f"{os.environ.get('HOST', '127.0.0.1')}:{_int('PORT', 8000)}"]

# Synchronous workers: 2 x cores + 1 unless WEB_CONCURRENCY says otherwise. Each worker is a separate
# process with its own database pool; sessions are signed cookies, so any worker serves any request.
workers = _int("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1)
# A request that runs longer than this is killed (exports run in the background, not in a request).
timeout = _int("GUNICORN_TIMEOUT", 60)
# On SIGTERM, workers get this long to finish the requests they are serving before they are killed.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = 5
# Recycle workers now and then so that a slow leak in a library cannot grow without bound, but
# rarely: a restarting worker's queued requests wait for its replacement to start (at 2,000, workers
# restarted every few seconds under load and p99 reached 50 x p50). At 100,000 a worker serving 100
# requests a second restarts about every quarter of an hour; the jitter keeps them from restarting
# together, and `post_worker_init` warms each replacement before it accepts a connection.
max_requests = _int("GUNICORN_MAX_REQUESTS", 100_000)
max_requests_jitter = max_requests // 10

# Access log and errors go to stdout/stderr, where docker, systemd, supervisor and honcho collect them.
# With LOG_TO_STDOUT set (the container image sets it) the application writes its own `key=value`
# line per request there (app/web/request_log.py: status, duration, request id, user): gunicorn's
# access log would say the same a second time, so it is then off.
# The variable is read as config.py reads it: the environment first, then the project's .env.
log_to_stdout = os.environ.get("LOG_TO_STDOUT") or dotenv_values(Path(__file__).with_name(".env")).get("LOG_TO_STDOUT")
app_logs_requests = (log_to_stdout or "").strip().lower() in {"1", "true", "yes", "on"}
accesslog = None if app_logs_requests else "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s" request_id=%({x-request-id}o)s'

# Which front ends may set X-Forwarded-Proto (and so mark a request as HTTPS). The default trusts
# only a proxy on the same machine (nginx in deployment/nginx/microblog.conf). In a container network
# the proxy has another address: set FORWARDED_ALLOW_IPS to it (an address or CIDR such as
# 172.16.0.0/12). "*" trusts everyone, which is only safe when nothing else can reach gunicorn.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Gunicorn 25+ opens a control socket at ~/.gunicorn/gunicorn.ctl by default: two servers on one host
# would fight over it and a read-only home breaks start-up. Opt in with GUNICORN_CONTROL_SOCKET=path.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
else:
    control_socket_disable = True

# Worker heartbeats on a RAM disk when there is one (a disk-backed /tmp can stall workers in containers).
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"


def post_worker_init(worker):
    """Warm a new worker (templates, catalogues, a database connection) before it accepts requests."""
    from app.web.warmup import warm_up  # noqa: PLC0415 (the worker has just imported the app)

    warm_up(worker.wsgi)
