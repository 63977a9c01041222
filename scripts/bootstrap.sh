#!/usr/bin/env bash
# Create (once) the project's virtual environment in .venv and install mgpn into it.
# Sourced by quickstart.sh and test.sh; EXTRAS selects optional dependency groups.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-python3}"
if [ ! -x "$root/.venv/bin/python" ]; then
  "$python" -m venv "$root/.venv"
  "$root/.venv/bin/python" -m pip install --quiet --upgrade pip
fi
"$root/.venv/bin/python" -m pip install --quiet --disable-pip-version-check -e "$root${EXTRAS:+[$EXTRAS]}"
