#!/usr/bin/env bash
# Builds the TiCDC-shaped client check (test/sarama: Sarama, TiCDC's Kafka client, pinned by its go.mod and
# go.sum) into .cache/bin/ticdc-check, idempotently: a stamp (the sources' and the Go version's SHA-256) makes a
# re-run with the same sources do nothing. The modules come from the Go module proxy, checked against go.sum.
# Called by `npm run test:setup` (so by `npm test`, `npm run bench` and CI; `npm start` does not need it).
# Needs Go ≥ 1.26 on PATH or in /usr/local/go.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf 'setup-go: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

go_bin="$(command -v go || true)"
[ -n "$go_bin" ] || { [ -x /usr/local/go/bin/go ] && go_bin=/usr/local/go/bin/go; }
[ -n "$go_bin" ] || die "go is not on PATH nor in /usr/local/go/bin (Go 1.26 expected)"

src=test/sarama
out=.cache/bin/ticdc-check
stamp=.cache/bin/.ticdc-check.sha256
want="$( (cd "$src" && cat go.mod go.sum ./*.go; "$go_bin" version) | sha256sum | cut -d ' ' -f 1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$out" ]; then
  log "ticdc-check up to date in $out"
  exit 0
fi
started=$SECONDS
log "building $out from $src with $("$go_bin" version | cut -d ' ' -f 3)"
mkdir -p .cache/bin
# -mod=readonly: the build uses go.mod and go.sum as committed (it never rewrites them); GOTOOLCHAIN=local: the
# machine's own Go, never one downloaded for the go line.
(cd "$src" && GOTOOLCHAIN=local GOFLAGS=-mod=readonly "$go_bin" build -trimpath -o "../../$out.partial" .)
mv -f -- "$out.partial" "$out"
printf '%s\n' "$want" > "$stamp"
log "ticdc-check built in $((SECONDS - started)) s"
