#!/usr/bin/env bash
# Installs the real peers the interoperability tests run against: redis-server, redis-sentinel
# and redis-tools (the Sentinel failover tests), openssl (the TLS tests make their certificates with it),
# rabbitmq-server and nats-server (Debian), prometheus, chromium and chromium-driver (Debian; the
# observability tests), and Python taskiq, taskiq-redis, taskiq-aio-pika, taskiq-nats (with nats-py),
# pyzmq, opentelemetry-sdk, taskiq-dashboard, selenium and taskiq-pipelines (PyPI) in .venv at the package root.
# Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-sentinel >/dev/null 2>&1 \
    || ! command -v redis-cli >/dev/null 2>&1 || ! command -v openssl >/dev/null 2>&1; then
    echo "installing redis-server, redis-sentinel, redis-tools and openssl" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server redis-sentinel redis-tools openssl >/dev/null
fi

# Debian's postinst tries to start the node through invoke-rc.d; where policy-rc.d forbids it
# (containers) nothing starts, which is what the tests want: they start private nodes.
if [ ! -x /usr/lib/rabbitmq/bin/rabbitmq-server ]; then
    echo "installing rabbitmq-server" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server >/dev/null
fi

# The tests start private servers (nats-server 2.9.10 in Debian 12); nothing needs to run as a service.
if ! command -v nats-server >/dev/null 2>&1 && [ ! -x /usr/sbin/nats-server ]; then
    echo "installing nats-server" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nats-server >/dev/null
fi

# The observability tests: a real Prometheus scrapes the workers, and headless Chromium (driven by
# selenium through chromedriver) reads taskiq-dashboard's page.
if ! command -v prometheus >/dev/null 2>&1 || ! command -v chromium >/dev/null 2>&1 \
    || ! command -v chromedriver >/dev/null 2>&1; then
    echo "installing prometheus, chromium and chromium-driver" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus chromium chromium-driver >/dev/null
fi

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import taskiq, taskiq_redis, taskiq_aio_pika, taskiq_nats, zmq, opentelemetry.sdk, taskiq_dashboard, granian, selenium, prometheus_client, psutil, taskiq_pipelines' 2>/dev/null; then
    echo "installing Python peers into .venv" >&2
    python3 -m venv .venv
    .venv/bin/pip install --quiet --disable-pip-version-check -r scripts/requirements-peers.txt
fi
