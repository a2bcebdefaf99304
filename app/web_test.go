package app

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"io"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/mail"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"sportel/internal/testutil"
)

// `sportel run` with web.addr serves the workspace: an officer asks for a
// link, it arrives by mail through the outbox, and it signs them in to a
// queue that lists the ticket filed from the mailbox.
func TestRunServesTheWorkspace(t *testing.T) {
	s := newMemStack(t)
	s.cfg.Web.Addr = testutil.FreeAddr(t)
	s.append(inboundMail{from: "Arben Hoxha <arben@example.net>", subject: "Pyetje për muzeun", messageID: "web-1@example.net", body: "Kur hapet muzeu?"}.raw())
	_, stop := s.serve()
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := s.smtp.WaitFor(ctx, 2); err != nil { // the acknowledgement and the notification
		t.Fatal(err)
	}
	base := "http://" + s.cfg.Web.Addr
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	get := func(u string) string {
		t.Helper()
		var body string
		testutil.Eventually(t, "GET "+u, 10*time.Second, func() (bool, error) {
			resp, err := c.Get(u)
			if err != nil {
				return false, nil
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			body = string(b)
			return resp.StatusCode == http.StatusOK, err
		})
		return body
	}
	csrf := regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)
	page := get(base + "/signin")
	before := s.smtp.Count()
	resp, err := c.PostForm(base+"/signin", url.Values{"csrf": {csrf.FindStringSubmatch(page)[1]}, "email": {"jusuf.lushaku@mkrs.example"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	mails, err := s.smtp.WaitFor(ctx, before+1)
	if err != nil {
		t.Fatal(err)
	}
	signIn := mails[before]
	if len(signIn.To) != 1 || signIn.To[0] != "jusuf.lushaku@mkrs.example" {
		t.Fatalf("sign-in mail went to %v", signIn.To)
	}
	m := regexp.MustCompile(`http://[^\s]+/signin/link\?t=[A-Za-z0-9_-]+`).Find(mailText(t, signIn.Data))
	if m == nil {
		t.Fatalf("no link in the sign-in mail:\n%s", signIn.Data)
	}
	page = get(string(m))
	resp, err = c.PostForm(base+"/signin/link", url.Values{"csrf": {csrf.FindStringSubmatch(page)[1]},
		"t": {regexp.MustCompile(`name="t" value="([^"]+)"`).FindStringSubmatch(page)[1]}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "Pyetje për muzeun") || !strings.Contains(string(b), "Jusuf Lushaku") {
		t.Errorf("queue after sign-in = %d\n%s", resp.StatusCode, b)
	}
	if strings.Contains(string(b), "mail-paused") {
		t.Error("the queue says the mail is paused while the relay answers")
	}

	// The relay goes away; the next mail (a sign-in link asked for in
	// another browser) meets it, and the outbox pauses the mail: the
	// signed-in officer's pages say so, without the relay's error.
	s.smtp.Close()
	otherJar, _ := cookiejar.New(nil)
	other := &http.Client{Jar: otherJar}
	resp, err = other.Get(base + "/signin")
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	page = string(b)
	resp, err = other.PostForm(base+"/signin", url.Values{"csrf": {csrf.FindStringSubmatch(page)[1]}, "email": {"zamira.ahmeti@mkrs.example"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("asking for a sign-in link = %d", resp.StatusCode)
	}
	var banner string
	testutil.Eventually(t, "the queue saying the mail is paused", 20*time.Second, func() (bool, error) {
		m := regexp.MustCompile(`(?s)<div[^>]*id="mail-paused">(.*?)</div>`).FindStringSubmatch(get(base + "/"))
		if m == nil {
			return false, nil
		}
		banner = m[1]
		return true, nil
	})
	if !strings.Contains(banner, "Posta për qytetarët nuk po dërgohet tani.") {
		t.Errorf("the banner reads %q", banner)
	}
	for _, leak := range []string{"refused", "dial", s.cfg.SMTP.Addr} {
		if strings.Contains(banner, leak) {
			t.Errorf("the banner shows %q: %q", leak, banner)
		}
	}
}

// mailText is the decoded text of a single-part mail.
func mailText(t *testing.T, raw []byte) []byte {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var r io.Reader = msg.Body
	switch strings.ToLower(msg.Header.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, r)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// With web.tls_cert and web.tls_key the workspace speaks https itself, and
// its cookies are Secure.
func TestRunServesTheWorkspaceOverTLS(t *testing.T) {
	srvTLS, clientTLS := testutil.SelfSignedTLS(t)
	dir := t.TempDir()
	certFile, keyFile := dir+"/cert.pem", dir+"/key.pem"
	keyDER, err := x509.MarshalPKCS8PrivateKey(srvTLS.Certificates[0].PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srvTLS.Certificates[0].Certificate[0]}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	s := newMemStack(t)
	s.cfg.Web.Addr, s.cfg.Web.TLSCert, s.cfg.Web.TLSKey = testutil.FreeAddr(t), certFile, keyFile
	_, stop := s.serve()
	defer stop()

	c := &http.Client{Transport: &http.Transport{TLSClientConfig: clientTLS}}
	var resp *http.Response
	testutil.Eventually(t, "the workspace over https", 10*time.Second, func() (bool, error) {
		r, err := c.Get("https://" + s.cfg.Web.Addr + "/signin")
		if err != nil {
			return false, nil
		}
		resp = r
		return true, nil
	})
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.TLS == nil {
		t.Fatalf("GET /signin over https = %d, TLS %v", resp.StatusCode, resp.TLS != nil)
	}
	if c := resp.Header.Get("Set-Cookie"); !strings.Contains(c, "Secure") || !strings.Contains(c, "HttpOnly") || !strings.Contains(c, "SameSite=Strict") {
		t.Errorf("cookie over https = %q, want Secure, HttpOnly, SameSite=Strict", c)
	}
	// Plain http to the https port gets Go's 400 answer, never a page.
	if r, err := http.Get("http://" + s.cfg.Web.Addr + "/signin"); err == nil {
		r.Body.Close()
		if r.StatusCode == http.StatusOK {
			t.Error("the workspace answered plain http on its https port")
		}
	}
}

// A shutdown lets a request in flight finish before ServeWeb returns: the
// daemon closes its store after that, and an officer's answer being
// committed must not be cut off under them.
func TestServeWebWaitsForRequestsInFlight(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	entered, release := make(chan struct{}), make(chan struct{})
	var finished atomic.Bool
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
		finished.Store(true)
		io.WriteString(w, "ok")
	})
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	served := make(chan error, 1)
	go func() { served <- ServeWeb(ctx, ln, h, "", "", testutil.DiscardLogger()) }()
	answered := make(chan error, 1)
	go func() {
		resp, err := http.Post("http://"+ln.Addr().String()+"/answer", "text/plain", nil)
		if err == nil {
			resp.Body.Close()
		}
		answered <- err
	}()
	<-entered
	stop()
	select {
	case err := <-served:
		t.Fatalf("ServeWeb returned (%v) while a request was still being handled", err)
	case <-time.After(200 * time.Millisecond):
	}
	close(release)
	if err := <-served; err != nil {
		t.Fatalf("ServeWeb: %v", err)
	}
	if !finished.Load() {
		t.Error("ServeWeb returned before the request finished")
	}
	if err := <-answered; err != nil {
		t.Errorf("the request in flight failed: %v", err)
	}
}
