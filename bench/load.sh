#!/usr/bin/env bash
# Load benchmark: gunicorn on the scale database (bench/make_data.py), wrk on loopback, for each page of the issue's
# table, anonymous and logged in; prints req/s, p50, p99, errors and each page's ratio to /healthz in the same run.
#
#   DATABASE_URL=postgres://root@127.0.0.1:5432/shortscience_scale bench/load.sh
#   DURATION=10s CONNECTIONS=32 WORKERS=5 WORKER_CLASS=sync bench/load.sh      # the knobs, with their defaults below
#   REDIS_URL=redis://127.0.0.1:6379/3 bench/load.sh     # the shared cache, as deployed (else one per worker)
#   WORKER_CLASS=gthread GUNICORN_THREADS=4 WORKERS=3 bench/load.sh
#
# Targets (issue 9): anonymous pages >= 0.7 x /healthz, logged-in >= 0.3 x, p99 < 100 ms, zero errors.
# Only loopback is loaded, for a bounded time; the server is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?set DATABASE_URL to the scale database made by bench/make_data.py}"
DURATION=${DURATION:-30s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
WORKERS=${WORKERS:-$(( $(nproc) * 2 + 1 ))}
WORKER_CLASS=${WORKER_CLASS:-sync}
GUNICORN_THREADS=${GUNICORN_THREADS:-1}
PORT=${PORT:-8199}
PY=${PY:-.venv/bin/python}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk"; exit 2; }

export DEBUG=0 ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=0 SECURE_HSTS_SECONDS=0
export SECRET_KEY=${SECRET_KEY:-load-bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz}
tmp=$(mktemp -d)
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

$PY bench/load_targets.py > "$tmp/targets"
cookie=$(awk -F'\t' '$1 == "cookie" {print $2}' "$tmp/targets")
$PY manage.py collectstatic --noinput -v0

.venv/bin/gunicorn shortscience.wsgi --bind "127.0.0.1:$PORT" --workers "$WORKERS" --worker-class "$WORKER_CLASS" \
  --threads "$GUNICORN_THREADS" --log-level warning > "$tmp/gunicorn.log" 2>&1 &
server=$!
for _ in $(seq 1 60); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.5; done
echo "gunicorn: $WORKERS $WORKER_CLASS workers x $GUNICORN_THREADS threads; cache: ${REDIS_URL:-per-process memory};" \
  "wrk: $THREADS threads, $CONNECTIONS connections, $DURATION per page"

# One wrk run: prints "req/s p50 p99 errors" (latencies in ms).
measure() {
  local path=$1 header=${2:-}
  local args=(-t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" --latency)
  [ -n "$header" ] && args+=(-H "$header")
  curl -s -o /dev/null ${header:+-H "$header"} "http://127.0.0.1:$PORT$path"  # warm up
  wrk "${args[@]}" "http://127.0.0.1:$PORT$path" | awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx or 3xx/ { errors += $NF }
    /Socket errors/ { gsub(",", ""); errors += $4 + $6 + $8 + $10 }
    END { printf "%.1f %.1f %.1f %d\n", rps, p50, p99, errors }'
}

printf "%-28s %-6s %9s %8s %8s %7s %7s  %s\n" page who req/s p50_ms p99_ms errors ratio target
for who in anonymous logged-in; do
  header=""; [ "$who" = logged-in ] && header="Cookie: $cookie"
  base=""
  while IFS=$'\t' read -r name path; do
    [ "$name" = cookie ] && continue
    read -r rps p50 p99 errors < <(measure "$path" "$header")
    [ "$name" = healthz ] && base=$rps
    ratio=$(awk -v a="$rps" -v b="$base" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }')
    # The issue's targets: anonymous >= 0.7 x /healthz, logged in >= 0.3 x, p99 < 100 ms, no errors.
    want=0.7; [ "$who" = logged-in ] && want=0.3
    verdict=$(awk -v r="$ratio" -v w="$want" -v p="$p99" -v e="$errors" -v n="$name" 'BEGIN {
      if (n == "healthz") { print "-"; exit }
      out = ""; if (r < w) out = out " ratio<" w; if (p >= 100) out = out " p99>=100"; if (e > 0) out = out " errors"
      print (out == "") ? "met" : "missed:" out }')
    printf "%-28s %-6s %9s %8s %8s %7s %7s  %s\n" "$name" "${who:0:6}" "$rps" "$p50" "$p99" "$errors" "$ratio" "$verdict"
  done < "$tmp/targets"
done
