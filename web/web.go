// Package web is the officers' web workspace: sign-in by one-time links,
// the queue of open tickets with their deadlines, a ticket's whole record
// and the officers' actions on it, and the year's figures. Pages are
// rendered on the server from html/template with one embedded stylesheet;
// nothing needs JavaScript. Every action goes through the desk, like the
// command line's and Telegram's, and is written to the store's audit log.
package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"maps"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"sportel/desk"
	"sportel/inquiry"
	"sportel/store"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Store is what the workspace reads and keeps.
type Store interface {
	store.Web
	// EachTicket reads the figures' tickets one at a time (store.Reader).
	EachTicket(ctx context.Context, f inquiry.TicketFilter, fn func(inquiry.Ticket) error) error
	// ListTicketPage reads a page of the queue's lists with where it
	// stands in the list.
	ListTicketPage(ctx context.Context, f inquiry.TicketFilter, at store.PageAt) (store.TicketPage, error)
	TicketByNumber(ctx context.Context, number string) (inquiry.Ticket, bool, error)
	// RecordPage is a page of a ticket's record without raw mail or
	// files' bytes: what the ticket's page shows.
	RecordPage(ctx context.Context, ticketID, before int64, limit int) ([]store.RecordEntry, bool, error)
	// Entry is one entry of a ticket's record, if the ticket has it.
	Entry(ctx context.Context, ticketID, entryID int64) (inquiry.Entry, bool, error)
	TicketJobs(ctx context.Context, ticketID int64) ([]inquiry.Job, error)
}

// Desk is what officers do through the workspace: the same actions as
// from the command line and Telegram.
type Desk interface {
	Take(ctx context.Context, number, officerID string) (inquiry.Ticket, error)
	Assign(ctx context.Context, number, officerID, by string) (inquiry.Ticket, error)
	Recategorize(ctx context.Context, number string, c inquiry.Category, by string) (inquiry.Ticket, error)
	Urgent(ctx context.Context, number string, on bool, by string) (inquiry.Ticket, error)
	Extend(ctx context.Context, number string, days int, reason, by string) (inquiry.Ticket, error)
	NotHeld(ctx context.Context, number, holder, by string) (inquiry.Ticket, error)
	Answer(ctx context.Context, number, officerID, text string) (inquiry.Ticket, error)
	// AnswerOnce is Answer once for each key: the answer form carries one,
	// so a form sent twice answers once.
	AnswerOnce(ctx context.Context, key, number, officerID, text string) (inquiry.Ticket, bool, error)
	Note(ctx context.Context, number, author, text string) (inquiry.Ticket, error)
	// NoteOnce is Note once for each key, as AnswerOnce.
	NoteOnce(ctx context.Context, key, number, author, text string) (inquiry.Ticket, bool, error)
	CloseWith(ctx context.Context, number string, c desk.Closing, by string) (inquiry.Ticket, error)
	// CloseWithOnce is CloseWith once for each key, as AnswerOnce: a
	// closing sent twice closes, and sends its decision, once.
	CloseWithOnce(ctx context.Context, key, number string, c desk.Closing, by string) (inquiry.Ticket, bool, error)
	Reopen(ctx context.Context, number, by string) (inquiry.Ticket, error)
	MailSignInLink(ctx context.Context, officerID, link string, expires time.Time) error
	// StandardText is a draft of kind (desk.StandardTextKindsFor) for t in
	// the requester's language, signed by officerID.
	StandardText(kind string, t inquiry.Ticket, officerID string) (string, error)
}

// Config is what the workspace needs to know.
type Config struct {
	// BaseURL is the workspace's public address, without a trailing
	// slash; sign-in links start with it.
	BaseURL string
	// SecureCookies marks cookies Secure (the workspace is reached over
	// https).
	SecureCookies bool
	// Sessions end when unused for Sessions.Idle (default 8h) or
	// Sessions.Max after sign-in (0: never).
	Sessions store.SessionLimits
	// TrustedProxies are the addresses of reverse proxies in front of the
	// workspace: a request from one of them is judged by the client address
	// it reports in X-Forwarded-For (the per-client sign-in limit, the
	// logs, the audit). Requests from anywhere else have the header
	// ignored, so nobody can claim another address.
	TrustedProxies []netip.Prefix
	// Officers, RefusalGrounds, DivisionName and Location are the
	// settings the workspace starts with; a configuration reload replaces
	// them with Reconfigure.
	Officers []inquiry.Officer
	// RefusalGrounds are offered when closing as refused or partly granted.
	RefusalGrounds []desk.Ground
	// DivisionName signs the answer's starting text, by language.
	DivisionName map[inquiry.Language]string
	// Location is tickets.timezone: times are shown in it.
	Location *time.Location
	// Now is the clock (tests set it); nil is time.Now.
	Now func() time.Time
	// MailPaused, when set, reports whether this instance's outbox has
	// paused every mail send because the SMTP relay fails, and since when;
	// every signed-in page then says so. Each instance has its own outbox
	// and says only what its own does: another may be sending meanwhile,
	// and an officer's answer goes from whichever claims it.
	MailPaused func() (since time.Time, paused bool)
	// ChatPaused is MailPaused for Telegram: whether this instance's
	// outbox has paused every Telegram send because the Bot API fails.
	ChatPaused func() (since time.Time, paused bool)
}

// Limits on sign-in requests, counted in the store per address and per
// client address: enough for a person who mistypes, too few to probe.
const (
	signInWindow     = 15 * time.Minute
	signInPerAddress = 5
	signInPerClient  = 30
	// LinkValidity is how long a one-time sign-in link works.
	LinkValidity = 15 * time.Minute
)

// Settings is what a configuration reload may change for the workspace:
// who may sign in, the refusal grounds offered, the division's name that
// signs answers, and the time zone times are shown in. A Settings in use
// is never changed, only replaced whole (Reconfigure), so whoever holds
// one reads a consistent set.
type Settings struct {
	Officers       []inquiry.Officer
	RefusalGrounds []desk.Ground
	DivisionName   map[inquiry.Language]string
	Location       *time.Location
}

// settingsOf is a private copy of in, so the caller's slices and map may
// change later without reaching a Settings in use.
func settingsOf(in Settings) *Settings {
	out := &Settings{Officers: slices.Clone(in.Officers), RefusalGrounds: slices.Clone(in.RefusalGrounds),
		DivisionName: maps.Clone(in.DivisionName), Location: in.Location}
	if out.Location == nil {
		out.Location = time.UTC
	}
	return out
}

// settings returns the settings in use.
func (s *Server) settings() *Settings { return s.live.Load() }

// officer returns the configured officer with id.
func (s *Server) officer(id string) (inquiry.Officer, bool) {
	for _, o := range s.settings().Officers {
		if o.ID == id {
			return o, true
		}
	}
	return inquiry.Officer{}, false
}

// Reconfigure puts next in use, as a configuration reload does: the next
// request reads it. The sessions of officers next no longer names are
// ended in the store and the audit log says why; should the store fail
// there, the error is returned, and such a session is still refused at its
// next request (session), since next is in use whatever happens.
func (s *Server) Reconfigure(ctx context.Context, next Settings) error {
	prev := s.live.Swap(settingsOf(next))
	var errs []error
	for _, o := range prev.Officers {
		if slices.ContainsFunc(next.Officers, func(n inquiry.Officer) bool { return n.ID == o.ID }) {
			continue
		}
		n, err := s.store.RevokeOfficerSessions(ctx, o.ID, s.cfg.Now())
		if err != nil {
			errs = append(errs, fmt.Errorf("web: end the sessions of %s, no longer an officer: %w", o.ID, err))
			continue
		}
		if n > 0 {
			s.log.Info("web: sessions of an officer no longer in the configuration ended", "officer", o.ID, "sessions", n)
			s.audit(ctx, o.ID, "signout", "", fmt.Sprintf("no longer in the configuration; %d sessions ended", n))
		}
	}
	return errors.Join(errs...)
}

// Server is the workspace's HTTP handler.
type Server struct {
	cfg Config
	// live holds the settings a reload changes (Reconfigure); cfg's
	// copies of them are only the first.
	live  atomic.Pointer[Settings]
	store Store
	desk  Desk
	log   *slog.Logger
	pages map[string]*template.Template
	mux   *http.ServeMux
	// background holds the sign-in links being written and mailed.
	background sync.WaitGroup
}

// New returns the workspace.
func New(cfg Config, st Store, d Desk, log *slog.Logger) (*Server, error) {
	if cfg.BaseURL == "" {
		return nil, errors.New("web: no base URL")
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.Sessions.Idle <= 0 {
		cfg.Sessions.Idle = 8 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Server{cfg: cfg, store: st, desk: d, log: log}
	s.live.Store(settingsOf(Settings{Officers: cfg.Officers, RefusalGrounds: cfg.RefusalGrounds,
		DivisionName: cfg.DivisionName, Location: cfg.Location}))
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	s.pages = pages
	s.routes()
	return s, nil
}

func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: list templates: %w", err)
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("web: parse %s: %w", n, err)
		}
		pages[base] = t
	}
	return pages, nil
}

var funcs = template.FuncMap{
	"size": func(n int64) string {
		switch {
		case n >= 1<<20:
			return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
		case n >= 1<<10:
			return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
		}
		return fmt.Sprintf("%d B", n)
	},
}

// ServeHTTP serves the workspace with its security headers.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	// No scripts at all; forms post only here; never framed; the sign-in
	// link's token never leaves in a Referer.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	// No other site's window keeps a handle on a workspace page (and so
	// on its history or its name), and no other site loads its answers as
	// images, scripts or frames.
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	if s.cfg.SecureCookies {
		// Reached over https: the browser never tries plain http again,
		// where a sign-in form or link could be intercepted.
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	if !strings.HasPrefix(r.URL.Path, "/static/") {
		h.Set("Cache-Control", "no-store")
	}
	// Forms are read whole before any handler runs, within a bound: the
	// largest is an answer's text.
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if r.Method == http.MethodPost {
		if err := r.ParseForm(); err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				s.fail(w, r, nil, http.StatusRequestEntityTooLarge, "too_large")
				return
			}
			s.fail(w, r, nil, http.StatusBadRequest, "bad_request")
			return
		}
	}
	// Browsers send UTF-8 only: other bytes come from a hand-made request,
	// and PostgreSQL would refuse them (a "system failed" page, an error
	// logged) where SQLite kept them, an answer mailed broken.
	if !validUTF8(r.URL.Query()) || !validUTF8(r.PostForm) {
		s.fail(w, r, nil, http.StatusBadRequest, "bad_request")
		return
	}
	s.mux.ServeHTTP(w, r)
}

// validUTF8 reports whether every key and value of v is UTF-8.
func validUTF8(v url.Values) bool {
	for k, vals := range v {
		if !utf8.ValidString(k) {
			return false
		}
		for _, x := range vals {
			if !utf8.ValidString(x) {
				return false
			}
		}
	}
	return true
}

// maxFormBytes bounds a request's body: far above any answer an officer
// writes, far below what would strain the daemon.
const maxFormBytes = 1 << 20

func (s *Server) routes() {
	m := http.NewServeMux()
	static, _ := fs.Sub(staticFiles, "static")
	m.HandleFunc(staticPattern, serveStatic(static, func(w http.ResponseWriter, r *http.Request) {
		// The page may set the pre-session cookie: no cache keeps it.
		w.Header().Set("Cache-Control", "no-store")
		s.fail(w, r, nil, http.StatusNotFound, "not_found")
	}))
	m.HandleFunc("GET /signin", s.signInPage)
	m.HandleFunc("POST /signin", s.signIn)
	m.HandleFunc("GET /signin/link", s.linkPage)
	m.HandleFunc("POST /signin/link", s.useLink)
	m.HandleFunc("POST /lang", s.setLanguage)
	m.HandleFunc("POST /signout", s.authed(s.signOut))
	m.HandleFunc("GET /{$}", s.authed(s.queuePage))
	m.HandleFunc("GET /t/{number}", s.authed(s.ticketPage))
	m.HandleFunc("POST /t/{number}/{action}", s.authed(s.ticketAction))
	m.HandleFunc("GET /t/{number}/raw/{entry}", s.authed(s.rawMessage))
	m.HandleFunc("GET /t/{number}/attachment/{entry}/{index}", s.authed(s.attachment))
	m.HandleFunc("GET /figures", s.authed(s.figuresPage))
	m.HandleFunc("GET /figures/{file}", s.authed(s.figuresDownload))
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, nil, http.StatusNotFound, "not_found")
	})
	s.mux = m
}

// staticPattern is where the embedded files are served, each by its name.
const staticPattern = "GET /static/{name...}"

// serveStatic serves the regular files of fsys by the name staticPattern
// matched. A directory is notFound's, never a listing: what is there is
// the workspace's to link, not a visitor's to browse.
func serveStatic(fsys fs.FS, notFound http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		if fi, err := fs.Stat(fsys, name); err != nil || !fi.Mode().IsRegular() {
			notFound(w, r)
			return
		}
		http.ServeFileFS(w, r, fsys, name)
	}
}

// page is what every template gets.
type page struct {
	Lang    inquiry.Language
	Title   string
	Officer *inquiry.Officer
	CSRF    string
	Path    string
	Error   string
	Flash   string
	Langs   []langOption
	Figures bool
	// MailPaused, when mail sends are paused, is since when, in the
	// workspace's time zone; "" when mail goes.
	MailPaused string
	// ChatPaused is MailPaused for Telegram sends.
	ChatPaused string
	D          any
}

type langOption struct {
	Tag      string
	Name     string
	Selected bool
}

// T translates key into the page's language.
func (p page) T(key string) string { return translate(p.Lang, key) }

// Tf translates key and fills in args.
func (p page) Tf(key string, args ...any) string { return fmt.Sprintf(translate(p.Lang, key), args...) }

func (s *Server) newPage(r *http.Request, sess *session, title string) page {
	lang := s.language(r, sess)
	p := page{Lang: lang, Title: title, Path: r.URL.RequestURI(), Figures: true}
	for _, l := range languages {
		p.Langs = append(p.Langs, langOption{Tag: string(l.Tag), Name: l.Name, Selected: l.Tag == lang})
	}
	if sess != nil {
		o := sess.officer
		p.Officer = &o
		p.CSRF = csrfFor(sess.token)
		// Officers only: whoever reaches the sign-in page learns nothing
		// of the relay.
		if s.cfg.MailPaused != nil {
			if since, paused := s.cfg.MailPaused(); paused {
				p.MailPaused = since.In(s.settings().Location).Format("02.01.2006 15:04")
			}
		}
		if s.cfg.ChatPaused != nil {
			if since, paused := s.cfg.ChatPaused(); paused {
				p.ChatPaused = since.In(s.settings().Location).Format("02.01.2006 15:04")
			}
		}
	}
	return p
}

func (s *Server) render(w http.ResponseWriter, status int, name string, p page) {
	t, ok := s.pages[name]
	if !ok {
		http.Error(w, "no page "+name, http.StatusInternalServerError)
		return
	}
	var b strings.Builder
	if err := t.Execute(&b, p); err != nil {
		s.log.Error("render page", "page", name, "err", err)
		http.Error(w, "render error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(b.String()))
}

// fail shows an error page with the text of key.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, sess *session, status int, key string) {
	p := s.newPage(r, sess, translate(s.language(r, sess), "error"))
	if sess == nil {
		// The pre-session token lets the language switch work here too.
		p.CSRF = s.preCSRF(w, r)
	}
	p.Error = p.T(key)
	s.render(w, status, "error", p)
}

// internal shows that the system failed (the store could not be read or
// written): the officer reads, in the page's language, that what they
// asked for was not done or shown and to try again; what failed and the
// error are the log's, never the page's.
//
// A store momentarily busy is no failure: the page says the system is busy
// and to try again in a moment, and the log says so at warning level.
func (s *Server) internal(w http.ResponseWriter, r *http.Request, sess *session, what string, err error) {
	busy := errors.Is(err, store.ErrBusy)
	if busy {
		s.log.Warn("web: "+what+": the store is busy", "err", err)
	} else {
		s.log.Error("web: "+what, "err", err)
	}
	p := s.newPage(r, sess, translate(s.language(r, sess), "error"))
	switch {
	case busy && r.Method == http.MethodPost:
		p.Error = p.T("busy_action")
	case busy:
		p.Error = p.T("busy")
	case r.Method == http.MethodPost:
		p.Error = desk.InternalFailureText(p.Lang)
	default:
		p.Error = p.T("system_failed")
	}
	s.render(w, s.failureStatus(w, err), "error", p)
}

// failureStatus is the status of a failure of the system, err: 503 with a
// Retry-After when a retry soon may do, because the store was busy
// (store.ErrBusy: a lock held elsewhere, a conflict, no connection free)
// or did not answer in its time; 500 for anything else.
func (s *Server) failureStatus(w http.ResponseWriter, err error) int {
	switch {
	case errors.Is(err, store.ErrBusy):
		// Locks are held for a transaction's time: seconds at most.
		w.Header().Set("Retry-After", "5")
		return http.StatusServiceUnavailable
	case errors.Is(err, context.DeadlineExceeded):
		w.Header().Set("Retry-After", "30")
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

func (s *Server) audit(ctx context.Context, officerID, action, ticket, detail string) {
	e := &store.AuditEntry{OfficerID: officerID, Action: action, Ticket: ticket, Detail: detail, At: s.cfg.Now()}
	if err := s.store.AddAudit(ctx, e); err != nil {
		s.log.Error("web: write audit log", "officer", officerID, "action", action, "ticket", ticket, "err", err)
	}
}
