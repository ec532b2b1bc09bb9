#!/usr/bin/env bash
# Start the local services the tests use when they are down, and install Chromium if missing.
# Each start command is the one this machine's documentation gives; failures are reported,
# and the tests that need a missing service then fail (CI) or skip (locally) naming it.
set -u

up() { timeout 3 bash -c "</dev/tcp/127.0.0.1/$1" 2>/dev/null; }

if ! up 5432 && command -v pg_ctlcluster >/dev/null; then
  echo "starting PostgreSQL"; pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
fi
if ! up 6379 && command -v redis-server >/dev/null; then
  echo "starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
fi
if ! up 3306 && command -v mariadbd >/dev/null; then
  echo "starting MariaDB"; start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd || true
fi
if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null; then
  echo "installing Debian's chromium"
  export DEBIAN_FRONTEND=noninteractive
  (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) || echo "could not install chromium"
fi
for port in 5432 6379 3306; do
  for _ in $(seq 1 20); do up "$port" && break; sleep 0.5; done
  up "$port" || echo "warning: nothing listens on 127.0.0.1:$port"
done
exit 0
