/**
 * The bash script SSM Run Command executes on a broker (AWS-RunShellScript). It is the only thing that
 * touches a broker, for provisioning and for a roll alike, and it is idempotent:
 *   1. installs a JDK and Kafka <version> if absent (download checked against Apache's SHA-512);
 *   2. writes server.properties and the systemd unit, keeping the previous file as *.previous;
 *   3. formats storage only if it was never formatted, and refuses a log dir of another cluster;
 *   4. restarts Kafka through systemd (SIGTERM: a controlled shutdown) only if its config changed, a restart
 *      is still pending, or it is not running, then waits until the INTERNAL listener accepts connections.
 *      A changed server.properties marks a restart pending (server.properties.kafka-plc-restart-pending)
 *      *before* it replaces the file, and the mark goes only once Kafka listens again: a run stopped between
 *      the write and the restart (a timeout, a lost instance connection) restarts on its re-run instead of
 *      finding the config "unchanged" while Kafka still runs the old one.
 * It never deletes data. Every value interpolated below passes through shellQuote or a quoted here-doc.
 */
import { aclLine, CREDENTIALS_FILE, consumerAcls, SCRAM_ITERATIONS } from './consumer-auth';
import { BROKER_CONF_DIR } from './kafka-config';
import type { Plan, PlannedBroker } from './plan';
import { heredoc, RESTART_SERVICE_SH, shellQuote, WAIT_FOR_LISTENER_SH } from './shell';

export const KAFKA_HOME = '/opt/kafka';
export const CONF_DIR = BROKER_CONF_DIR;
export const SERVICE_NAME = 'kafka.service';
export const READY_TIMEOUT_SECONDS = 300;

export function renderSystemdUnit(plan: Plan, broker: PlannedBroker): string {
  return [
    '[Unit]',
    `Description=Apache Kafka ${plan.kafka.version} (kafka-plc cluster ${plan.clusterName}, node ${broker.nodeId})`,
    'Wants=network-online.target',
    'After=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    'User=kafka',
    'Group=kafka',
    'Environment="KAFKA_HEAP_OPTS=-XX:InitialRAMPercentage=25 -XX:MaxRAMPercentage=25"',
    `ExecStart=${KAFKA_HOME}/bin/kafka-server-start.sh ${CONF_DIR}/server.properties`,
    '# SIGTERM makes Kafka shut down in a controlled way (leadership moved away first), not SIGKILL.',
    'KillSignal=SIGTERM',
    'TimeoutStopSec=300',
    'SuccessExitStatus=143',
    'Restart=on-failure',
    'RestartSec=10',
    'LimitNOFILE=100000',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

const FUNCTIONS = `
log() { printf '%s kafka-plc[b%s]: %s\\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$NODE_ID" "$*"; }
die() { log "ERROR: $*" >&2; exit 1; }

# write_if_changed PATH MODE [MARK] < content: replaces PATH atomically when the content differs and keeps
# the previous version as PATH.previous; creates MARK (if given) before replacing; sets CHANGED=yes when it wrote.
write_if_changed() {
  local path="$1" mode="$2" mark="\${3:-}" tmp
  tmp="$(mktemp "$path.kafka-plc.XXXXXX")"
  cat > "$tmp"
  chmod "$mode" "$tmp"
  if [ -f "$path" ] && cmp -s "$tmp" "$path"; then
    rm -f -- "$tmp"
    log "$path unchanged"
    return 0
  fi
  if [ -f "$path" ]; then cp -p -- "$path" "$path.previous"; fi
  if [ -n "$mark" ]; then : > "$mark"; fi
  mv -f -- "$tmp" "$path"
  CHANGED=yes
  log "$path written"
}

as_kafka_user() {
  if [ "$(id -u)" = 0 ] && id "$KAFKA_USER" > /dev/null 2>&1; then
    runuser -u "$KAFKA_USER" -- "$@"
  else
    "$@"
  fi
}

install_java() {
  if command -v java > /dev/null 2>&1; then
    log "java present: $(java -version 2>&1 | head -n 1)"
    return 0
  fi
  [ "$INSTALL" = yes ] || die "java not found and installs are off"
  command -v dnf > /dev/null 2>&1 || die "java not found and dnf is missing (Amazon Linux 2023 expected)"
  log "installing java-17-amazon-corretto-headless"
  dnf install -y -q java-17-amazon-corretto-headless
}

install_kafka() {
  local name="kafka_$SCALA_VERSION-$KAFKA_VERSION" tmp expected actual
  if [ -f "$KAFKA_HOME/libs/$name.jar" ]; then
    log "Kafka $KAFKA_VERSION present in $KAFKA_HOME"
    return 0
  fi
  [ "$INSTALL" = yes ] || die "Kafka $KAFKA_VERSION not found in $KAFKA_HOME and installs are off"
  tmp="$(mktemp -d)"
  log "downloading $name.tgz from $MIRROR"
  curl --fail --silent --show-error --location --retry 5 --retry-connrefused \\
    -o "$tmp/$name.tgz" "$MIRROR/$KAFKA_VERSION/$name.tgz"
  curl --fail --silent --show-error --location --retry 5 --retry-connrefused \\
    -o "$tmp/$name.tgz.sha512" "$MIRROR/$KAFKA_VERSION/$name.tgz.sha512"
  expected="$(tr -d '\\r\\n' < "$tmp/$name.tgz.sha512" | sed -e "s/$name\\.tgz//" -e 's/[^0-9A-Fa-f]//g' | tr 'A-F' 'a-f')"
  actual="$(sha512sum "$tmp/$name.tgz" | cut -d ' ' -f 1)"
  [ "$expected" = "$actual" ] || die "SHA-512 of $name.tgz does not match Apache's published checksum"
  tar -xzf "$tmp/$name.tgz" -C "$(dirname "$KAFKA_HOME")"
  ln -sfn "$(dirname "$KAFKA_HOME")/$name" "$KAFKA_HOME"
  rm -f -- "$tmp/$name.tgz" "$tmp/$name.tgz.sha512"
  rmdir -- "$tmp"
  log "Kafka $KAFKA_VERSION installed in $KAFKA_HOME"
}

ensure_user_and_dirs() {
  if [ "$(id -u)" = 0 ] && [ "$INSTALL" = yes ] && ! id "$KAFKA_USER" > /dev/null 2>&1; then
    useradd --system --no-create-home --shell /sbin/nologin "$KAFKA_USER"
  fi
  mkdir -p -- "$CONF_DIR" "$LOG_DIRS"
  if [ "$(id -u)" = 0 ] && id "$KAFKA_USER" > /dev/null 2>&1; then
    chown "$KAFKA_USER:$KAFKA_USER" "$LOG_DIRS"
    chmod 0750 "$LOG_DIRS"
  fi
}

format_storage_once() {
  local meta="$LOG_DIRS/meta.properties"
  if [ -f "$meta" ]; then
    grep -qx "cluster.id=$CLUSTER_ID" "$meta" \\
      || die "$meta belongs to another cluster (expected cluster.id=$CLUSTER_ID); refusing to touch it"
    log "storage already formatted; left as it is"
    return 0
  fi
  log "formatting $LOG_DIRS for cluster.id=$CLUSTER_ID"
  as_kafka_user java -cp "$KAFKA_HOME/libs/*" kafka.tools.StorageTool format \\
    -t "$CLUSTER_ID" -c "$CONF_DIR/server.properties" --ignore-formatted
}

${WAIT_FOR_LISTENER_SH}

wait_until_listening() {
  wait_for_listener "$INTERNAL_PORT"
}

${RESTART_SERVICE_SH}

start_or_restart() {
  case "$SERVICE_MANAGER" in
    systemd)
      if [ "$UNIT_CHANGED" = yes ]; then systemctl daemon-reload; fi
      systemctl enable --quiet "$SERVICE"
      STOP_CLEAN=yes
      if [ "$CONFIG_CHANGED" = yes ] || [ -f "$PENDING" ] || ! systemctl is-active --quiet "$SERVICE"; then
        log "restarting $SERVICE (config changed: $CONFIG_CHANGED, restart pending: $([ -f "$PENDING" ] && echo yes || echo no))"
        restart_service "$SERVICE"
      else
        log "$SERVICE running with this config; not restarted"
      fi
      wait_until_listening
      rm -f -- "$PENDING"
      stop_was_controlled
      ;;
    none)
      rm -f -- "$PENDING"
      log "service manager 'none': config written (changed: $CONFIG_CHANGED); start or restart Kafka yourself"
      ;;
    *) die "unknown service manager $SERVICE_MANAGER" ;;
  esac
}
`;

/**
 * The consumer's credential and ACLs (domain/consumer-auth.ts), when it authenticates. The password is read
 * here, on the broker, by the instance role, and goes only into 0600 files: never to standard output (SSM
 * keeps it), never onto a command line (the process list).
 */
const AUTH_FUNCTIONS = `
# fetch_consumer_secret: SECRET_VERSION and SECRET_VALUE from Secrets Manager (the instance role's read).
fetch_consumer_secret() {
  local out
  out="$(aws secretsmanager get-secret-value --region "$REGION" --secret-id "$SECRET_ID" \\
    --query '[VersionId,SecretString]' --output text)" \\
    || die "cannot read secret $SECRET_ID (the broker role reads the secrets of its own cluster only)"
  SECRET_VERSION="\${out%%$'\\t'*}"
  SECRET_VALUE="\${out#*$'\\t'}"
  [ -n "$SECRET_VERSION" ] && [ -n "$SECRET_VALUE" ] && [ "$SECRET_VALUE" != "$out" ] \\
    || die "secret $SECRET_ID has no value"
  case "$SECRET_VALUE" in
    *[!A-Za-z0-9._~-]*) die "secret $SECRET_ID holds characters outside [A-Za-z0-9._~-]" ;;
  esac
  if [ -n "$EXPECTED_SECRET_VERSION" ] && [ "$SECRET_VERSION" != "$EXPECTED_SECRET_VERSION" ]; then
    die "secret $SECRET_ID is at version $SECRET_VERSION, this command was rendered for $EXPECTED_SECRET_VERSION (rotated again meanwhile?): roll again"
  fi
  log "read secret $SECRET_ID (version $SECRET_VERSION)"
}

# write_secret_file PATH: stdin to PATH, 0600 and the Kafka user's, replaced atomically; no copy kept.
write_secret_file() {
  local path="$1" tmp
  tmp="$(mktemp "$path.kafka-plc.XXXXXX")"
  chmod 0600 "$tmp"
  cat > "$tmp"
  if [ "$(id -u)" = 0 ] && id "$KAFKA_USER" > /dev/null 2>&1; then chown "$KAFKA_USER:$KAFKA_USER" "$tmp"; fi
  if [ -f "$path" ] && cmp -s "$tmp" "$path"; then
    rm -f -- "$tmp"
    return 0
  fi
  mv -f -- "$tmp" "$path"
  CHANGED=yes
  log "$path written (0600)"
}

TOOL_OPTS="\${KAFKA_PLC_TOOL_JAVA_OPTS:--Xmx128m}"
tool() {
  # shellcheck disable=SC2086 # TOOL_OPTS holds several options
  java $TOOL_OPTS -cp "$KAFKA_HOME/libs/*" "$@"
}

# acl_lines: the consumer's ACLs as TYPE|NAME|PATTERN|Operation|PERMISSION|HOST, sorted; the tool's whole
# output (it reports errors on standard output) stays in $CONF_DIR/consumer-acls.out.
acl_lines() {
  tool kafka.admin.AclCommand --bootstrap-server "$BOOTSTRAP" --list --principal "User:$SASL_USER" \\
    > "$CONF_DIR/consumer-acls.out" 2>&1 || return 1
  awk '
      /^Current ACLs for resource/ {
        match($0, /resourceType=[^,]*/); t = substr($0, RSTART + 13, RLENGTH - 13)
        match($0, /name=[^,]*/); n = substr($0, RSTART + 5, RLENGTH - 5)
        match($0, /patternType=[^)]*/); p = substr($0, RSTART + 12, RLENGTH - 12)
        next
      }
      /principal=/ {
        match($0, /host=[^,]*/); h = substr($0, RSTART + 5, RLENGTH - 5)
        match($0, /operation=[^,]*/); o = substr($0, RSTART + 10, RLENGTH - 10)
        match($0, /permissionType=[^)]*/); m = substr($0, RSTART + 15, RLENGTH - 15)
        k = split(tolower(o), w, "_"); op = ""
        for (i = 1; i <= k; i++) op = op toupper(substr(w[i], 1, 1)) substr(w[i], 2)
        print t "|" n "|" p "|" op "|" m "|" h
      }' "$CONF_DIR/consumer-acls.out" | LC_ALL=C sort
}

# acl_change add|remove TYPE|NAME|PATTERN|Operation|PERMISSION|HOST
acl_change() {
  local action="$1" type name pattern op permission host resource who
  IFS='|' read -r type name pattern op permission host <<< "$2"
  case "$type" in
    TOPIC) resource=(--topic "$name") ;;
    GROUP) resource=(--group "$name") ;;
    CLUSTER) resource=(--cluster) ;;
    TRANSACTIONAL_ID) resource=(--transactional-id "$name") ;;
    DELEGATION_TOKEN) resource=(--delegation-token "$name") ;;
    USER) resource=(--user-principal "$name") ;;
    *) die "unknown ACL resource type $type" ;;
  esac
  if [ "$permission" = DENY ]; then who=(--deny-principal "User:$SASL_USER" --deny-host "$host"); else who=(--allow-principal "User:$SASL_USER" --allow-host "$host"); fi
  tool kafka.admin.AclCommand --bootstrap-server "$BOOTSTRAP" "--$action" --force "\${who[@]}" \\
    --operation "$op" "\${resource[@]}" --resource-pattern-type "$(printf '%s' "$pattern" | tr '[:upper:]' '[:lower:]')" \\
    > "$CONF_DIR/consumer-acls.out" 2>&1 || return 1
  log "ACL $action: $2"
}

# acls_deferred: true (and says so) when the last ACL call failed because a broker or controller not rolled
# yet has no authorizer (SecurityDisabledException): a later broker of the roll turning it on sets the ACLs.
acls_deferred() {
  if grep -q SecurityDisabledException -- "$CONF_DIR/consumer-acls.out"; then
    log "the authorizer is not on every broker yet (this roll turns it on): a later broker sets the ACLs of User:$SASL_USER"
    return 0
  fi
  grep -v '^[[:space:]]*at ' -- "$CONF_DIR/consumer-acls.out" | tail -n 5 >&2
  return 1
}

# apply_consumer_auth: the SCRAM credential (SCRAM only; set again only for a new secret version, which a
# marker records) and exactly the consumer's ACLs (listed and corrected on every run), cluster-wide.
apply_consumer_auth() {
  local marker="$CONF_DIR/consumer-credential.applied" current line file out
  if [ "$SERVICE_MANAGER" = none ]; then
    log "service manager 'none': the consumer credential and ACLs are applied by a run with Kafka up"
    return 0
  fi
  if [ "$MECHANISM" = PLAIN ]; then
    :
  elif [ -f "$marker" ] && [ "$(cat -- "$marker")" = "$MECHANISM $SECRET_VERSION" ]; then
    log "$MECHANISM credential of $SASL_USER already set (secret version $SECRET_VERSION)"
  else
    file="$(mktemp)"
    chmod 0600 "$file"
    # The file form takes the value without the brackets --add-config needs (ConfigCommand's pattern
    # "(?:iterations=N,)?password=P"); its error message echoes the value, so its output is redacted.
    printf '%s=iterations=%s,password=%s\\n' "$MECHANISM" "$SCRAM_ITERATIONS" "$SECRET_VALUE" > "$file"
    if ! tool kafka.admin.ConfigCommand --bootstrap-server "$BOOTSTRAP" --alter --entity-type users \\
      --entity-name "$SASL_USER" --add-config-file "$file" > "$file.out" 2>&1; then
      # Redacted in the shell (a sed expression would put the value on a command line).
      out="$(tail -n 5 -- "$file.out")"
      printf '%s\\n' "\${out//"$SECRET_VALUE"/[redacted]}" >&2
      rm -f -- "$file" "$file.out"
      die "could not set the $MECHANISM credential of $SASL_USER"
    fi
    rm -f -- "$file.out"
    rm -f -- "$file"
    printf '%s\\n' "$MECHANISM $SECRET_VERSION" > "$marker"
    log "$MECHANISM credential of $SASL_USER set (secret version $SECRET_VERSION)"
  fi
  # While a roll turns authentication on, brokers not rolled yet (maybe the active controller) have no
  # authorizer and Kafka refuses ACL calls (SecurityDisabledException): a later broker of the roll sets them.
  if ! current="$(acl_lines)"; then
    if acls_deferred; then return 0; fi
    die "could not list the ACLs of User:$SASL_USER"
  fi
  while IFS= read -r line; do
    if [ -n "$line" ] && ! acl_change remove "$line"; then
      if acls_deferred; then return 0; fi
      die "could not remove an ACL of User:$SASL_USER ($line)"
    fi
  done < <(LC_ALL=C comm -23 <(printf '%s\\n' "$current") <(printf '%s\\n' "$EXPECTED_ACLS" | LC_ALL=C sort))
  while IFS= read -r line; do
    if [ -n "$line" ] && ! acl_change add "$line"; then
      if acls_deferred; then return 0; fi
      die "could not add an ACL of User:$SASL_USER ($line)"
    fi
  done < <(LC_ALL=C comm -13 <(printf '%s\\n' "$current") <(printf '%s\\n' "$EXPECTED_ACLS" | LC_ALL=C sort))
  if [ "$current" != "$(printf '%s\\n' "$EXPECTED_ACLS" | LC_ALL=C sort)" ]; then
    [ "$(acl_lines)" = "$(printf '%s\\n' "$EXPECTED_ACLS" | LC_ALL=C sort)" ] \\
      || die "the ACLs of User:$SASL_USER are not the expected ones after correcting them"
  fi
  log "ACLs of User:$SASL_USER are exactly: $(printf '%s' "$EXPECTED_ACLS" | tr '\\n' ' ')"
}
`;

/**
 * `secretVersion`: the consumer secret's current version (AWSCURRENT) when the cluster authenticates its
 * consumer. It is part of the script, so a rotated password makes every broker's script new: the roll sends
 * it to each broker in turn (PLAIN restarts with the new password file; SCRAM's credential is reset once).
 */
export function renderBrokerScript(plan: Plan, broker: PlannedBroker, secretVersion?: string): string {
  const q = shellQuote;
  return [
    '#!/usr/bin/env bash',
    `# kafka-plc: configure broker ${broker.nodeId} (${broker.name}, ${broker.azId}) of cluster ${plan.clusterName}.`,
    '# Rendered from the plan. Safe to re-run; never deletes data.',
    'set -euo pipefail',
    'umask 022',
    '',
    `readonly NODE_ID=${q(broker.nodeId)}`,
    `readonly CLUSTER_ID=${q(plan.kafka.clusterId)}`,
    `readonly KAFKA_VERSION=${q(plan.kafka.version)}`,
    `readonly SCALA_VERSION=${q(plan.kafka.scalaVersion)}`,
    `readonly PRIVATE_IP=${q(broker.privateIp)}`,
    `readonly INTERNAL_PORT=${q(plan.kafka.ports.internal)}`,
    `readonly LOG_DIRS=${q(logDirsOf(broker))}`,
    `readonly SERVICE=${q(SERVICE_NAME)}`,
    '# Overridable for a local rehearsal (the test harness); the defaults are the EC2 layout.',
    `KAFKA_HOME="\${KAFKA_PLC_KAFKA_HOME:-${KAFKA_HOME}}"`,
    `CONF_DIR="\${KAFKA_PLC_CONF_DIR:-${CONF_DIR}}"`,
    'SERVICE_MANAGER="${KAFKA_PLC_SERVICE_MANAGER:-systemd}"',
    'SYSTEMD_DIR="${KAFKA_PLC_SYSTEMD_DIR:-/etc/systemd/system}"',
    'INSTALL="${KAFKA_PLC_INSTALL:-yes}"',
    'KAFKA_USER="${KAFKA_PLC_USER:-kafka}"',
    'MIRROR="${KAFKA_PLC_MIRROR:-https://archive.apache.org/dist/kafka}"',
    `READY_TIMEOUT="\${KAFKA_PLC_READY_TIMEOUT:-${READY_TIMEOUT_SECONDS}}"`,
    'CHANGED=no',
    FUNCTIONS,
    ...authPreamble(plan, broker, secretVersion),
    'install_java',
    'install_kafka',
    'ensure_user_and_dirs',
    ...(plan.consumerAuth ? ['fetch_consumer_secret'] : []),
    ...(plan.consumerAuth?.mechanism === 'PLAIN'
      ? [
          'CHANGED=no',
          `printf 'password=%s\\n' "$SECRET_VALUE" | write_secret_file "$CONF_DIR/${CREDENTIALS_FILE}"`,
          '# A new password is read by Kafka at start: restart for it.',
          'if [ "$CHANGED" = yes ]; then : > "$CONF_DIR/server.properties.kafka-plc-restart-pending"; fi',
        ]
      : []),
    '',
    'readonly PENDING="$CONF_DIR/server.properties.kafka-plc-restart-pending"',
    'CHANGED=no',
    `write_if_changed "$CONF_DIR/server.properties" 0644 "$PENDING" ${heredoc('KAFKA_PLC_SERVER_PROPERTIES', broker.serverProperties)}`,
    'CONFIG_CHANGED="$CHANGED"',
    '',
    'CHANGED=no',
    'if [ "$SERVICE_MANAGER" = systemd ]; then',
    `  write_if_changed "$SYSTEMD_DIR/$SERVICE" 0644 ${heredoc('KAFKA_PLC_SYSTEMD_UNIT', renderSystemdUnit(plan, broker))}`,
    'fi',
    'UNIT_CHANGED="$CHANGED"',
    '',
    'format_storage_once',
    'start_or_restart',
    ...(plan.consumerAuth ? ['apply_consumer_auth'] : []),
    'log "done: broker $NODE_ID configured"',
    '',
  ].join('\n');
}

function authPreamble(plan: Plan, broker: PlannedBroker, secretVersion: string | undefined): string[] {
  const auth = plan.consumerAuth;
  if (!auth) return [];
  const q = shellQuote;
  return [
    `readonly REGION=${q(plan.region)}`,
    `readonly SECRET_ID=${q(auth.secretName)}`,
    `readonly MECHANISM=${q(auth.mechanism)}`,
    `readonly SASL_USER=${q(auth.username)}`,
    `readonly SCRAM_ITERATIONS=${q(SCRAM_ITERATIONS)}`,
    `readonly BOOTSTRAP=${q(`${broker.privateIp}:${plan.kafka.ports.internal}`)}`,
    `readonly EXPECTED_ACLS=${q(consumerAcls(auth).map(aclLine).join('\n'))}`,
    `readonly EXPECTED_SECRET_VERSION=${q(secretVersion ?? '')}`,
    'SECRET_VERSION=""',
    'SECRET_VALUE=""',
    AUTH_FUNCTIONS,
  ];
}

function logDirsOf(broker: PlannedBroker): string {
  const line = broker.serverProperties.split('\n').find((l) => l.startsWith('log.dirs='));
  if (!line) throw new RangeError(`broker ${broker.nodeId} has no log.dirs`);
  return line.slice('log.dirs='.length);
}
