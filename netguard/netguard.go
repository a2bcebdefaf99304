// Package netguard holds the one rule for where credentials may travel
// without TLS: only to this machine. The configuration check, the IMAP
// watcher and the mailer all ask it, so they cannot disagree.
package netguard

import (
	"net"
	"strings"
)

// IsLoopback reports whether host (a name or an IP address, without port)
// is this machine: "localhost" in any case, or a loopback address.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}
