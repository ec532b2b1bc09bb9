# syntax=docker/dockerfile:1
# Microblog image: `docker build -t microblog .`, then see docker-compose.yml.
# Three stages: front-end assets (node), Python wheels and compiled catalogues (build), and a slim
# runtime that has neither node, pip caches nor build tools and runs as an unprivileged user.
# Base images are pinned by exact tag; bump them deliberately (and rebuild) for security fixes.
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

# --- moment.js from package-lock.json (the site serves every asset itself: no CDN) ---
FROM node:22.14.0-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error \
 && mkdir -p /out \
 && cp node_modules/moment/min/moment-with-locales.min.js /out/

# --- wheels for every pinned requirement, installed into a venv; .mo catalogues ---
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
# Every requirement ships a wheel or is pure Python; if one ever needs a compiler, install it here:
# this stage is thrown away, so build tools never reach the final image.
WORKDIR /src
COPY requirements.txt ./
RUN pip wheel --wheel-dir /wheels -r requirements.txt \
 && python -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-index --find-links /wheels -r requirements.txt
COPY app/translations app/translations
RUN /opt/venv/bin/pybabel compile -d app/translations

# --- runtime ---
FROM ${PYTHON_IMAGE}
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    FLASK_APP=microblog.py \
    LOG_TO_STDOUT=1 \
    UPLOAD_DIR=/data/uploads \
    HOST=0.0.0.0 \
    PORT=8000
RUN groupadd --system --gid 10001 microblog \
 && useradd --system --uid 10001 --gid microblog --home-dir /home/microblog --create-home microblog \
 && mkdir -p /data/uploads \
 && chown -R microblog:microblog /data
WORKDIR /srv/microblog
COPY --from=build /opt/venv /opt/venv
# Code is owned by root and read-only for the app user; only the catalogues (boot.sh recompiles them)
# and /data (a SQLite file, if you use one: DATABASE_URL=sqlite:////data/app.db; the images on posts,
# UPLOAD_DIR=/data/uploads, unless S3_BUCKET is set) are writable.
COPY app app
COPY migrations migrations
COPY microblog.py config.py babel.cfg .flaskenv gunicorn.conf.py boot.sh ./
COPY --from=build --chown=microblog:microblog /src/app/translations app/translations
COPY --from=assets /out/moment-with-locales.min.js app/static/vendor/moment/moment-with-locales.min.js
USER microblog
EXPOSE 8000
# No curl in the image: Python asks /healthz, which is 200 only while the database is reachable.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)"]
CMD ["./boot.sh"]
