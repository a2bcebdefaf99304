// Package netguard holds the one rule for where credentials may travel
// without TLS: only to this machine. The configuration check, the IMAP
// watcher and the mailer all ask it, so they cannot disagree.
package netguard

import (
	"crypto/tls"
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

// ClientTLS is the TLS configuration a client of host uses: a copy of base
// (nil: the system roots), at least TLS 1.2, verifying the certificate
// against base's ServerName or, when that is empty, against host. The IMAP
// watcher and the mailer both take it, so they cannot disagree either.
func ClientTLS(base *tls.Config, host string) *tls.Config {
	cfg := &tls.Config{}
	if base != nil {
		cfg = base.Clone()
	}
	if cfg.MinVersion == 0 {
		cfg.MinVersion = tls.VersionTLS12
	}
	if cfg.ServerName == "" {
		cfg.ServerName = strings.Trim(host, "[]")
	}
	return cfg
}
