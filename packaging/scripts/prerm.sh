#!/bin/sh
set -e
if [ "$1" = remove ] && [ -d /run/systemd/system ]; then
  systemctl stop sportel >/dev/null 2>&1 || true
  systemctl disable sportel >/dev/null 2>&1 || true
fi
