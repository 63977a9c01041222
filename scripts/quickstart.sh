#!/usr/bin/env bash
# Quick start, part 1: install mgpn and evaluate a bundled example case.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/bootstrap.sh"
"$root/.venv/bin/mgpn" evaluate "$root/src/mgpn/examples/anti-mag-neuropathy.yaml" "$@"
