#!/usr/bin/env bash
# Several app servers, one database: two gunicorn instances (A and B) behind nginx on loopback, sharing Postgres and
# Redis, with the job worker when there is one. bench/cluster_drive.py logs users in through nginx, checks their
# sessions on A and B, the shared page cache and the shared log-in rate limit, then writes (summaries, votes,
# comments) and reads through nginx; meanwhile this script SIGKILLs gunicorn A (master and workers) and restarts
# it. At the end the driver looks up every acknowledged write in Postgres; exit status 1 if one is missing.
# With --replica, Postgres is a primary and a streaming replica of it started for the run (and dropped after),
# the app servers read the read-only pages from the replica (DATABASE_REPLICA_URL: shortscience/db_router.py).
#
#   bench/cluster.sh [--fresh] [--replica]   # --fresh: drop and recreate the database first
#                                            # --replica: a new primary + replica on ports 8521 and 8522
#   DATABASE_URL=postgres://root@127.0.0.1:5432/ss_cluster REDIS_URL=redis://127.0.0.1:6379/7 \
#   THREADS=8 DURATION=30 KILL_AT=10 RESTART_AT=20 WORKERS=3 STOP=kill bench/cluster.sh   # the knobs, defaults
#
# RESTART_AT=0 leaves A dead. STOP=term stops A with SIGTERM (gunicorn finishes the requests it has accepted) instead
# of SIGKILL; STOP=drain as a release should: A marked down in nginx (reload), 3 s later SIGTERM, back in after. The Redis database of REDIS_URL is flushed at the start: give it one of its own.
# Everything listens on 127.0.0.1 only (ports 8501, 8511, 8512; 8521, 8522) and is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
FRESH=0
REPLICA=0
for arg in "$@"; do
  case $arg in
    --fresh) FRESH=1 ;;
    --replica) REPLICA=1 ;;
    *) echo "usage: bench/cluster.sh [--fresh] [--replica]"; exit 2 ;;
  esac
done
if [ "$REPLICA" = 1 ]; then
  export DATABASE_URL=postgres://root@127.0.0.1:8521/ss_cluster
  export DATABASE_REPLICA_URL=postgres://root@127.0.0.1:8522/ss_cluster
fi
export DATABASE_URL=${DATABASE_URL:-postgres://root@127.0.0.1:5432/ss_cluster}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/7}
THREADS=${THREADS:-8}
DURATION=${DURATION:-30}
KILL_AT=${KILL_AT:-10}
RESTART_AT=${RESTART_AT:-20}
STOP=${STOP:-kill}
WORKERS=${WORKERS:-3}
PROXY_PORT=${PROXY_PORT:-8501}
A_PORT=${A_PORT:-8511}
B_PORT=${B_PORT:-8512}
PY=${PY:-.venv/bin/python}
command -v nginx >/dev/null || { echo "nginx is needed: apt-get install nginx"; exit 2; }

export DEBUG=0 ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=0 SECURE_HSTS_SECONDS=0 TRUSTED_PROXY_COUNT=1
export SECRET_KEY=${SECRET_KEY:-cluster-bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz}
export SITE_URL="http://127.0.0.1:$PROXY_PORT" LOG_LEVEL=WARNING

tmp=$(mktemp -d)
chmod 755 "$tmp"  # nginx's workers (user nobody) write their temporary files under it
pids=()
PG=/usr/lib/postgresql/15/bin
pg_dirs=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  for dir in "${pg_dirs[@]}"; do
    runuser -u postgres -- "$PG/pg_ctl" -D "$dir" stop -m fast >/dev/null 2>&1 || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT

# --- With --replica: a primary and a streaming replica of it, in the temporary directory --------------------
if [ "$REPLICA" = 1 ]; then
  mkdir "$tmp/pg"
  chown postgres "$tmp/pg"  # Postgres refuses to run as root
  runuser -u postgres -- "$PG/initdb" -D "$tmp/pg/primary" -U root --auth=trust -E UTF8 >/dev/null
  printf "port = 8521\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\n" "$tmp/pg" \
    >> "$tmp/pg/primary/postgresql.conf"
  runuser -u postgres -- "$PG/pg_ctl" -D "$tmp/pg/primary" -l "$tmp/pg/primary.log" -w start >/dev/null
  pg_dirs+=("$tmp/pg/primary")
  runuser -u postgres -- "$PG/pg_basebackup" -h 127.0.0.1 -p 8521 -U root -D "$tmp/pg/replica" -R  # -R: a standby
  sed -i 's/^port = 8521/port = 8522/' "$tmp/pg/replica/postgresql.conf"
  runuser -u postgres -- "$PG/pg_ctl" -D "$tmp/pg/replica" -l "$tmp/pg/replica.log" -w start >/dev/null
  pg_dirs+=("$tmp/pg/replica")
  echo "postgres: primary on 127.0.0.1:8521, streaming replica on 127.0.0.1:8522 (DATABASE_REPLICA_URL)"
fi

# --- The database and the shared cache ------------------------------------------------------------------------
db=${DATABASE_URL##*/}
admin_url=${DATABASE_URL%/*}/postgres
exists=$(psql "$admin_url" -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")
if [ "$FRESH" = 1 ] && [ "$exists" = 1 ]; then
  psql "$admin_url" -qc "DROP DATABASE \"$db\" WITH (FORCE)"
  exists=""
fi
[ "$exists" = 1 ] || { psql "$admin_url" -qc "CREATE DATABASE \"$db\""; echo "database $db created"; }
$PY manage.py migrate --noinput -v0
$PY manage.py seed_demo | tail -1
$PY bench/cluster_drive.py setup --users "$THREADS"
$PY manage.py collectstatic --noinput -v0
redis-cli -u "$REDIS_URL" FLUSHDB >/dev/null
echo "redis: $REDIS_URL flushed"

# --- Two app servers, a worker, nginx ------------------------------------------------------------------------
start_app() {  # start_app NAME PORT: gunicorn in the background, its master's pid in $app_pid
  .venv/bin/gunicorn shortscience.wsgi --bind "127.0.0.1:$2" --workers "$WORKERS" --log-level warning \
    >> "$tmp/gunicorn-$1.log" 2>&1 &
  app_pid=$!
  pids+=($app_pid)
  for _ in $(seq 1 100); do
    curl -sf -o /dev/null "http://127.0.0.1:$2/healthz" && return 0
    sleep 0.1
  done
  echo "gunicorn $1 did not answer on port $2:"; cat "$tmp/gunicorn-$1.log"; exit 1
}
start_app A "$A_PORT"
a_pid=$app_pid
start_app B "$B_PORT"
echo "gunicorn A on 127.0.0.1:$A_PORT, B on 127.0.0.1:$B_PORT: $WORKERS sync workers each"

if $PY manage.py help db_worker >/dev/null 2>&1; then
  $PY manage.py db_worker > "$tmp/worker.log" 2>&1 &
  pids+=($!)
  echo "job worker: manage.py db_worker (pid $!)"
else
  echo "no job worker (django-tasks not installed)"
fi

# The loopback version of deploy/nginx.conf: no TLS, and an X-Upstream header that tells the driver which app
# server answered ("A, B" when nginx moved the request on).
mkdir -p "$tmp/nginx"
cat > "$tmp/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $tmp/nginx/body;
  proxy_temp_path $tmp/nginx/proxy;
  fastcgi_temp_path $tmp/nginx/fastcgi;
  uwsgi_temp_path $tmp/nginx/uwsgi;
  scgi_temp_path $tmp/nginx/scgi;
  upstream shortscience {
    server 127.0.0.1:$A_PORT max_fails=1 fail_timeout=5s;
    server 127.0.0.1:$B_PORT max_fails=1 fail_timeout=5s;
  }
  server {
    listen 127.0.0.1:$PROXY_PORT;
    location / {
      proxy_pass http://shortscience;
      proxy_set_header Host \$http_host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_next_upstream error timeout;
      proxy_connect_timeout 2s;
      add_header X-Upstream \$upstream_addr always;
    }
  }
}
EOF
nginx -c "$tmp/nginx.conf" -p "$tmp" -e "$tmp/nginx-error.log" &
pids+=($!)
for _ in $(seq 1 50); do curl -sf -o /dev/null "http://127.0.0.1:$PROXY_PORT/healthz" && break; sleep 0.1; done
echo "nginx on 127.0.0.1:$PROXY_PORT: round robin over A and B, proxy_next_upstream error timeout"
echo

# --- The run: the driver in the background, A killed and restarted on cue -----------------------------------
$PY bench/cluster_drive.py run --proxy "http://127.0.0.1:$PROXY_PORT" --app-a "http://127.0.0.1:$A_PORT" \
  --app-b "http://127.0.0.1:$B_PORT" --state "$tmp" --threads "$THREADS" --duration "$DURATION" \
  --wait-restart "$( [ "$RESTART_AT" -gt 0 ] && echo 30 || echo 0 )" &
driver=$!
pids+=($driver)
while [ ! -e "$tmp/writing-started" ]; do
  kill -0 "$driver" 2>/dev/null || { wait "$driver"; exit $?; }
  sleep 0.1
done
sleep "$KILL_AT"
since_start() { awk -v now="$(date +%s.%N)" -v t0="$(cat "$tmp/writing-started")" 'BEGIN { printf "+%.1f s", now - t0 }'; }
workers=$(pgrep -P "$a_pid" | tr '\n' ' ')
nginx_reload() { nginx -c "$tmp/nginx.conf" -p "$tmp" -e "$tmp/nginx-error.log" -s reload; }
if [ "$STOP" = drain ]; then  # a release: out of nginx's upstream first, then stopped
  sed -i "s/server 127.0.0.1:$A_PORT max_fails=1 fail_timeout=5s;/server 127.0.0.1:$A_PORT down;/" "$tmp/nginx.conf"
  nginx_reload
  echo ">>> $(since_start): A marked down in nginx (reload)"
  sleep 3
fi
if [ "$STOP" = term ] || [ "$STOP" = drain ]; then  # gunicorn stops listening and lets its workers finish
  kill -TERM "$a_pid"
  date +%s.%N > "$tmp/a-killed"
  echo ">>> $(since_start): SIGTERM to gunicorn A (master $a_pid)"
  wait "$a_pid" || true
  echo ">>> $(since_start): gunicorn A stopped"
else
  exec 3>&2 2>/dev/null  # no "Killed" line from bash for its job
  kill -KILL "$a_pid" $workers
  date +%s.%N > "$tmp/a-killed"
  wait "$a_pid" || true
  exec 2>&3 3>&-
  echo ">>> $(since_start): SIGKILL to gunicorn A (master $a_pid, workers ${workers% })"
fi
if [ "$RESTART_AT" -gt 0 ]; then
  sleep $(( RESTART_AT - KILL_AT ))
  echo ">>> $(since_start): starting gunicorn A again"
  start_app A "$A_PORT"
  if [ "$STOP" = drain ]; then
    sed -i "s/server 127.0.0.1:$A_PORT down;/server 127.0.0.1:$A_PORT max_fails=1 fail_timeout=5s;/" "$tmp/nginx.conf"
    nginx_reload
  fi
  date +%s.%N > "$tmp/a-restarted"
  echo ">>> $(since_start): gunicorn A answering again"
fi
status=0
wait "$driver" || status=$?
exit "$status"
