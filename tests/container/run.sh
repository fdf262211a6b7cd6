#!/bin/bash
# The container test: builds the action's image with buildah and runs its entrypoint in it
# (tests/container/test_container.py). Needs root; installs buildah, podman and debootstrap when missing.
# Exits non-zero on failure. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v buildah >/dev/null || ! command -v podman >/dev/null || ! command -v debootstrap >/dev/null; then
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q buildah podman debootstrap
fi

python=${PYTHON:-.venv/bin/python}
RETROSPECT_CONTAINER_TEST=1 exec "$python" -m pytest tests/container -q -p no:cacheprovider "$@"
