package netguard

import (
	"crypto/tls"
	"crypto/x509"
	"testing"
)

func TestIsLoopback(t *testing.T) {
	tests := []struct {
		host string
		want bool
	}{
		{"localhost", true},
		{"LocalHost", true},
		{"127.0.0.1", true},
		{"127.1.2.3", true},
		{"::1", true},
		{"[::1]", true},
		{"10.0.0.1", false},
		{"imap.mkrs.example", false},
		{"localhost.example.org", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := IsLoopback(tt.host); got != tt.want {
			t.Errorf("IsLoopback(%q) = %v, want %v", tt.host, got, tt.want)
		}
	}
}

func TestClientTLS(t *testing.T) {
	roots := x509.NewCertPool()
	tests := []struct {
		name      string
		base      *tls.Config
		host      string
		wantName  string
		wantMin   uint16
		wantRoots *x509.CertPool
	}{
		{"nothing configured", nil, "imap.mkrs.example", "imap.mkrs.example", tls.VersionTLS12, nil},
		{"ipv6 literal", nil, "[::1]", "::1", tls.VersionTLS12, nil},
		{"configured name wins", &tls.Config{ServerName: "mail.rks-gov.example"}, "10.0.0.5", "mail.rks-gov.example", tls.VersionTLS12, nil},
		{"private CA and newer minimum kept", &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS13}, "smtp.mkrs.example", "smtp.mkrs.example", tls.VersionTLS13, roots},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ClientTLS(tt.base, tt.host)
			if got.ServerName != tt.wantName || got.MinVersion != tt.wantMin || got.RootCAs != tt.wantRoots || got.InsecureSkipVerify {
				t.Errorf("ClientTLS = ServerName %q MinVersion %x RootCAs %p Insecure %v; want %q %x %p false",
					got.ServerName, got.MinVersion, got.RootCAs, got.InsecureSkipVerify, tt.wantName, tt.wantMin, tt.wantRoots)
			}
			if tt.base != nil && got == tt.base {
				t.Error("ClientTLS returned base itself; callers' configs must not be changed")
			}
		})
	}
}
