# The retrospect GitHub Action: Debian's git and python3, retrospect in a venv, pinned by requirements.lock.
FROM debian:bookworm-slim

# Only for builds behind a TLS-intercepting proxy: a CA bundle path (mounted at build time) for pip.
# Unset or empty, pip keeps its own certificates.
ARG PIP_CERT=

# Debian's versions are not pinned: a stable release only gets security fixes, and old versions leave the mirror.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates git python3 python3-venv \
    && rm -rf /var/lib/apt/lists/*

# The lock first: the dependency layer is rebuilt only when the lock changes.
COPY requirements.lock /opt/retrospect-src/requirements.lock
RUN python3 -m venv /opt/retrospect \
    && if [ -z "$PIP_CERT" ]; then unset PIP_CERT; else export PIP_CERT; fi \
    && /opt/retrospect/bin/pip install --no-cache-dir --disable-pip-version-check --require-hashes \
        -r /opt/retrospect-src/requirements.lock

COPY pyproject.toml README.md LICENSE /opt/retrospect-src/
COPY reporter /opt/retrospect-src/reporter
# No build isolation: the build backend comes from the lock too, so nothing unpinned is fetched.
RUN if [ -z "$PIP_CERT" ]; then unset PIP_CERT; else export PIP_CERT; fi \
    && /opt/retrospect/bin/pip install --no-cache-dir --disable-pip-version-check --no-deps --no-build-isolation \
        /opt/retrospect-src \
    && /opt/retrospect/bin/retrospect --version

ENTRYPOINT ["/opt/retrospect/bin/retrospect", "action"]
