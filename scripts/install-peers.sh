#!/usr/bin/env bash
# Installs the real peers the interoperability tests run against: redis-server and openssl (the
# TLS tests make their certificates with it; Debian) and Python taskiq, taskiq-redis and pyzmq
# (PyPI) in .venv at the package root. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v redis-server >/dev/null 2>&1 || ! command -v openssl >/dev/null 2>&1; then
    echo "installing redis-server and openssl" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server openssl >/dev/null
fi

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import taskiq, taskiq_redis, zmq' 2>/dev/null; then
    echo "installing Python peers into .venv" >&2
    python3 -m venv .venv
    .venv/bin/pip install --quiet --disable-pip-version-check -r scripts/requirements-peers.txt
fi
