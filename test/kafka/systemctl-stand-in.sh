#!/usr/bin/env bash
# kafka-plc test stand-in for systemctl on a harness broker host (test/kafka/run-command.ts).
quiet=no
property=
args=()
for arg in "$@"; do
  case "$arg" in
    --quiet | -q) quiet=yes ;;
    --value) ;;
    --property=*) property="${arg#--property=}" ;;
    *) args+=("$arg") ;;
  esac
done
verb="${args[0]:-}"
unit="${args[${#args[@]} - 1]:-}"
case "$verb" in daemon-reload | enable) exit 0 ;; esac
if [ "$unit" != kafka.service ]; then
  echo "Unit $unit not found." >&2
  exit 5
fi
# KAFKA_PLC_SYSTEMCTL_URL is http://127.0.0.1:<port>/systemctl/<node>
address="${KAFKA_PLC_SYSTEMCTL_URL#http://}"
path="/${address#*/}"
address="${address%%/*}"
if ! exec 3<> "/dev/tcp/${address%:*}/${address#*:}"; then
  echo "systemctl stand-in: the executor at $address does not answer" >&2
  exit 1
fi
printf 'POST %s?verb=%s&property=%s HTTP/1.0\r\nHost: %s\r\nContent-Length: 0\r\n\r\n' \
  "$path" "$verb" "$property" "$address" >&3
read -r _ status _ <&3
while IFS= read -r line <&3 && [ -n "${line%$'\r'}" ]; do :; done
body="$(cat <&3)"
if [ -n "$body" ] && [ "$quiet" = no ]; then printf '%s\n' "$body"; fi
case "$status" in
  200) exit 0 ;;
  409) exit 3 ;;
  *)
    [ -z "$body" ] || [ "$quiet" = no ] || printf '%s\n' "$body" >&2
    exit 1
    ;;
esac
