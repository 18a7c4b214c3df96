/**
 * The bash script that exposes an EXISTING broker (`spec.existing`, the procedure's Step 1'): a patch of the
 * broker's own server.properties, not a render, so every other setting stays as its owner wrote it.
 *   1. checks the file is this broker's (node.id or broker.id = its node ID) and that its systemd unit
 *      exists and stops Kafka with SIGTERM (a controlled shutdown), before anything is written;
 *   2. computes the patched file (awk): `listeners` gets one entry per consumer, EXTERNAL://0.0.0.0:<its
 *      external port>, EXTERNAL2, … (an existing entry of that name is replaced in place; the entries of
 *      consumers taken out of the spec, `retiredListeners`, are removed); `advertised.listeners` gets each
 *      consumer's advertised name, its AZ's pattern for this broker, with its NLB port (when absent it is derived from
 *      `listeners`: controller listeners left out, 0.0.0.0 or an empty host replaced by the private IP,
 *      0.0.0.0 never advertised); `listener.security.protocol.map` gets EXTERNAL:PLAINTEXT (when absent,
 *      Kafka's default map plus the controller listeners' implicit PLAINTEXT, as KRaft assumes). Only those
 *      three lines change (or are inserted after `listeners`); a list that already holds the wanted entries
 *      is left byte-identical;
 *   3. if the result differs: keeps the current file as <file>.previous, replaces it atomically (same
 *      mode, same owner) and marks a restart pending (<file>.kafka-plc-restart-pending);
 *   4. restarts the unit (systemd stop → SIGTERM) only while a restart is pending — so a run that wrote
 *      the file but failed to restart restarts on the next run — then waits until the INTERNAL and the
 *      EXTERNAL port listen on the private IP.
 * It never deletes data: it touches no log dir. Every value below passes through shellQuote.
 */
import type { Plan, PlannedBroker } from './plan';
import { RESTART_SERVICE_SH, shellQuote, WAIT_FOR_LISTENER_SH } from './shell';

export const DEFAULT_SERVICE_NAME = 'kafka.service';
export const PATCH_READY_TIMEOUT_SECONDS = 300;
/** Kafka's built-in `listeners` and `listener.security.protocol.map` (used when the file sets none). */
export const KAFKA_DEFAULT_LISTENERS = 'PLAINTEXT://:9092';
export const KAFKA_DEFAULT_PROTOCOL_MAP =
  'SASL_SSL:SASL_SSL,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT';

export interface PatchTarget {
  instanceId: string;
  configPath: string;
  serviceName: string;
}

/** The patch as an awk program over the properties file (no single quote inside: it is single-quoted). */
const PATCH_AWK = String.raw`
function trim(s) { sub(/^[ \t\f]+/, "", s); sub(/[ \t\f]+$/, "", s); return s }
function fail(message) { printf "kafka-plc: %s\n", message > "/dev/stderr"; exit 3 }
function pattern(key,   k) { k = key; gsub(/\./, "\\.", k); return "^[ \t\f]*" k "([ \t\f]*[=:]|[ \t\f]|$)" }
function valueof(line,   v) { v = line; sub(/^[ \t\f]*[^ \t\f=:]+[ \t\f]*[=:]?[ \t\f]*/, "", v); return v }
function prefixof(line) { return substr(line, 1, length(line) - length(valueof(line))) }
function setting(key) { return (key in at) ? valueof(line[at[key]]) : "" }
function odd_backslashes(s) { return match(s, /\\+$/) && RLENGTH % 2 == 1 }
function nameof(entry, sep,   cut) {
  cut = index(entry, sep)
  return toupper(trim(cut ? substr(entry, 1, cut - 1) : entry))
}
function named(list, name, sep,   parts, count, i) {
  count = split(list, parts, ",")
  for (i = 1; i <= count; i++) if (trim(parts[i]) != "" && nameof(trim(parts[i]), sep) == name) return 1
  return 0
}
function normal(list,   parts, count, i, out, e) {
  count = split(list, parts, ","); out = ""
  for (i = 1; i <= count; i++) { e = trim(parts[i]); if (e != "") out = out (out == "" ? "" : ",") e }
  return out
}
# The list with the entry called name replaced by entry in place (later duplicates dropped), or appended.
function put(list, name, entry, sep,   parts, count, i, out, e, done) {
  count = split(list, parts, ","); out = ""; done = 0
  for (i = 1; i <= count; i++) {
    e = trim(parts[i])
    if (e == "") continue
    if (nameof(e, sep) == name) { if (done) continue; e = entry; done = 1 }
    out = out (out == "" ? "" : ",") e
  }
  if (!done) out = out (out == "" ? "" : ",") entry
  return out
}
# The list without the entries called name.
function drop(list, name, sep,   parts, count, i, out, e) {
  count = split(list, parts, ","); out = ""
  for (i = 1; i <= count; i++) {
    e = trim(parts[i])
    if (e == "" || nameof(e, sep) == name) continue
    out = out (out == "" ? "" : ",") e
  }
  return out
}
function last_colon(s,   i) { for (i = length(s); i > 0; i--) if (substr(s, i, 1) == ":") return i; return 0 }
function listener_port(entry,   rest) {
  if (!index(entry, "://")) fail("listener entry \"" entry "\" is not NAME://HOST:PORT")
  rest = substr(entry, index(entry, "://") + 3)
  if (!last_colon(rest)) fail("listener entry \"" entry "\" has no port")
  return substr(rest, last_colon(rest) + 1)
}
# advertised.listeners as Kafka would take it from listeners, minus controller listeners and those of kafka-plc,
# with the private IP for a wildcard or empty host (0.0.0.0 is never advertised).
function derived(list, controllers,   parts, count, i, e, name, rest, host, out) {
  count = split(list, parts, ","); out = ""
  for (i = 1; i <= count; i++) {
    e = trim(parts[i])
    if (e == "") continue
    name = nameof(e, "://")
    listener_port(e)
    if ((name in mine) || named(controllers, name, ":")) continue
    rest = substr(e, index(e, "://") + 3)
    host = substr(rest, 1, last_colon(rest) - 1)
    if (host == "" || host == "0.0.0.0" || host == "::" || host == "[::]") host = IP
    out = out (out == "" ? "" : ",") substr(e, 1, index(e, "://") + 2) host ":" listener_port(e)
  }
  return out
}
function with_controllers(map, controllers,   parts, count, i, c) {
  count = split(controllers, parts, ",")
  for (i = 1; i <= count; i++) {
    c = trim(parts[i])
    if (c != "" && !named(map, toupper(c), ":")) map = map "," c ":PLAINTEXT"
  }
  return map
}
{ n++; ending[n] = sub(/\r$/, "") ? "\r" : ""; line[n] = $0 }
END {
  IP = ENVIRON["PLC_PRIVATE_IP"]
  # One listener per consumer (EXTERNAL, EXTERNAL2, …): names and ports space-separated, entries comma-separated;
  # retired: the listeners of consumers taken out of the spec, removed from the three lists.
  names = ENVIRON["PLC_EXTERNAL_NAMES"]; if (names == "") names = "EXTERNAL"
  n_ext = split(names, extname, " ")
  split(ENVIRON["PLC_EXTERNAL_PORT"], extport, " ")
  split(ENVIRON["PLC_EXTERNAL_LISTENER"], extlistener, ",")
  split(ENVIRON["PLC_EXTERNAL_ADVERTISED"], extadvertised, ",")
  n_retired = split(ENVIRON["PLC_RETIRED_LISTENERS"], retired, " ")
  for (j = 1; j <= n_ext; j++) mine[extname[j]] = 1
  for (j = 1; j <= n_retired; j++) mine[retired[j]] = 1
  keys["listeners"]; keys["advertised.listeners"]; keys["listener.security.protocol.map"]
  keys["controller.listener.names"]; keys["inter.broker.listener.name"]; keys["node.id"]; keys["broker.id"]
  continued = 0
  for (i = 1; i <= n; i++) {
    comment = !continued && line[i] ~ /^[ \t\f]*[#!]/
    if (!continued && !comment) for (k in keys) if (line[i] ~ pattern(k)) at[k] = i
    continued = !comment && odd_backslashes(line[i])
  }
  for (k in at) if (odd_backslashes(line[at[k]])) fail(k " continues on the next line; write it on one line first")

  id = trim(("node.id" in at) ? setting("node.id") : setting("broker.id"))
  if (id == "") fail("neither node.id nor broker.id is set: is this a Kafka server.properties?")
  if (id != ENVIRON["PLC_NODE_ID"]) fail("node.id is " id ", not " ENVIRON["PLC_NODE_ID"] ": the spec names another broker for this file")

  listeners = ("listeners" in at) ? setting("listeners") : ENVIRON["PLC_DEFAULT_LISTENERS"]
  controllers = setting("controller.listener.names")
  for (j = 1; j <= n_ext; j++) {
    if (named(controllers, extname[j], ":")) fail(extname[j] " is named in controller.listener.names")
    if (toupper(trim(setting("inter.broker.listener.name"))) == extname[j]) fail("inter.broker.listener.name is " extname[j])
  }
  count = split(listeners, parts, ",")
  for (i = 1; i <= count; i++) {
    e = trim(parts[i])
    if (e == "" || (nameof(e, "://") in mine)) continue
    for (j = 1; j <= n_ext; j++)
      if (listener_port(e) == extport[j]) fail("listener " e " already uses port " extport[j] " (ports.external)")
  }

  advertised = trim(setting("advertised.listeners"))
  if (advertised == "") advertised = derived(listeners, controllers)
  map = trim(setting("listener.security.protocol.map"))
  if (map == "") map = with_controllers(ENVIRON["PLC_DEFAULT_PROTOCOL_MAP"], controllers)
  for (j = 1; j <= n_retired; j++) {
    listeners = drop(listeners, retired[j], "://")
    advertised = drop(advertised, retired[j], "://")
    map = drop(map, retired[j], ":")
  }
  for (j = 1; j <= n_ext; j++) {
    listeners = put(listeners, extname[j], extlistener[j], "://")
    advertised = put(advertised, extname[j], extadvertised[j], "://")
    map = put(map, extname[j], extname[j] ":PLAINTEXT", ":")
  }
  want["listeners"] = listeners
  want["advertised.listeners"] = advertised
  want["listener.security.protocol.map"] = map

  for (i = 1; i <= n; i++) {
    out = line[i]
    for (k in want) if ((k in at) && at[k] == i && normal(valueof(out)) != want[k]) out = prefixof(out) want[k]
    print out ending[i]
    if (("listeners" in at) && at["listeners"] == i) {
      if (!("advertised.listeners" in at)) print "advertised.listeners=" want["advertised.listeners"] ending[i]
      if (!("listener.security.protocol.map" in at)) print "listener.security.protocol.map=" want["listener.security.protocol.map"] ending[i]
    }
  }
  if (!("listeners" in at)) {
    print "listeners=" want["listeners"]
    if (!("advertised.listeners" in at)) print "advertised.listeners=" want["advertised.listeners"]
    if (!("listener.security.protocol.map" in at)) print "listener.security.protocol.map=" want["listener.security.protocol.map"]
  }
}
`;

const FUNCTIONS = `
log() { printf '%s kafka-plc[b%s]: %s\\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$NODE_ID" "$*"; }
die() { log "ERROR: $*" >&2; exit 1; }

# patched_properties FILE: the patched file on stdout; fails (nothing written) when it cannot patch safely.
patched_properties() {
  PLC_NODE_ID="$NODE_ID" PLC_PRIVATE_IP="$PRIVATE_IP" PLC_EXTERNAL_PORT="$EXTERNAL_PORT" \\
    PLC_EXTERNAL_LISTENER="$EXTERNAL_LISTENER" PLC_EXTERNAL_ADVERTISED="$EXTERNAL_ADVERTISED" \\
    PLC_EXTERNAL_NAMES="$EXTERNAL_NAMES" PLC_RETIRED_LISTENERS="$RETIRED_LISTENERS" \\
    PLC_DEFAULT_LISTENERS="$DEFAULT_LISTENERS" PLC_DEFAULT_PROTOCOL_MAP="$DEFAULT_PROTOCOL_MAP" \\
    awk '${PATCH_AWK}' "$1"
}

check_service() {
  local state signal
  case "$SERVICE_MANAGER" in
    systemd)
      state="$(systemctl show --property=LoadState --value "$SERVICE")"
      [ "$state" = loaded ] || die "systemd unit $SERVICE is $state: set existing.brokers[].serviceName to this broker's unit"
      signal="$(systemctl show --property=KillSignal --value "$SERVICE")"
      [ "$signal" != 9 ] || die "$SERVICE stops Kafka with SIGKILL (KillSignal=9); give it KillSignal=SIGTERM (a controlled shutdown) first"
      ;;
    none) ;;
    *) die "unknown service manager $SERVICE_MANAGER" ;;
  esac
}

${WAIT_FOR_LISTENER_SH}

wait_until_listening() {
  local port ports
  read -r -a ports <<< "$EXTERNAL_PORT"
  for port in "$INTERNAL_PORT" "\${ports[@]}"; do
    wait_for_listener "$port"
  done
}

write_patch() {
  local tmp
  tmp="$(mktemp "$CONFIG.kafka-plc.XXXXXX")"
  if ! patched_properties "$CONFIG" > "$tmp"; then
    rm -f -- "$tmp"
    die "$CONFIG left as it is: it cannot be patched safely (see above)"
  fi
  if cmp -s "$tmp" "$CONFIG"; then
    rm -f -- "$tmp"
    log "$CONFIG unchanged"
    return 0
  fi
  chmod --reference="$CONFIG" -- "$tmp"
  if [ "$(id -u)" = 0 ]; then chown --reference="$CONFIG" -- "$tmp"; fi
  cp -p -- "$CONFIG" "$CONFIG.previous"
  : > "$PENDING"
  mv -f -- "$tmp" "$CONFIG"
  log "$CONFIG patched; the previous version is $CONFIG.previous"
}

# The preview (kafka-plc plan --live): the unified diff the patch would make, computed in a temporary file
# outside the config's directory; nothing is written next to the config, nothing restarted.
preview_patch() {
  local tmp
  tmp="$(mktemp)"
  if ! patched_properties "$CONFIG" > "$tmp"; then
    rm -f -- "$tmp"
    die "$CONFIG cannot be patched safely (see above)"
  fi
  if cmp -s "$tmp" "$CONFIG"; then
    log "preview: $CONFIG unchanged, no restart"
  else
    log "preview: $CONFIG would change (then a restart):"
    diff -u --label "$CONFIG" --label "$CONFIG (patched)" -- "$CONFIG" "$tmp" || true
  fi
  rm -f -- "$tmp"
}

${RESTART_SERVICE_SH}

restart_if_pending() {
  case "$SERVICE_MANAGER" in
    systemd)
      if [ -f "$PENDING" ]; then
        log "restarting $SERVICE (systemd stops Kafka with SIGTERM: a controlled shutdown)"
        restart_service "$SERVICE"
        wait_until_listening
        rm -f -- "$PENDING"
        log "restarted: yes"
        stop_was_controlled
      else
        log "restarted: no ($SERVICE already runs this configuration)"
        wait_until_listening
      fi
      ;;
    none)
      if [ -f "$PENDING" ]; then
        rm -f -- "$PENDING"
        log "restarted: no (service manager none: restart Kafka yourself to apply the change)"
      else
        log "restarted: no"
      fi
      ;;
  esac
}
`;

/**
 * `retiredListeners`: the listeners of consumers taken out of the spec since kafka-plc last patched this
 * broker (from the applied spec), removed from the file; a listener kafka-plc never added is never touched.
 */
export function renderPatchScript(
  plan: Plan,
  broker: PlannedBroker,
  target: PatchTarget,
  retiredListeners: readonly string[] = [],
  options: { preview?: boolean } = {},
): string {
  const q = shellQuote;
  const ports = plan.kafka.ports;
  const externals = broker.externalListeners;
  return [
    '#!/usr/bin/env bash',
    `# kafka-plc: expose existing broker ${broker.nodeId} (${target.instanceId}, ${broker.azId}) of cluster ${plan.clusterName}.`,
    '# Patches its own server.properties (EXTERNAL listener, advertised name, protocol map) and keeps every',
    '# other line; restarts it through systemd only if the file changed. Safe to re-run; never deletes data.',
    'set -euo pipefail',
    'umask 022',
    '',
    `readonly NODE_ID=${q(broker.nodeId)}`,
    `readonly CONFIG_PATH=${q(target.configPath)}`,
    `readonly SERVICE=${q(target.serviceName)}`,
    `readonly PRIVATE_IP=${q(broker.privateIp)}`,
    `readonly INTERNAL_PORT=${q(ports.internal)}`,
    `readonly EXTERNAL_NAMES=${q(externals.map((e) => e.name).join(' '))}`,
    `readonly EXTERNAL_PORT=${q(externals.map((e) => e.listenPort).join(' '))}`,
    `readonly EXTERNAL_LISTENER=${q(externals.map((e) => `${e.name}://0.0.0.0:${e.listenPort}`).join(','))}`,
    `readonly EXTERNAL_ADVERTISED=${q(externals.map((e) => `${e.name}://${e.host}:${e.port}`).join(','))}`,
    `readonly RETIRED_LISTENERS=${q(retiredListeners.join(' '))}`,
    `readonly DEFAULT_LISTENERS=${q(KAFKA_DEFAULT_LISTENERS)}`,
    `readonly DEFAULT_PROTOCOL_MAP=${q(KAFKA_DEFAULT_PROTOCOL_MAP)}`,
    '# Overridable for a local rehearsal (the test sandbox); the defaults are the broker host.',
    `SERVICE_MANAGER="\${KAFKA_PLC_SERVICE_MANAGER:-systemd}"`,
    `READY_TIMEOUT="\${KAFKA_PLC_READY_TIMEOUT:-${PATCH_READY_TIMEOUT_SECONDS}}"`,
    FUNCTIONS,
    '[ -f "$CONFIG_PATH" ] || die "$CONFIG_PATH not found: set existing.brokers[].configPath to this broker\'s server.properties"',
    'CONFIG="$(readlink -f -- "$CONFIG_PATH")"',
    'readonly CONFIG',
    'readonly PENDING="$CONFIG.kafka-plc-restart-pending"',
    'check_service',
    ...(options.preview
      ? ['preview_patch']
      : ['write_patch', 'restart_if_pending', 'log "done: broker $NODE_ID exposes $EXTERNAL_ADVERTISED"']),
    '',
  ].join('\n');
}
