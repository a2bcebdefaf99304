#!/bin/sh
# Sportel runs as its own system user; its state lives in /var/lib/sportel
# (created by systemd's StateDirectory=, owned by that user, mode 0700).
set -e
if [ "$1" = configure ]; then
  if ! getent passwd sportel >/dev/null; then
    adduser --system --group --home /var/lib/sportel --no-create-home --quiet sportel
  fi
  # The daemon reads its configuration; nobody else needs to. Set on the
  # first install only (no version configured before): after that the mode
  # and group are the administrator's, and an override registered with
  # dpkg-statoverride, which dpkg applies itself, always wins. Paths go
  # through DPKG_ROOT, as in postrm.
  if [ -z "${2:-}" ] && ! dpkg-statoverride --list /etc/sportel/sportel.yaml >/dev/null; then
    chgrp sportel "$DPKG_ROOT/etc/sportel/sportel.yaml"
    chmod 0640 "$DPKG_ROOT/etc/sportel/sportel.yaml"
  fi
  if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null || true
    # Restart on upgrade; a first install waits until the configuration is
    # edited and the unit enabled by the administrator.
    # deb-systemd-invoke (init-system-helpers, essential) honours
    # policy-rc.d, which image builds and chroots use to start nothing.
    if systemctl is-active --quiet sportel; then
      deb-systemd-invoke restart sportel.service || true
    fi
  fi
fi
