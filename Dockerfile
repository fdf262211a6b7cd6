# The retrospect GitHub Action: Debian's git and python3, retrospect in a venv, pinned by requirements.lock.
# Two stages: the first installs the lock (the build backend, hatchling, among it) and builds retrospect's
# wheel; the image keeps only the venv that runs it, made without pip and without the build backend.
FROM debian:bookworm-slim AS build

# Only for builds behind a TLS-intercepting proxy: a CA bundle path (mounted at build time) for pip.
# Unset or empty, pip keeps its own certificates.
ARG PIP_CERT=

# Debian's versions are not pinned: a stable release only gets security fixes, and old versions leave the mirror.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates python3 python3-venv \
    && rm -rf /var/lib/apt/lists/*

# The lock first: the dependency layer is rebuilt only when the lock changes. Its wheels, checked against
# the lock's hashes, go to /opt/wheels; the build venv gets the build backend from there.
COPY requirements.lock /opt/retrospect-src/requirements.lock
RUN python3 -m venv /opt/build \
    && if [ -z "$PIP_CERT" ]; then unset PIP_CERT; else export PIP_CERT; fi \
    && /opt/build/bin/pip download --no-cache-dir --disable-pip-version-check --require-hashes --no-deps \
        --only-binary=:all: --dest /opt/wheels -r /opt/retrospect-src/requirements.lock \
    && /opt/build/bin/pip install --no-cache-dir --disable-pip-version-check --no-index --find-links /opt/wheels \
        hatchling

COPY pyproject.toml README.md LICENSE /opt/retrospect-src/
COPY reporter /opt/retrospect-src/reporter
# retrospect's wheel, then the runtime venv: retrospect and what it needs, from the checked wheels only (no
# index), so the build backend and its own dependencies stay out; the venv has no pip.
RUN /opt/build/bin/pip wheel --no-cache-dir --disable-pip-version-check --no-index --no-deps --no-build-isolation \
        --wheel-dir /opt/wheels /opt/retrospect-src \
    && python3 -m venv --without-pip /opt/retrospect \
    && /opt/build/bin/pip --python /opt/retrospect/bin/python install --no-cache-dir --disable-pip-version-check \
        --no-index --find-links /opt/wheels retrospect-kernel-stats

FROM debian:bookworm-slim

# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates git python3 \
    && rm -rf /var/lib/apt/lists/*

COPY --from=build /opt/retrospect /opt/retrospect
RUN /opt/retrospect/bin/retrospect --version

ENTRYPOINT ["/opt/retrospect/bin/retrospect", "action"]
