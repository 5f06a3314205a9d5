#!/usr/bin/env bash
# Set up stormguard on a fresh Debian machine: system packages, a virtualenv in .venv, the
# package with its test extras. Idempotent; safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

SYSTEM_PACKAGES=(openvswitch-switch chromium tcpdump libpcap0.8 iproute2 ethtool procps prometheus-alertmanager lldpd bsdutils openssl)
missing=()
for p in "${SYSTEM_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "setup: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "setup: not root, cannot install ${missing[*]}; tests that need them will say so" >&2
  fi
fi

PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip setuptools wheel 2>&1 | grep -v '^WARNING: Location' || true
.venv/bin/python -m pip install -q -e ".[test]" 2>&1 | grep -vE '^WARNING: Location|^\s*$' || true
.venv/bin/python -c "import stormguard" # fail loudly if the install did not work
