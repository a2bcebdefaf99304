#!/bin/sh
# The database holds the division's record: a purge removes the package's
# files and the system user, never /var/lib/sportel.
set -e
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload >/dev/null 2>&1 || true
fi
if [ "$1" = purge ] && getent passwd sportel >/dev/null; then
  deluser --quiet --system sportel >/dev/null 2>&1 || true
fi
