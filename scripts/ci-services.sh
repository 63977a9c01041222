#!/usr/bin/env bash
# Install and start what the web and report tests need on a fresh Debian machine.
#
# Run as root. Idempotent: running it twice changes nothing the second time.
#   - Debian's chromium (the Playwright test launches /usr/bin/chromium; no browser download)
#   - Debian's PostgreSQL, started, with a role and a database for the tests
#   - the system libraries WeasyPrint needs (Pango, HarfBuzz, fonts)
#   - poppler-utils (pdftoppm: the report tests render PDF pages to images)
#   - Debian's Java 17 runtime (openjdk-17-jre-headless) for the Spark screening engine
# The last line on stdout is the database URL; CI exports it as MGPN_TEST_POSTGRES_URL:
#   export MGPN_TEST_POSTGRES_URL="$(scripts/ci-services.sh | tail -n 1)"
set -euo pipefail

PG_ROLE="${MGPN_PG_ROLE:-mgpn_test}"
PG_PASSWORD="${MGPN_PG_PASSWORD:-mgpn_test}"
PG_DB="${MGPN_PG_DB:-mgpn_test}"
PG_PORT="${MGPN_PG_PORT:-5432}"

log() { echo "ci-services: $*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
  log "run me as root (I install Debian packages and start PostgreSQL)"
  exit 1
fi

need=()
for pkg in chromium postgresql fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b poppler-utils \
  openjdk-17-jre-headless; do  # Java: PySpark for `mgpn screen --engine spark`
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ "${#need[@]}" -gt 0 ]; then
  log "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
else
  log "Debian packages already installed"
fi
test -x /usr/bin/chromium || { log "/usr/bin/chromium is missing after install"; exit 1; }

# Start the (first) PostgreSQL cluster Debian created; create one if there is none.
version="$(pg_lsclusters -h | awk 'NR==1 {print $1}')"
cluster="$(pg_lsclusters -h | awk 'NR==1 {print $2}')"
if [ -z "$version" ]; then
  version="$(ls /usr/lib/postgresql | sort -n | tail -n 1)"
  cluster=main
  log "creating cluster $version/$cluster"
  pg_createcluster "$version" "$cluster" --port "$PG_PORT" >&2
fi
if ! pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1==v && $2==c {print $4}' | grep -q online; then
  log "starting PostgreSQL $version/$cluster"
  pg_ctlcluster "$version" "$cluster" start >&2
fi
PG_PORT="$(pg_lsclusters -h | awk -v v="$version" -v c="$cluster" '$1==v && $2==c {print $3}')"

for _ in $(seq 1 30); do
  su postgres -c "pg_isready -q -p $PG_PORT" && break
  sleep 1
done

psql_admin() { su postgres -c "psql -p $PG_PORT -v ON_ERROR_STOP=1 -qtA -c \"$1\""; }
if [ "$(psql_admin "SELECT 1 FROM pg_roles WHERE rolname='$PG_ROLE'")" != "1" ]; then
  log "creating role $PG_ROLE"
  psql_admin "CREATE ROLE $PG_ROLE LOGIN PASSWORD '$PG_PASSWORD'" >&2
fi
if [ "$(psql_admin "SELECT 1 FROM pg_database WHERE datname='$PG_DB'")" != "1" ]; then
  log "creating database $PG_DB"
  psql_admin "CREATE DATABASE $PG_DB OWNER $PG_ROLE" >&2
fi

echo "postgresql+psycopg://$PG_ROLE:$PG_PASSWORD@127.0.0.1:$PG_PORT/$PG_DB"
