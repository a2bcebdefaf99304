#!/bin/sh
set -e
# Through init-system-helpers' tools, as Debian's packages do: the stop
# honours policy-rc.d. Nothing to stop in another root (DPKG_ROOT).
if [ -z "${DPKG_ROOT:-}" ] && [ "$1" = remove ] && [ -d /run/systemd/system ]; then
  deb-systemd-invoke stop sportel.service >/dev/null 2>&1 || true
  deb-systemd-helper disable sportel.service >/dev/null 2>&1 || true
fi
