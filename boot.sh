#!/usr/bin/env bash
# Start Microblog in production: wait for the database, migrate, compile the catalogues, serve.
#
# Python: $PYTHON if set, else the first `python3`/`python` on PATH that has the app's dependencies
# (the container's, or a venv's when its bin/ is first on PATH), else ./.venv/bin/python. Every tool
# runs as `$PYTHON -m ...`, so the same interpreter migrates and serves.
#
# Settings (environment or .env): DATABASE_URL, SECRET_KEY, ... (see .env.example);
# BOOT_DB_RETRIES (30) attempts BOOT_DB_DELAY (2) seconds apart to reach the database;
# BOOT_MIGRATE (1; 0 skips `flask db upgrade`);
# PORT, HOST, WEB_CONCURRENCY, FORWARDED_ALLOW_IPS for gunicorn (see gunicorn.conf.py).
set -euo pipefail
cd "$(dirname "$0")"

fail() { echo "boot.sh: $*" >&2; exit 1; }

has_deps() { "$1" -c 'import flask, gunicorn, sqlalchemy' >/dev/null 2>&1; }

if [ -z "${PYTHON:-}" ]; then
  for candidate in python3 python; do
    if command -v "$candidate" >/dev/null && has_deps "$candidate"; then PYTHON=$(command -v "$candidate"); break; fi
  done
fi
if [ -z "${PYTHON:-}" ] && [ -x .venv/bin/python ]; then PYTHON=.venv/bin/python; fi
[ -n "${PYTHON:-}" ] && has_deps "$PYTHON" \
  || fail "no Python with the requirements installed (run 'make setup' or set PYTHON=/path/to/python)"
export FLASK_APP="${FLASK_APP:-microblog.py}"

# Bounded wait for the database: a clear error and exit status 1 after the last attempt.
BOOT_DB_RETRIES="${BOOT_DB_RETRIES:-30}" BOOT_DB_DELAY="${BOOT_DB_DELAY:-2}" "$PYTHON" - <<'PY' || exit 1
import os
import sys
import time

import sqlalchemy as sa

from config import Config, ConfigError  # noqa: F401  (importing Config validates the environment)

retries = int(os.environ["BOOT_DB_RETRIES"])
delay = float(os.environ["BOOT_DB_DELAY"])
url = sa.engine.make_url(Config.SQLALCHEMY_DATABASE_URI)
shown = url.render_as_string(hide_password=True)
connect_args = {} if url.get_backend_name() == "sqlite" else {"connect_timeout": 5}
engine = sa.create_engine(url, connect_args=connect_args, poolclass=sa.pool.NullPool)
for attempt in range(1, retries + 1):
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        break
    except Exception as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        print(f"boot.sh: database {shown} not ready ({attempt}/{retries}): {reason[:200]}", file=sys.stderr)
        if attempt < retries:
            time.sleep(delay)
else:
    sys.exit(f"boot.sh: giving up: the database {shown} is unreachable after {retries} attempts")
PY

# BOOT_MIGRATE=0 skips the migrations, for extra replicas when one release step migrates (see
# docker-compose.yml's `migrate` service): two processes upgrading at once could collide.
if [ "${BOOT_MIGRATE:-1}" != "0" ]; then
  "$PYTHON" -m flask db upgrade
fi
"$PYTHON" -m flask translate compile
exec "$PYTHON" -m gunicorn --config gunicorn.conf.py microblog:app
