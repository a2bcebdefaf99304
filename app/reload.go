package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"sportel/bot"
	"sportel/config"
	"sportel/desk"
	"sportel/metrics"
	"sportel/schedule"
	"sportel/web"
)

// live is what a configuration reload changes in a running daemon: the
// desk (officers, routing, templates, the legal clock), the scheduler's
// plan, the bot's officers and the web workspace's (who may sign in, with
// its refusal grounds, division name and time zone). The store, the mail
// servers, the classifier, the bot's token and the listeners stay as they
// started.
type live struct {
	// cur is swapped whole, so a message is handled by one desk from start
	// to end: one in flight during a reload finishes on the old one.
	cur atomic.Pointer[current]

	// mu makes reloads one at a time, and lets a part that starts after
	// Open (the scheduler, the bot) join with the configuration in use
	// without missing a reload.
	mu      sync.Mutex
	sched   *schedule.Scheduler // set once Run builds it
	bot     *bot.Bot            // set when the bot connects
	botName string              // the bot's @name, which every new desk needs
	webs    []*web.Server       // the workspaces NewWeb built

	// ok and okAt are the last reload's outcome, for the metrics; starting
	// counts as a successful load (as Prometheus's own metric does).
	ok   atomic.Bool
	okAt atomic.Int64 // Unix nanoseconds
}

// current is one configuration in use and the desk built from it.
type current struct {
	// cfg is the file's last good configuration as far as it applies
	// without a restart, the rest as the daemon started (applicable).
	cfg  *config.Config
	desk *desk.Desk
}

func (l *live) start(cfg *config.Config, d *desk.Desk) {
	l.cur.Store(&current{cfg: cfg, desk: d})
	l.ok.Store(true)
	l.okAt.Store(time.Now().UnixNano())
}

// config is the configuration in use.
func (l *live) config() *config.Config { return l.cur.Load().cfg }

// Config is the configuration in use: after a reload, the file's officers,
// routing and the rest that applies without a restart; the other settings
// as the daemon started. Parts built after Open that read officers (who
// may sign in, who may act) should read them here, not keep a copy.
func (a *App) Config() *config.Config { return a.live.config() }

// applicable is next as far as a running daemon can take it: the settings
// that only the desk, the scheduler and the bot's officer list read come
// from next, everything else stays as in use. config.Changed between the
// result and next is what needs a restart, so the two can never disagree.
func applicable(inUse, next *config.Config) *config.Config {
	c := *inUse
	c.Officers = next.Officers
	c.Routing = next.Routing
	c.Division = next.Division
	// The built-in classifier was built with the review threshold.
	threshold := c.Tickets.ReviewThreshold
	c.Tickets = next.Tickets
	c.Tickets.ReviewThreshold = threshold
	c.Mail.NotifyAttachmentsMaxBytes = next.Mail.NotifyAttachmentsMaxBytes
	// Only the desk reads it, for officers' forwards: an administrator
	// who turns it on (or corrects it) should not have to restart.
	c.Mail.TrustedAuthservID = next.Mail.TrustedAuthservID
	return &c
}

// Reload reads the configuration with load and applies what it can without
// a restart: officers (addresses, Telegram ids, roles), routing, templates,
// the calendar and deadline rules, reminders and digest hours, refusal
// grounds and the division's name. Settings that need a restart are logged
// ("needs a restart: …") and kept as they are. A file that does not load,
// validate or build (a template that does not parse) is logged with every
// problem and changes nothing. Messages being handled finish on the
// configuration they started with; none is dropped or handled twice, since
// intake never stops.
func (a *App) Reload(load func() (*config.Config, error)) error {
	l := &a.live
	l.mu.Lock()
	defer l.mu.Unlock()
	applied, restart, err := a.reload(load)
	if err != nil {
		l.ok.Store(false)
		if problems := problemsOf(err); len(problems) > 0 {
			// One line each: a journal shows them as the file's problems.
			for _, p := range problems {
				a.log.Error("configuration reload: problem in the file", "problem", p)
			}
			a.log.Error("configuration reload failed: the configuration in use stays", "problems", len(problems))
			return err
		}
		a.log.Error("configuration reload failed: the configuration in use stays", "err", err)
		return err
	}
	l.ok.Store(true)
	l.okAt.Store(time.Now().UnixNano())
	if len(restart) > 0 {
		a.log.Warn("needs a restart: "+strings.Join(restart, ", ")+" (kept as they are until then)", "keys", restart)
	}
	changed := "nothing"
	if len(applied) > 0 {
		changed = strings.Join(applied, ", ")
	}
	a.log.Info("configuration reloaded", "applied", changed, "officers", len(l.config().Officers))
	return nil
}

// problemsOf lists the problems err holds when it holds several: the
// configuration's (config.Errors) or the templates' (errors.Join); nil for
// a single error.
func problemsOf(err error) []string {
	var cfgErrs config.Errors
	if errors.As(err, &cfgErrs) {
		out := make([]string, len(cfgErrs))
		for i, e := range cfgErrs {
			out[i] = e.Error()
		}
		return out
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		if joined, ok := e.(interface{ Unwrap() []error }); ok {
			var out []string
			for _, p := range joined.Unwrap() {
				if sub := problemsOf(p); len(sub) > 0 {
					out = append(out, sub...)
				} else {
					out = append(out, p.Error())
				}
			}
			return out
		}
	}
	return nil
}

// reload builds everything from the new configuration first, and swaps it
// in only when all of it built.
func (a *App) reload(load func() (*config.Config, error)) (applied, restart []string, err error) {
	next, err := load()
	if err != nil {
		return nil, nil, err
	}
	l := &a.live
	inUse := l.config()
	cfg := applicable(inUse, next)
	d, err := newDesk(cfg, a.store, a.classifier, a.pokeOutbox, a.log)
	if err != nil {
		return nil, nil, fmt.Errorf("build the desk: %w", err)
	}
	if l.botName != "" {
		d.SetBotUsername(l.botName)
	}
	if l.sched != nil {
		// Checked before anything is swapped; the scheduler's own checks
		// repeat what config validated, so this refuses nothing in practice.
		if err := l.sched.Reconfigure(schedulerConfig(cfg, d, a.pokeOutbox)); err != nil {
			return nil, nil, err
		}
	}
	l.cur.Store(&current{cfg: cfg, desk: d})
	if l.bot != nil {
		l.bot.Reconfigure(cfg.Officers, botGrounds(cfg.Tickets.RefusalGrounds), cfg.Tickets.Location)
	}
	a.reconfigureWeb(cfg)
	applied = config.Changed(inUse, cfg)
	if cfg.Tickets.TemplatesDir != "" && !slices.Contains(applied, "tickets.templates_dir") {
		// Read again on every reload, changed or not: an edited template
		// applies although no setting changed.
		applied = append(applied, "templates (read again from tickets.templates_dir)")
	}
	return applied, config.Changed(cfg, next), nil
}

// reconfigureWeb puts cfg in use in the web workspaces. The new settings
// apply whatever happens; ending the sessions of officers cfg no longer
// names may fail with the store, which is logged and does not undo the
// reload: such a session is refused at its next request all the same.
func (a *App) reconfigureWeb(cfg *config.Config) {
	ctx, cancel := context.WithTimeout(context.Background(), webReconfigureTimeout)
	defer cancel()
	for _, w := range a.live.webs {
		if err := w.Reconfigure(ctx, webSettings(cfg)); err != nil {
			a.log.Error("configuration reload: the web workspace could not end the sessions of removed officers; they are refused at their next request", "err", err)
		}
	}
}

// webReconfigureTimeout bounds the store's work of a reload for the web
// workspace, so a store that does not answer holds up no later reload.
const webReconfigureTimeout = 30 * time.Second

// joinScheduler builds the scheduler from the configuration in use and
// lets later reloads reach it.
func (a *App) joinScheduler(jobsQueued func()) (*schedule.Scheduler, error) {
	a.live.mu.Lock()
	defer a.live.mu.Unlock()
	s, err := a.newScheduler(jobsQueued)
	if err != nil {
		return nil, err
	}
	a.live.sched = s
	return s, nil
}

// joinBot makes a newly connected bot the one reloads reach, with the
// officers of the configuration in use (a reload may have come while it
// connected), and tells the desk the bot's name.
func (a *App) joinBot(b *bot.Bot) {
	l := &a.live
	l.mu.Lock()
	defer l.mu.Unlock()
	l.bot, l.botName = b, b.Username()
	cfg := l.config()
	b.Reconfigure(cfg.Officers, botGrounds(cfg.Tickets.RefusalGrounds), cfg.Tickets.Location)
	a.Desk().SetBotUsername(l.botName)
}

// reloadMetrics exposes the last reload's outcome, named as Prometheus
// names its own.
func (a *App) reloadMetrics(m *metrics.Metrics) {
	l := &a.live
	m.Gauge("sportel_config_last_reload_success", "1 if the last configuration reload (SIGHUP) succeeded, or none was asked for; 0 if it failed and the configuration in use is an older one.", func() float64 {
		if l.ok.Load() {
			return 1
		}
		return 0
	})
	m.Gauge("sportel_config_last_reload_success_timestamp_seconds", "Unix time of the last successful configuration load: the start, or the last good reload.", func() float64 {
		return float64(l.okAt.Load()) / 1e9
	})
}
