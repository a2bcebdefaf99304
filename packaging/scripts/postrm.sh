#!/bin/sh
# The database holds the division's record: a purge removes the package's
# files and its secrets, never /var/lib/sportel. Paths go through DPKG_ROOT,
# which dpkg sets when it installs into another root.
set -e
if [ -z "${DPKG_ROOT:-}" ] && [ -d /run/systemd/system ]; then
  systemctl daemon-reload >/dev/null 2>&1 || true
fi
if [ "$1" = purge ]; then
  # The secrets are configuration the administrator put there for this
  # package: they go with it, not stay behind in /etc.
  rm -rf "$DPKG_ROOT/etc/sportel/credentials"
  rmdir "$DPKG_ROOT/etc/sportel" 2>/dev/null || true
  if getent passwd sportel >/dev/null; then
    if [ -e "$DPKG_ROOT/var/lib/sportel" ]; then
      # Without its user the record would belong to a bare uid, which the
      # next system user adduser makes gets, with every citizen's mail.
      echo "sportel: the system user sportel is kept: /var/lib/sportel (the division's record) is its; remove both by hand when the record may go" >&2
    else
      deluser --quiet --system sportel >/dev/null 2>&1 || true
    fi
  fi
fi
