package app

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"sportel/config"
	"sportel/web"
)

// NewWeb returns the officers' web workspace on this app's store and desk;
// baseURL is where officers reach it ("" : web.base_url, or made of
// web.addr). Later reloads reach it (joinWeb): who may sign in, the
// refusal grounds, the division's name and the time zone follow the
// configuration in use.
func (a *App) NewWeb(baseURL string) (*web.Server, error) {
	if baseURL == "" {
		baseURL = a.cfg.Web.URL()
	}
	l := &a.live
	l.mu.Lock()
	defer l.mu.Unlock()
	// The configuration in use, not the one started with: a reload may
	// have come before the workspace was built.
	set := webSettings(l.config())
	srv, err := web.New(web.Config{
		BaseURL:        baseURL,
		SecureCookies:  a.cfg.Web.SecureCookies(),
		Sessions:       a.cfg.Web.SessionLimits(),
		TrustedProxies: a.cfg.Web.Proxies(),
		Officers:       set.Officers,
		RefusalGrounds: set.RefusalGrounds,
		DivisionName:   set.DivisionName,
		Location:       set.Location,
		MailPaused:     a.mailPaused,
		ChatPaused:     a.chatPaused,
	}, a.store, liveDesk{a}, a.log.With("component", "web"))
	if err != nil {
		return nil, err
	}
	l.webs = append(l.webs, srv)
	return srv, nil
}

// mailPaused reports whether this instance's running outbox has paused
// the mail because the SMTP relay fails, and since when: the workspace's
// banner. Of several instances on one database each reports its own
// outbox, which meets the relay from its own host; none while no outbox
// runs.
func (a *App) mailPaused() (since time.Time, paused bool) {
	if ob := a.outbox.Load(); ob != nil {
		return ob.MailPausedSince()
	}
	return time.Time{}, false
}

// chatPaused is mailPaused for Telegram: whether this instance's outbox
// has paused the Telegram sends because the Bot API fails.
func (a *App) chatPaused() (since time.Time, paused bool) {
	if ob := a.outbox.Load(); ob != nil {
		return ob.ChatPausedSince()
	}
	return time.Time{}, false
}

// webSettings is what of cfg the workspace reads and a reload may change.
func webSettings(cfg *config.Config) web.Settings {
	return web.Settings{Officers: cfg.Officers, RefusalGrounds: deskGrounds(cfg.Tickets.RefusalGrounds),
		DivisionName: cfg.Division.Name.ByLanguage(), Location: cfg.Tickets.Location}
}

// webLinks issues sign-in links for Telegram's /login; nil when the
// workspace is off.
func (a *App) webLinks() *web.Linker {
	if !a.cfg.Web.Enabled() {
		return nil
	}
	return &web.Linker{Store: a.store, BaseURL: a.cfg.Web.URL()}
}

// runWeb serves the workspace on web.addr until ctx ends.
func (a *App) runWeb(ctx context.Context) error {
	srv, err := a.NewWeb("")
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", a.cfg.Web.Addr)
	if err != nil {
		return fmt.Errorf("web: listen on %s: %w", a.cfg.Web.Addr, err)
	}
	err = ServeWeb(ctx, ln, srv, a.cfg.Web.TLSCert, a.cfg.Web.TLSKey, a.log)
	srv.Wait()
	return err
}

// ServeWeb serves h on ln (https when certFile is set) until ctx ends, then
// lets requests in flight finish for a few seconds before it returns: an
// officer's answer being committed is not cut off by the store closing
// under it.
func ServeWeb(ctx context.Context, ln net.Listener, h http.Handler, certFile, keyFile string, log *slog.Logger) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute,
		WriteTimeout: 5 * time.Minute, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10,
		TLSConfig: &tls.Config{MinVersion: tls.VersionTLS12}}
	shutDown := make(chan struct{})
	stopShutdown := context.AfterFunc(ctx, func() {
		defer close(shutDown)
		shutdown, cancel := context.WithTimeout(context.Background(), webShutdownGrace)
		defer cancel()
		if err := srv.Shutdown(shutdown); err != nil {
			log.Warn("web workspace: requests still running at shutdown were cut off", "err", err)
		}
	})
	log.Info("web workspace listening", "addr", ln.Addr().String(), "tls", certFile != "")
	var err error
	if certFile != "" {
		err = srv.ServeTLS(ln, certFile, keyFile)
	} else {
		err = srv.Serve(ln)
	}
	// Serve returns as soon as Shutdown begins; Shutdown returns once the
	// requests in flight are done (or the grace is over).
	if !stopShutdown() {
		<-shutDown
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("web: serve: %w", err)
	}
	return nil
}

// webShutdownGrace is how long requests in flight may run on at shutdown.
const webShutdownGrace = 5 * time.Second
