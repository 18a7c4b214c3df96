#!/usr/bin/env bash
# Installs what the real-Kafka tests (test/kafka) need, idempotently:
#   1. Apache Kafka's jars (broker, storage tool, command-line tools' classes, a log4j binding) from Maven
#      Central into .cache/kafka-<version>/libs, through `mvn dependency:copy-dependencies` on
#      test/kafka/pom.xml. A stamp (the pom's SHA-256) makes a re-run with the same pom do nothing.
#   2. haproxy (the NLB stand-in) from Debian with apt-get, if no haproxy is on PATH.
#   3. The class-data-sharing archives of the harness's JVMs (scripts/setup-cds.ts, test/kafka/cds.ts).
# Called by scripts/setup-tools.sh (so by `npm test` and CI). Needs Java 17 and Maven on the machine.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf 'setup-kafka: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

started=$SECONDS
pom=test/kafka/pom.xml
version="$(sed -n 's|.*<kafka.version>\(.*\)</kafka.version>.*|\1|p' "$pom")"
[ -n "$version" ] || die "no <kafka.version> in $pom"
home=".cache/kafka-$version"
stamp="$home/.pom.sha256"
want="$(sha256sum "$pom" | cut -d ' ' -f 1)"

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -f "$home/libs/kafka_2.13-$version.jar" ]; then
  log "Kafka $version jars up to date in $home/libs"
else
  command -v java > /dev/null 2>&1 || die "java is not on PATH (Java 17 expected)"
  command -v mvn > /dev/null 2>&1 || die "mvn is not on PATH (Maven expected)"
  log "fetching Kafka $version jars from Maven Central into $home/libs"
  rm -rf -- "$home/libs.partial"
  mkdir -p -- "$home"
  mvn --batch-mode --no-transfer-progress -Dstyle.color=never -f "$pom" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$PWD/$home/libs.partial" \
    > "$home/mvn.log" 2>&1 || { tail -n 40 "$home/mvn.log" >&2; die "mvn failed (log: $home/mvn.log)"; }
  [ -f "$home/libs.partial/kafka_2.13-$version.jar" ] || die "kafka_2.13-$version.jar missing after mvn"
  rm -rf -- "$home/libs"
  mv -- "$home/libs.partial" "$home/libs"
  printf '%s\n' "$want" > "$stamp"
  log "$(find "$home/libs" -name '*.jar' | wc -l) jars in $home/libs"
fi

if command -v haproxy > /dev/null 2>&1; then
  log "haproxy present: $(haproxy -v 2>&1 | head -n 1)"
else
  [ "$(id -u)" = 0 ] || die "haproxy is not on PATH and installing it needs root (apt-get install haproxy)"
  log "installing haproxy with apt-get"
  apt_log="$(mktemp)"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends haproxy; } \
    > "$apt_log" 2>&1 || { tail -n 40 "$apt_log" >&2; die "apt-get failed"; }
  rm -f -- "$apt_log"
  command -v haproxy > /dev/null 2>&1 || die "haproxy still not on PATH after apt-get install"
  log "haproxy installed: $(haproxy -v 2>&1 | head -n 1)"
fi

node_modules/.bin/tsx scripts/setup-cds.ts "$home/libs"

log "done in $((SECONDS - started)) s"
