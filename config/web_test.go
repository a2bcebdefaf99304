package config

import (
	"cmp"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// writeCert writes a self-signed certificate and its key as PEM files.
func writeCert(t *testing.T) (cert, key string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), DNSNames: []string{"localhost"}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cert, key = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	return cert, key
}

func TestWebSection(t *testing.T) {
	cert, key := writeCert(t)
	cases := []struct {
		name        string
		web         string
		wantErr     []string // each a substring of the error; none: valid
		wantURL     string
		wantSecure  bool
		wantIdle    time.Duration
		wantMax     time.Duration // 0: the default, 7 days
		wantProxies []string
	}{
		{name: "absent: off", web: "", wantURL: "http://", wantIdle: 8 * time.Hour},
		{name: "loopback", web: "web:\n  addr: 127.0.0.1:8080\n", wantURL: "http://127.0.0.1:8080", wantIdle: 8 * time.Hour},
		{name: "proxy with https base", web: "web:\n  addr: 127.0.0.1:8080\n  base_url: https://dkp.mkrs.example/\n  session_idle: 2h\n",
			wantURL: "https://dkp.mkrs.example", wantSecure: true, wantIdle: 2 * time.Hour},
		{name: "own tls on all addresses", web: "web:\n  addr: 0.0.0.0:8443\n  tls_cert: " + cert + "\n  tls_key: " + key + "\n",
			wantURL: "https://localhost:8443", wantSecure: true, wantIdle: 8 * time.Hour},
		{name: "public plain http", web: "web:\n  addr: 0.0.0.0:8080\n",
			wantErr: []string{"web.addr: \"0.0.0.0:8080\" is not loopback"}},
		{name: "public with http base", web: "web:\n  addr: 10.0.0.5:8080\n  base_url: http://dkp.mkrs.example\n",
			wantErr: []string{"web.addr: \"10.0.0.5:8080\" is not loopback"}},
		{name: "cert without key", web: "web:\n  addr: 127.0.0.1:8443\n  tls_cert: " + cert + "\n",
			wantErr: []string{"web.tls_cert: web.tls_cert and web.tls_key go together"}},
		{name: "unreadable cert", web: "web:\n  addr: 127.0.0.1:8443\n  tls_cert: /nonexistent/c.pem\n  tls_key: /nonexistent/k.pem\n",
			wantErr: []string{"web.tls_cert: load certificate and key"}},
		{name: "bad addr", web: "web:\n  addr: localhost\n", wantErr: []string{`web.addr: "localhost" is not a host:port address`}},
		{name: "bad base url", web: "web:\n  addr: 127.0.0.1:8080\n  base_url: dkp.mkrs.example\n",
			wantErr: []string{`web.base_url: "dkp.mkrs.example" is not an http(s) URL`}},
		{name: "base url with query", web: "web:\n  addr: 127.0.0.1:8080\n  base_url: https://dkp.mkrs.example/?a=1\n",
			wantErr: []string{"web.base_url: \"https://dkp.mkrs.example/?a=1\" must not have a query"}},
		{name: "idle too short", web: "web:\n  addr: 127.0.0.1:8080\n  session_idle: 10s\n",
			wantErr: []string{"web.session_idle: must be between 1m and 168h0m0s, not 10s"}},
		{name: "idle too long", web: "web:\n  session_idle: 720h\n",
			wantErr: []string{"web.session_idle: must be between 1m and 168h0m0s"}},
		{name: "max of a working day", web: "web:\n  addr: 127.0.0.1:8080\n  session_idle: 1h\n  session_max: 10h\n",
			wantURL: "http://127.0.0.1:8080", wantIdle: time.Hour, wantMax: 10 * time.Hour},
		{name: "max too short", web: "web:\n  session_max: 30m\n",
			wantErr: []string{"web.session_max: must be between 1h and 2160h0m0s, not 30m0s"}},
		{name: "max too long", web: "web:\n  session_max: 4000h\n",
			wantErr: []string{"web.session_max: must be between 1h and 2160h0m0s"}},
		{name: "trusted proxies", web: "web:\n  addr: 127.0.0.1:8080\n  trusted_proxies: [127.0.0.1, 10.0.0.0/8, \"::1\"]\n",
			wantURL: "http://127.0.0.1:8080", wantIdle: 8 * time.Hour, wantProxies: []string{"127.0.0.1/32", "10.0.0.0/8", "::1/128"}},
		{name: "bad trusted proxy", web: "web:\n  trusted_proxies: [10.0.0.0/8, proxy.local]\n",
			wantErr: []string{`web.trusted_proxies[1]: "proxy.local" is not an address or a CIDR range`}},
		{name: "max shorter than idle", web: "web:\n  session_idle: 8h\n  session_max: 4h\n",
			wantErr: []string{"web.session_max: 4h0m0s is shorter than web.session_idle (8h0m0s)"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Parse(doc(map[string]string{"extra": tc.web}), testEnv())
			if len(tc.wantErr) > 0 {
				if err == nil {
					t.Fatalf("parsed; want errors %q", tc.wantErr)
				}
				for _, w := range tc.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error\n%v\nlacks %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			if tc.web != "" && cfg.Web.URL() != tc.wantURL {
				t.Errorf("URL() = %q, want %q", cfg.Web.URL(), tc.wantURL)
			}
			if cfg.Web.SecureCookies() != tc.wantSecure {
				t.Errorf("SecureCookies() = %v, want %v", cfg.Web.SecureCookies(), tc.wantSecure)
			}
			if cfg.Web.SessionIdle != tc.wantIdle {
				t.Errorf("session_idle = %s, want %s", cfg.Web.SessionIdle, tc.wantIdle)
			}
			var proxies []string
			for _, p := range cfg.Web.Proxies() {
				proxies = append(proxies, p.String())
			}
			if !slices.Equal(proxies, tc.wantProxies) {
				t.Errorf("Proxies() = %v, want %v", proxies, tc.wantProxies)
			}
			wantMax := cmp.Or(tc.wantMax, 7*24*time.Hour)
			if l := cfg.Web.SessionLimits(); l.Max != wantMax || l.Idle != tc.wantIdle {
				t.Errorf("SessionLimits() = %+v, want idle %s, max %s", l, tc.wantIdle, wantMax)
			}
			if tc.web == "" && cfg.Web.Enabled() {
				t.Error("web enabled without a web section")
			}
		})
	}
}
