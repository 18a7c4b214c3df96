#!/usr/bin/env bash
# npm run package: the deployable stack packaged offline (osls with serverless-esbuild, .serverless/), with its
# temporary files in a directory of its own, removed afterwards whatever happens. serverless-esbuild zips each
# function from a directory `<function>-<pid>-<ms>-<hex>` it makes in the system's temporary directory, and its
# clean-up does not remove it: 41 directories (one per function) were left in /tmp by every package, so by
# every `npm test`.
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d "${TMPDIR:-/tmp}/kafka-plc-package.XXXXXX")"
trap 'rm -rf -- "$work"' EXIT
TMPDIR="$work" SLS_TELEMETRY_DISABLED=1 SLS_NOTIFICATIONS_MODE=off node_modules/.bin/osls package "$@"
