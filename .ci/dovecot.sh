#!/usr/bin/env bash
# Starts a throwaway Dovecot IMAP server on loopback for the end-to-end tests
# and prints the environment the tests read:
#   SPORTEL_DOVECOT_ADDR, SPORTEL_DOVECOT_USER, SPORTEL_DOVECOT_PASSWORD,
#   SPORTEL_DOVECOT_LAYOUT
# LAYOUT names how mailboxes are named:
#   slash    the hierarchy separator is "/" and there is no namespace prefix
#   maildir  Maildir++ as Courier had it: separator "." and every mailbox
#            under the personal namespace "INBOX." (INBOX.Sportel.Processed)
# Usage: eval "$(bash .ci/dovecot.sh DIR [PORT [LAYOUT]])"
set -euo pipefail
dir=${1:?usage: dovecot.sh DIR [PORT [LAYOUT]]}
port=${2:-10143}
layout=${3:-slash}
case $layout in
  slash) namespace='separator = /' ;;
  maildir) namespace=$'separator = .\n  prefix = INBOX.' ;;
  *) echo "dovecot.sh: unknown layout $layout (slash or maildir)" >&2; exit 2 ;;
esac
user=komunikimi@mkrs.example
pass=dovecot-test-password

command -v dovecot >/dev/null || { echo "dovecot is not installed" >&2; exit 1; }
# Dovecot will not run its mail processes as root: use an unprivileged user.
owner=dovenull
id "$owner" >/dev/null 2>&1 || owner=nobody
rm -rf "$dir"
mkdir -p "$dir/run" "$dir/mail"
chown -R "$owner" "$dir/mail"
uid=$(id -u "$owner"); gid=$(id -g "$owner")
printf '%s:{PLAIN}%s:%s:%s::%s/mail/%%n\n' "$user" "$pass" "$uid" "$gid" "$dir" > "$dir/passwd"

cat > "$dir/dovecot.conf" <<CONF
base_dir = $dir/run
state_dir = $dir/run
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = $owner
default_internal_user = $owner
default_internal_group = $(id -gn "$owner")
mail_uid = $uid
mail_gid = $gid
first_valid_uid = 0
mail_location = maildir:~/Maildir
mailbox_idle_check_interval = 1 secs
log_path = $dir/dovecot.log
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $port
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
service imap-login {
  chroot =
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $dir/passwd
}
userdb {
  driver = passwd-file
  args = username_format=%u $dir/passwd
}
namespace inbox {
  inbox = yes
  $namespace
}
CONF
# Detach from our stdio: the daemon would otherwise hold a caller's pipe open.
dovecot -c "$dir/dovecot.conf" </dev/null >>"$dir/dovecot.log" 2>&1
for _ in $(seq 50); do
  (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break
  sleep 0.1
done
(exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null || { echo "dovecot did not start; log:" >&2; cat "$dir/dovecot.log" >&2 || true; exit 1; }
echo "export SPORTEL_DOVECOT_ADDR=127.0.0.1:$port"
echo "export SPORTEL_DOVECOT_USER=$user"
echo "export SPORTEL_DOVECOT_PASSWORD=$pass"
echo "export SPORTEL_DOVECOT_CONF=$dir/dovecot.conf"
echo "export SPORTEL_DOVECOT_LAYOUT=$layout"
