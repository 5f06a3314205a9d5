#!/usr/bin/env bash
# Set up stormguard and run its main job on the built-in demo network.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/stormguard demo "$@"
