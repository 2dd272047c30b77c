#!/bin/bash
# The container's HEALTHCHECK: GET /healthz on the admin listener, with nothing but bash (the aspnet
# image has no curl or wget). The admin listener, not the public one: under a flood the public
# listeners may be full and refusing connections by design (notify.tcp), and a node that refuses
# what it cannot hold is healthy. /healthz answers 200 ("Healthy", or "Degraded: reason" while the
# leak watchdog is worried, which a restart would only hide); anything else, or no answer in
# NOTIFY_HEALTHCHECK_TIMEOUT seconds, is unhealthy.
set -u
port="${NOTIFY_HEALTHCHECK_PORT:-5081}"
exec 3<>"/dev/tcp/127.0.0.1/${port}" || exit 1
printf 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
IFS= read -r -t "${NOTIFY_HEALTHCHECK_TIMEOUT:-3}" status <&3 || exit 1
case "$status" in
  "HTTP/1.1 200 "*) exit 0 ;;
  *) exit 1 ;;
esac
