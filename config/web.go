package config

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"sportel/netguard"
	"sportel/store"
)

// WebConfig is the officers' web workspace, served by `sportel run`; an
// empty Addr turns it off.
type WebConfig struct {
	// Addr is host:port to listen on; loopback keeps it to this machine
	// (a reverse proxy in front, or TLS below).
	Addr string `yaml:"addr"`
	// BaseURL is how officers reach the workspace (the sign-in links name
	// it); empty derives it from Addr. An https BaseURL marks cookies
	// Secure even when a proxy speaks plain http to Sportel.
	BaseURL string `yaml:"base_url"`
	// TLSCert and TLSKey (PEM files) make Sportel serve https itself.
	TLSCert string `yaml:"tls_cert"`
	TLSKey  string `yaml:"tls_key"`
	// SessionIdle ends a session after this long without a request.
	SessionIdle time.Duration `yaml:"session_idle"`
	// SessionMax ends a session this long after sign-in, however busy it
	// is, so a stolen cookie kept in use still dies.
	SessionMax time.Duration `yaml:"session_max"`
	// TrustedProxies are the addresses (or CIDR ranges) of reverse proxies
	// in front of the workspace, whose X-Forwarded-For is believed.
	TrustedProxies []string `yaml:"trusted_proxies"`
}

// Proxies are TrustedProxies parsed; entries that do not parse (which
// validation refuses) are left out.
func (w WebConfig) Proxies() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range w.TrustedProxies {
		if p, err := parsePrefix(s); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// parsePrefix reads a CIDR range or a single address (a range of one).
func parsePrefix(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// SessionLimits are the session's idle and maximum lifetimes.
func (w WebConfig) SessionLimits() store.SessionLimits {
	return store.SessionLimits{Idle: w.SessionIdle, Max: w.SessionMax}
}

// DefaultWeb is the web section's defaults.
func DefaultWeb() WebConfig {
	return WebConfig{SessionIdle: 8 * time.Hour, SessionMax: 7 * 24 * time.Hour}
}

// Enabled reports whether the workspace is served.
func (w WebConfig) Enabled() bool { return w.Addr != "" }

// TLS reports whether Sportel itself serves https.
func (w WebConfig) TLS() bool { return w.TLSCert != "" }

// URL is the workspace's public base URL without a trailing slash: BaseURL,
// or one made of Addr (https when Sportel serves TLS).
func (w WebConfig) URL() string {
	if w.BaseURL != "" {
		return strings.TrimRight(w.BaseURL, "/")
	}
	scheme := "http"
	if w.TLS() {
		scheme = "https"
	}
	host, port, err := net.SplitHostPort(w.Addr)
	if err != nil {
		return scheme + "://" + w.Addr
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}

// SecureCookies reports whether the workspace is reached over https, so
// its cookies must never travel over plain http.
func (w WebConfig) SecureCookies() bool {
	return w.TLS() || strings.HasPrefix(strings.ToLower(w.URL()), "https://")
}

// maxSessionIdle bounds web.session_idle: a forgotten session must end;
// maxSessionMax bounds web.session_max the same way for a used one.
const (
	maxSessionIdle = 7 * 24 * time.Hour
	maxSessionMax  = 90 * 24 * time.Hour
)

func validateWeb(c checker, w *WebConfig) {
	if w.SessionIdle < time.Minute || w.SessionIdle > maxSessionIdle {
		c.fail("web.session_idle", "must be between 1m and %s, not %s", maxSessionIdle, w.SessionIdle)
	}
	switch {
	case w.SessionMax < time.Hour || w.SessionMax > maxSessionMax:
		c.fail("web.session_max", "must be between 1h and %s, not %s", maxSessionMax, w.SessionMax)
	case w.SessionMax < w.SessionIdle:
		c.fail("web.session_max", "%s is shorter than web.session_idle (%s): sessions would end before they could idle out", w.SessionMax, w.SessionIdle)
	}
	for i, s := range w.TrustedProxies {
		if _, err := parsePrefix(s); err != nil {
			c.fail(fmt.Sprintf("web.trusted_proxies[%d]", i), "%q is not an address or a CIDR range (10.0.0.5, 10.0.0.0/24)", s)
		}
	}
	if (w.TLSCert == "") != (w.TLSKey == "") {
		c.fail("web.tls_cert", "web.tls_cert and web.tls_key go together: give both or neither")
	} else if w.TLSCert != "" {
		if _, err := tls.LoadX509KeyPair(w.TLSCert, w.TLSKey); err != nil {
			c.fail("web.tls_cert", "load certificate and key: %v", err)
		}
	}
	var base *url.URL
	if w.BaseURL != "" {
		u, ok := c.httpURL("web.base_url", w.BaseURL)
		if !ok {
			return
		}
		if u.RawQuery != "" || u.Fragment != "" {
			c.fail("web.base_url", "%s must not have a query or fragment", c.d.show("web.base_url", w.BaseURL))
			return
		}
		base = u
	}
	if w.Addr == "" {
		return
	}
	host, ok := c.hostPort("web.addr", w.Addr, false)
	if !ok {
		return
	}
	// Session cookies cross the network in clear over plain http: only
	// loopback (a proxy on this machine) may be served without https.
	if !w.TLS() && !netguard.IsLoopback(host) && (base == nil || base.Scheme != "https") {
		c.fail("web.addr", "%s is not loopback: serve https (web.tls_cert, web.tls_key) or set an https web.base_url for the proxy in front; sign-in cookies must not cross the network in clear", c.d.show("web.addr", w.Addr))
	}
}

// webSummary says in one line where the workspace is.
func (w WebConfig) webSummary() string {
	if !w.Enabled() {
		return "off"
	}
	tlsNote := "plain http"
	if w.TLS() {
		tlsNote = "https"
	}
	return fmt.Sprintf("%s (%s), links to %s, sessions end after %s idle or %s after sign-in", w.Addr, tlsNote, w.URL(), w.SessionIdle, w.SessionMax)
}
