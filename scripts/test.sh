#!/usr/bin/env bash
# Quick start, part 2: install mgpn with its test tools and run the whole test suite:
# ruff, mypy, then pytest. As root on Debian it first installs and starts what the
# browser and database tests need (Chromium, PostgreSQL); elsewhere those tests skip
# and say why. CI runs exactly this script (.ci/run).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
EXTRAS=test bash scripts/bootstrap.sh
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null && [ -f scripts/ci-services.sh ]; then
  # ci-services.sh prints the PostgreSQL URL for the tests on its last line.
  MGPN_TEST_POSTGRES_URL="$(bash scripts/ci-services.sh | tail -n 1)"
  export MGPN_TEST_POSTGRES_URL
fi
. .venv/bin/activate
echo "== ruff"
ruff check src tests benchmarks
echo "== mypy"
mypy
echo "== pytest"
python -m pytest -q -p no:cacheprovider "$@"
