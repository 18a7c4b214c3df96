#!/usr/bin/env bash
# Installs the test tools the project needs into places it owns (.venv), idempotently: a re-run with the
# same requirements does nothing. Called by `npm test` (and so by .ci/run) and by `npm start`.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf 'setup-tools: %s\n' "$*" >&2; }

requirements=test/requirements.txt
# uv (PyPI, pinned) installs the requirements: the same versions pip resolves (compared: one patch release
# of a transitive dependency apart, by date), in 2 s instead of pip's 65 s on CI's clean machine.
uv_version=0.13.9
stamp=.venv/.requirements.sha256
want="$( (cat "$requirements"; echo "uv==$uv_version") | sha256sum | cut -d ' ' -f 1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x .venv/bin/python ]; then
  log ".venv up to date"
else
  started=$SECONDS
  log "creating .venv from $requirements"
  rm -rf .venv
  python3 -m venv .venv
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-input "uv==$uv_version"
  .venv/bin/uv pip install --quiet --python .venv/bin/python -r "$requirements"
  printf '%s\n' "$want" > "$stamp"
  log ".venv ready in $((SECONDS - started)) s"
fi
# --python-only: the local rehearsal without --kafka needs no Kafka jars or haproxy.
if [ "${1:-}" != --python-only ]; then
  bash scripts/setup-kafka.sh
fi
