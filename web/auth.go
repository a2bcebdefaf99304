package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"net"
	"net/http"
	"net/mail"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"sportel/inquiry"
	"sportel/store"
)

// Cookie names (with the __Host- prefix over https: cookieName). The
// session cookie holds the session token; the store keeps only its
// SHA-256. The pre-session cookie ties a sign-in form to the browser that
// fetched it (its CSRF token).
const (
	sessionCookie = "sportel_session"
	preCookie     = "sportel_pre"
	langCookie    = "sportel_lang"
	// doneCookie carries, for a minute, the number of the ticket an action
	// was just done on, for the page the action redirects to.
	doneCookie = "sportel_done"
)

type session struct {
	store.WebSession
	token   string
	officer inquiry.Officer
}

// newToken returns 256 random bits, URL-safe.
func newToken() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("read random bytes: " + err.Error()) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// hashToken is what the store keeps of a token.
func hashToken(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}

// csrfFor derives a form token from a secret the browser holds in an
// HttpOnly cookie: another site can neither read the cookie nor compute
// the token.
func csrfFor(secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("sportel csrf"))
	return hex.EncodeToString(m.Sum(nil))
}

func (s *Server) cookie(name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: s.cookieName(name), Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: s.cfg.SecureCookies, SameSite: http.SameSiteStrictMode}
}

// cookieName is name with the __Host- prefix over https: the browser then
// takes the cookie only from this host, Secure, for Path=/, so a sibling
// subdomain cannot plant a session or a pre-session token here.
func (s *Server) cookieName(name string) string {
	if s.cfg.SecureCookies {
		return "__Host-" + name
	}
	return name
}

// readCookie is the request's cookie set by s.cookie under name.
func (s *Server) readCookie(r *http.Request, name string) (*http.Cookie, error) {
	return r.Cookie(s.cookieName(name))
}

// session returns the request's live session, if any, and records its use.
func (s *Server) session(r *http.Request) (*session, error) {
	c, err := s.readCookie(r, sessionCookie)
	if err != nil || c.Value == "" {
		return nil, nil
	}
	ws, ok, err := s.store.TouchSession(r.Context(), hashToken(c.Value), s.cfg.Now(), s.cfg.Sessions)
	if err != nil || !ok {
		return nil, err
	}
	o, ok := s.officer(ws.OfficerID)
	if !ok {
		// No longer configured (Reconfigure ends such sessions, but one may
		// have been started meanwhile, or its ending failed): the session is
		// ended for good, so that it signs nobody in should the id come back
		// (a reload undone, the id given to someone else).
		ended, err := s.store.RevokeSession(r.Context(), ws.ID, s.cfg.Now())
		if err != nil {
			return nil, err
		}
		if ended {
			s.audit(r.Context(), ws.OfficerID, "signout", "", "session "+strconv.FormatInt(ws.ID, 10)+" ended: no longer in the configuration")
		}
		return nil, nil
	}
	return &session{WebSession: ws, token: c.Value, officer: o}, nil
}

// authed admits only requests with a live session; a state-changing one
// must also carry the session's CSRF token.
func (s *Server) authed(h func(http.ResponseWriter, *http.Request, *session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess, err := s.session(r)
		if err != nil {
			s.internal(w, r, nil, "read session", err)
			return
		}
		if sess == nil {
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				http.Redirect(w, r, "/signin", http.StatusSeeOther)
				return
			}
			s.sessionEnded(w, r)
			return
		}
		if r.Method == http.MethodPost && !tokenEqual(r.PostFormValue("csrf"), csrfFor(sess.token)) {
			s.log.Warn("web: request without a valid CSRF token refused", "officer", sess.OfficerID, "path", r.URL.Path)
			s.fail(w, r, sess, http.StatusForbidden, "forbidden")
			return
		}
		h(w, r, sess)
	}
}

// sessionEnded refuses a form posted without a live session. One posted
// from a page of this browser's session that has since ended (idle, at its
// maximum age, its officer gone from the configuration) says so and shows
// what was written in it, an answer or a note perhaps long, to be copied
// before signing in again: the browser's Back fetches the page anew and
// would not have it. The form's CSRF token, derived from the session's
// cookie, shows the page was the workspace's own in this browser: another
// site cannot post text to be shown here.
func (s *Server) sessionEnded(w http.ResponseWriter, r *http.Request) {
	c, err := s.readCookie(r, sessionCookie)
	if err != nil || c.Value == "" || !tokenEqual(r.PostFormValue("csrf"), csrfFor(c.Value)) {
		s.fail(w, r, nil, http.StatusForbidden, "forbidden")
		return
	}
	p := s.newPage(r, nil, translate(s.language(r, nil), "error"))
	p.CSRF = s.preCSRF(w, r)
	p.Error = p.T("session_ended")
	p.D = endedData{Text: r.PostFormValue("text")}
	s.render(w, http.StatusForbidden, "error", p)
}

// endedData is the error page's when a session ended under a form: the
// text written in it.
type endedData struct{ Text string }

func tokenEqual(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// preCSRF returns the CSRF token of the browser's pre-session cookie,
// setting the cookie when the browser has none.
func (s *Server) preCSRF(w http.ResponseWriter, r *http.Request) string {
	if c, err := s.readCookie(r, preCookie); err == nil && len(c.Value) >= 32 {
		return csrfFor(c.Value)
	}
	v := newToken()
	http.SetCookie(w, s.cookie(preCookie, v, 0))
	return csrfFor(v)
}

// preCSRFOK checks a form posted before sign-in against the pre-session
// cookie.
func (s *Server) preCSRFOK(r *http.Request) bool {
	c, err := s.readCookie(r, preCookie)
	return err == nil && len(c.Value) >= 32 && tokenEqual(r.PostFormValue("csrf"), csrfFor(c.Value))
}

// clientIP is the address the request came from: the peer's, or, when
// the peer is a trusted proxy, the nearest address in X-Forwarded-For that
// is not one (the proxies append what they saw; anything to its left is
// the client's to write).
func (s *Server) clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !s.trusted(peer) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			// Garbage from here on left is the client's own writing.
			break
		}
		a = a.Unmap()
		if !s.trusted(a) {
			return a.String()
		}
	}
	return host
}

func (s *Server) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func (s *Server) signInPage(w http.ResponseWriter, r *http.Request) {
	if sess, _ := s.session(r); sess != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	p := s.newPage(r, nil, translate(s.language(r, nil), "signin"))
	p.CSRF = s.preCSRF(w, r)
	s.render(w, http.StatusOK, "signin", p)
}

// signIn mails a one-time link when the address is an officer's. The
// answer is the same whether it is or not, so the form tells nobody who
// the officers are.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request) {
	if !s.preCSRFOK(r) {
		s.fail(w, r, nil, http.StatusForbidden, "forbidden")
		return
	}
	addr := strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))
	p := s.newPage(r, nil, translate(s.language(r, nil), "signin"))
	p.CSRF = s.preCSRF(w, r)
	if a, err := mail.ParseAddress(addr); err != nil || a.Address != addr {
		p.Error = p.T("email")
		s.render(w, http.StatusBadRequest, "signin", p)
		return
	}
	o, isOfficer := s.officerByEmail(addr)
	key := addr
	if isOfficer {
		// Counted as the officer's address as configured: officerByEmail
		// folds case as Unicode does, so "ſ" (long s) matches "s", and
		// every such spelling counted apart would mail the officer five
		// more links in the window.
		key = strings.ToLower(o.Email)
	}
	allowed, err := s.store.AllowSignInAttempt(r.Context(), []string{"addr:" + key}, s.cfg.Now(), signInWindow, signInPerAddress)
	if err == nil && allowed {
		allowed, err = s.clientAllowed(r)
	}
	if err != nil {
		s.internal(w, r, nil, "count sign-in attempts", err)
		return
	}
	if !allowed {
		s.log.Warn("web: sign-in attempts over the limit", "client", s.clientIP(r))
		p.Error = p.T("too_many")
		s.render(w, http.StatusTooManyRequests, "signin", p)
		return
	}
	if !isOfficer {
		s.log.Info("web: sign-in asked for an address that is no officer's", "client", s.clientIP(r))
	}
	p.Flash = p.T("link_sent")
	if isOfficer {
		// Counted before the answer goes out, so whoever has seen the
		// answer and calls Wait also waits for the link.
		s.background.Add(1)
	}
	s.render(w, http.StatusOK, "signin", p)
	if !isOfficer {
		return
	}
	// The link is written and mailed after the answer went out, so how
	// long the answer takes tells nobody whether the address is an
	// officer's.
	client := s.clientIP(r)
	go func() {
		defer s.background.Done()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), time.Minute)
		defer cancel()
		if err := s.sendLink(ctx, o); err != nil {
			s.log.Error("web: send a sign-in link", "officer", o.ID, "err", err)
			return
		}
		s.audit(ctx, o.ID, "signin_link", "", "mailed; client "+client)
	}()
}

// Wait waits for the sign-in links being written and mailed: call it after
// the server stopped taking requests, before the store closes.
func (s *Server) Wait() { s.background.Wait() }

// clientAllowed applies the wider per-client limit: one office behind one
// address signs in many people.
func (s *Server) clientAllowed(r *http.Request) (bool, error) {
	return s.store.AllowSignInAttempt(r.Context(), []string{"client:" + s.clientIP(r)}, s.cfg.Now(), signInWindow, signInPerClient)
}

func (s *Server) officerByEmail(addr string) (inquiry.Officer, bool) {
	for _, o := range s.settings().Officers {
		if o.HasEmail(addr) {
			return o, true
		}
	}
	return inquiry.Officer{}, false
}

func (s *Server) sendLink(ctx context.Context, o inquiry.Officer) error {
	link, expires, err := s.Linker().NewLink(ctx, o.ID)
	if err != nil {
		return err
	}
	return s.desk.MailSignInLink(ctx, o.ID, link, expires)
}

// Linker issues sign-in links for this workspace.
func (s *Server) Linker() *Linker {
	return &Linker{Store: s.store, BaseURL: s.cfg.BaseURL, Now: s.cfg.Now}
}

// linkPage shows the link's sign-in button. Opening the link signs nobody
// in: mail scanners that follow links would use it up. The button posts.
func (s *Server) linkPage(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(r, nil, translate(s.language(r, nil), "signin"))
	p.CSRF = s.preCSRF(w, r)
	tok := r.URL.Query().Get("t")
	if tok == "" {
		p.Error = p.T("link_bad")
		s.render(w, http.StatusBadRequest, "link", p)
		return
	}
	d := linkData{Token: tok}
	if sess, err := s.session(r); err == nil && sess != nil {
		// Another officer's link (forwarded, or left on a shared desk)
		// would sign this browser in as them, and what is done here
		// would be done in their name: say so before the button.
		d.SignedInAs, d.Replace = sess.officer.Name, sess.ID
	}
	p.D = d
	s.render(w, http.StatusOK, "link", p)
}

// linkData is the link page's: the link's token, and the officer this
// browser is signed in as, if any, with that session's id (Replace), which
// the button's form carries to say the officer was told.
type linkData struct {
	Token      string
	SignedInAs string
	Replace    int64
}

// useLink consumes a one-time link and starts a session.
func (s *Server) useLink(w http.ResponseWriter, r *http.Request) {
	if !s.preCSRFOK(r) {
		s.fail(w, r, nil, http.StatusForbidden, "forbidden")
		return
	}
	tok := r.PostFormValue("t")
	now := s.cfg.Now()
	// A session this browser still holds ends here: one browser, one
	// session, and none left live behind a cookie that was overwritten.
	prev, err := s.session(r)
	if err != nil {
		s.internal(w, r, nil, "read session", err)
		return
	}
	if prev != nil && tok != "" && r.PostFormValue("replace") != strconv.FormatInt(prev.ID, 10) {
		// The link's page did not say so: opened from another site (a
		// webmail), it got no SameSite=Strict cookie and saw no session.
		// Say it now, before the link is used.
		p := s.newPage(r, nil, translate(s.language(r, nil), "signin"))
		p.CSRF = s.preCSRF(w, r)
		p.D = linkData{Token: tok, SignedInAs: prev.officer.Name, Replace: prev.ID}
		s.render(w, http.StatusOK, "link", p)
		return
	}
	officerID, ok := "", false
	if tok != "" {
		officerID, ok, err = s.store.UseSignInLink(r.Context(), hashToken(tok), now)
	}
	if err != nil {
		s.internal(w, r, nil, "use sign-in link", err)
		return
	}
	o, known := s.officer(officerID)
	if !ok || !known {
		s.log.Warn("web: sign-in with an unknown, used or expired link refused", "client", s.clientIP(r))
		p := s.newPage(r, nil, translate(s.language(r, nil), "signin"))
		p.CSRF = s.preCSRF(w, r)
		p.Error = p.T("link_bad")
		s.render(w, http.StatusForbidden, "link", p)
		return
	}
	if prev != nil {
		if _, err := s.store.RevokeSession(r.Context(), prev.ID, now); err != nil {
			s.internal(w, r, nil, "end the previous session", err)
			return
		}
		s.audit(r.Context(), prev.OfficerID, "signout", "", "replaced by a new sign-in")
	}
	sessTok := newToken()
	ws := &store.WebSession{TokenHash: hashToken(sessTok), OfficerID: o.ID, ClientIP: s.clientIP(r), CreatedAt: now, LastSeen: now}
	if c, err := s.readCookie(r, langCookie); err == nil && validLanguage(c.Value) {
		ws.Language = c.Value
	}
	if err := s.store.CreateSession(r.Context(), ws); err != nil {
		s.internal(w, r, nil, "create session", err)
		return
	}
	s.audit(r.Context(), o.ID, "signin", "", "session "+strconv.FormatInt(ws.ID, 10)+"; client "+s.clientIP(r))
	http.SetCookie(w, s.cookie(sessionCookie, sessTok, 0))
	http.SetCookie(w, s.cookie(preCookie, "", -1))
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *Server) signOut(w http.ResponseWriter, r *http.Request, sess *session) {
	if _, err := s.store.RevokeSession(r.Context(), sess.ID, s.cfg.Now()); err != nil {
		s.internal(w, r, sess, "sign out", err)
		return
	}
	s.audit(r.Context(), sess.OfficerID, "signout", "", "")
	http.SetCookie(w, s.cookie(sessionCookie, "", -1))
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}

// language is the session's choice, else the browser's cookie, else
// Albanian.
func (s *Server) language(r *http.Request, sess *session) inquiry.Language {
	if sess != nil && validLanguage(sess.Language) {
		return inquiry.Language(sess.Language)
	}
	if c, err := s.readCookie(r, langCookie); err == nil && validLanguage(c.Value) {
		return inquiry.Language(c.Value)
	}
	return inquiry.Albanian
}

// setLanguage switches the workspace's language, signed in or not.
func (s *Server) setLanguage(w http.ResponseWriter, r *http.Request) {
	sess, err := s.session(r)
	if err != nil {
		s.internal(w, r, nil, "read session", err)
		return
	}
	csrfOK := s.preCSRFOK(r)
	if sess != nil {
		csrfOK = tokenEqual(r.PostFormValue("csrf"), csrfFor(sess.token))
	}
	lang := r.PostFormValue("lang")
	if !csrfOK || !validLanguage(lang) {
		s.fail(w, r, sess, http.StatusForbidden, "forbidden")
		return
	}
	if sess != nil {
		if err := s.store.SetSessionLanguage(r.Context(), sess.ID, lang); err != nil {
			s.internal(w, r, sess, "set language", err)
			return
		}
	}
	http.SetCookie(w, s.cookie(langCookie, lang, 365*24*3600))
	http.Redirect(w, r, localPath(r.PostFormValue("back")), http.StatusSeeOther)
}

// localPath is back when it is a path on this site, else "/": never an
// open redirect. Browsers drop tabs and newlines inside a URL and read a
// backslash as a slash, so "/\t/evil.example" would become
// "//evil.example", another site: any such character refuses the path.
func localPath(back string) string {
	if !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") {
		return "/"
	}
	for _, c := range back {
		if c == '\\' || !unicode.IsPrint(c) {
			return "/"
		}
	}
	if u, err := url.Parse(back); err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return back
}
