/** Quoting for POSIX shells: every value interpolated into a script goes through `shellQuote`. */

/** Single-quotes a value for bash; embedded single quotes become '\''. */
export function shellQuote(value: string | number): string {
  const text = String(value);
  if (text.includes('\0')) throw new RangeError('a NUL byte cannot be passed to a shell');
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** A here-document body that is safe with a quoted delimiter: the delimiter line must not occur in it. */
export function heredoc(delimiter: string, body: string): string {
  if (!/^[A-Z_]+$/.test(delimiter)) throw new RangeError(`bad here-document delimiter ${delimiter}`);
  if (body.split('\n').includes(delimiter))
    throw new RangeError(`content contains the delimiter ${delimiter}`);
  const text = body.endsWith('\n') ? body : `${body}\n`;
  return `<<'${delimiter}'\n${text}${delimiter}`;
}

/**
 * The bash function `restart_service UNIT` (broker and patch scripts): systemd stops the unit — KillSignal
 * SIGTERM, Kafka's controlled shutdown: its leaders moved away and the controller's approval awaited — then
 * starts it, whatever the stop did, so Kafka is never left down. It sets STOP_CLEAN=no, and STOP_RESULT to what
 * systemd says, when the stop was no controlled shutdown: systemd's Result for the unit's last run is `success`
 * for a clean exit, `timeout` when it had to send SIGKILL after TimeoutStopSec (Kafka 3.7 waits up to 5 minutes
 * for the controller's approval), `signal`/`exit-code`/`core-dump`/`oom-kill`… otherwise (systemd's ServiceResult
 * enum, src/core/service.h, exposed as the unit's Result property; Kafka's wait: BrokerServer.shutdown, "Timed out
 * waiting for the controller to approve controlled shutdown"). A JVM ended by SIGTERM exits 143 (128 + 15):
 * `exit-code` with ExecMainStatus 143 is clean too, for units without SuccessExitStatus=143. A unit that is not
 * running is only started.
 */
export const RESTART_SERVICE_SH = `restart_service() {
  local unit="$1" status
  STOP_CLEAN=yes
  STOP_RESULT=success
  if systemctl is-active --quiet "$unit"; then
    systemctl stop "$unit" || die "systemctl stop $unit failed: not restarted, the restart stays pending for the next run"
    STOP_RESULT="$(systemctl show --property=Result --value "$unit")"
    status="$(systemctl show --property=ExecMainStatus --value "$unit")"
    case "$STOP_RESULT:$status" in
      success:* | exit-code:143) ;;
      *) STOP_CLEAN=no ;;
    esac
  fi
  systemctl start "$unit"
}

# stop_was_controlled: fails the run, once Kafka listens again, when restart_service's stop was no controlled
# shutdown: the roll stops at this broker (the configuration is applied; nothing is undone).
stop_was_controlled() {
  [ "$STOP_CLEAN" = yes ] && return 0
  die "Kafka's stop was no controlled shutdown (systemd: Result=$STOP_RESULT$([ "$STOP_RESULT" = timeout ] && echo ', SIGKILL after TimeoutStopSec')); it runs again with the new configuration, and the roll stops here: read the broker's server.log (\\"Timed out waiting for the controller to approve controlled shutdown\\"?) and the KRaft quorum before rolling on"
}`;

/**
 * The bash function `wait_for_listener PORT` (broker and patch scripts): polls PRIVATE_IP:PORT every 0.5 s until
 * Kafka accepts a connection, for at most READY_TIMEOUT seconds — the roll's next step waits on it, so a listener
 * is seen at most half a second late.
 */
export const WAIT_FOR_LISTENER_SH = `wait_for_listener() {
  local port="$1" deadline=$((SECONDS + READY_TIMEOUT))
  until (exec 3<> "/dev/tcp/$PRIVATE_IP/$port") 2> /dev/null; do
    [ "$SECONDS" -lt "$deadline" ] || die "Kafka did not listen on $PRIVATE_IP:$port within $READY_TIMEOUT s"
    sleep 0.5
  done
  log "Kafka listens on $PRIVATE_IP:$port"
}`;
