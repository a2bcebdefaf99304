#!/bin/sh
set -e
# The stop goes through deb-systemd-invoke (init-system-helpers,
# essential), which honours policy-rc.d. The administrator enabled the unit
# with systemctl, so systemctl disables it: deb-systemd-helper would only
# remove links it made itself. Nothing to stop in another root (DPKG_ROOT).
if [ -z "${DPKG_ROOT:-}" ] && [ "$1" = remove ] && [ -d /run/systemd/system ]; then
  deb-systemd-invoke stop sportel.service >/dev/null 2>&1 || true
  systemctl disable sportel.service >/dev/null 2>&1 || true
fi
