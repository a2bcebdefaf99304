package app

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"sportel/classifier/llm"
	"sportel/inquiry"
	"sportel/metrics"
	"sportel/outbox"
)

// instanceLocker is a store that one daemon owns at a time (SQLite): Run
// holds its lock for as long as it runs.
type instanceLocker interface {
	LockInstance() (unlock func() error, err error)
}

// stopTimeout bounds how long Run waits, once stopping, for its parts to let
// work in flight finish (a send in progress may take the SMTP submission
// timeout).
const stopTimeout = 2 * time.Minute

// staleIntervals is how many of the longest waits between two reads of the
// mailbox may pass without a good one before the daemon is not ready.
const staleIntervals = 3

// imapStaleAfter is how long the mailbox may go unread before /readyz says
// so: the watcher reads it at least every poll interval without IDLE, and
// at least every IDLE restart with it.
func imapStaleAfter(pollInterval, idleRestart time.Duration) time.Duration {
	return staleIntervals * max(pollInterval, idleRestart)
}

// imapReady says whether the watcher has read the mailbox recently enough
// and takes its mail in: a mailbox read while every message fails to be
// taken in (the store refuses writes, since blocked) is intake stuck.
func imapReady(lastGoodFetch, blocked, now time.Time, staleAfter time.Duration) error {
	if !blocked.IsZero() {
		return fmt.Errorf("intake blocked for %s: the store refuses to take mail in; it waits in the mailbox", now.Sub(blocked).Round(time.Second))
	}
	if lastGoodFetch.IsZero() {
		return errors.New("the mailbox has not been read yet")
	}
	if since := now.Sub(lastGoodFetch); since > staleAfter {
		return fmt.Errorf("last good fetch %s ago (more than %s)", since.Round(time.Second), staleAfter)
	}
	return nil
}

// Run runs the IMAP watcher, the outbox, the scheduler, and Telegram and
// the metrics listener when configured, until ctx is done or one of them
// fails; then it lets work in flight finish. A part that fails (a metrics listener that
// cannot bind) stops the daemon at once with an error that names it.
func (a *App) Run(ctx context.Context) error {
	if l, ok := a.store.(instanceLocker); ok {
		unlock, err := l.LockInstance()
		if err != nil {
			return err
		}
		defer func() {
			if err := unlock(); err != nil {
				a.log.Warn("release the instance lock", "err", err)
			}
		}()
	}
	watcher, err := a.newWatcher()
	if err != nil {
		return err
	}
	m, err := a.newMailer()
	if err != nil {
		return err
	}
	defer m.Close()
	var chat outbox.ChatSender
	var lc *lazyChat
	if a.cfg.Telegram != nil {
		lc = &lazyChat{}
		chat = lc
	}
	ob := a.newOutbox(m, chat)
	// Of several instances on one store, only the leader takes messages in,
	// runs the scheduler and prunes; every instance sends from the outbox.
	lead := newLeadership(a.store, ob.Owner(), a.log.With("component", "leader"))
	runners := []runner{
		{"leader", lead.Run},
		{"imap", func(ctx context.Context) error { return lead.whileLeading(ctx, watcher.Run) }},
	}
	if lc != nil {
		runners = append(runners, runner{"telegram", func(ctx context.Context) error { return a.runTelegram(ctx, lc, lead) }})
	}
	if _, ok := a.store.(instanceLocker); ok {
		// This process owns the store alone: whatever another owner had
		// claimed belongs to a process that is gone, and is due now.
		n, err := a.store.ReleaseClaims(ctx, ob.Owner())
		if err != nil {
			return fmt.Errorf("release the claims of a previous run: %w", err)
		}
		if n > 0 {
			a.log.Info("released jobs claimed by a previous run", "jobs", n)
		}
	}
	a.outbox.Store(ob)
	defer a.outbox.Store(nil)
	runners = append(runners, runner{"outbox", ob.Run})
	sched, err := a.joinScheduler(ob.Poke)
	if err != nil {
		return err
	}
	runners = append(runners, runner{"scheduler", func(ctx context.Context) error { return lead.whileLeading(ctx, sched.Run) }})
	prune := &pruner{store: a.store, now: time.Now, every: pruneEvery, log: a.log.With("component", "prune")}
	runners = append(runners, runner{"prune", func(ctx context.Context) error { return lead.whileLeading(ctx, prune.run) }})
	var clock *clockWatch
	if db, ok := a.store.(databaseClock); ok {
		// Instances share the outbox: its leases go by the database's clock.
		clock = &clockWatch{db: db, now: time.Now, log: a.log.With("component", "clock")}
		clock.check(ctx)
		ob.SetClock(clock.leaseClock)
		runners = append(runners, runner{"clock", clock.run})
	}
	if a.cfg.Web.Enabled() {
		// Every instance serves it: sessions and limits live in the store.
		runners = append(runners, runner{"web", a.runWeb})
	}
	if a.cfg.Metrics.Listen != "" {
		met := metrics.New()
		a.metrics = met
		ob.Sent = func(j inquiry.Job) { met.Sent(string(j.Kind)) }
		ob.Failed = func(j inquiry.Job, _ error, final bool) { met.SendFailed(string(j.Kind), final) }
		met.Gauge("sportel_leader", "1 while this instance leads (watches the mailbox, polls Telegram, runs the scheduler), 0 while it stands by; always 1 on SQLite.", func() float64 {
			if lead.Leading() {
				return 1
			}
			return 0
		})
		met.Status("role", lead.Role)
		met.Gauge("sportel_imap_last_good_fetch_timestamp_seconds", "Unix time of the last successful IMAP fetch (0: none yet).", func() float64 {
			if t := watcher.Stats().LastGoodFetch; !t.IsZero() {
				return float64(t.UnixNano()) / 1e9
			}
			return 0
		})
		met.StoreGauge("sportel_outbox_acks_held", "Acknowledgements waiting because the hourly cap (outbox.acknowledgements_per_hour) was reached; they go out as the hour rolls on. NaN while the store cannot be read.",
			a.log.With("component", "metrics"), func(ctx context.Context) (float64, error) {
				n, err := a.store.CountHeldJobs(ctx)
				if err != nil {
					return 0, fmt.Errorf("count held acknowledgements: %w", err)
				}
				return float64(n), nil
			})
		met.Gauge("sportel_outbox_mail_paused", "1 while the SMTP relay itself fails (unreachable, its TLS or the login refused) and this instance sends no mail but one probe a pause (30 s doubling to 5 minutes), else 0. Telegram messages go on.", func() float64 {
			if ob.MailPaused() {
				return 1
			}
			return 0
		})
		met.Gauge("sportel_outbox_telegram_paused", "1 while Telegram's Bot API itself fails (unreachable, timing out, 5xx, 429 flood control, the token refused) and this instance sends no Telegram message but one probe a pause (10 s doubling to 5 minutes), else 0. Mail goes on; no job spends an attempt meanwhile.", func() float64 {
			if ob.ChatPaused() {
				return 1
			}
			return 0
		})
		met.Gauge("sportel_outbox_sends_held_seconds", "How long this instance's outbox has started no send because the store fails its bookkeeping, or takes in no more of its completions (locked by another process), else 0. Sends queue meanwhile.", func() float64 {
			return ob.SendsHeldFor().Seconds()
		})
		met.Gauge("sportel_clock_skew_seconds", "On PostgreSQL, the database's clock minus this host's, last measured (every 5 minutes); the outbox's leases are corrected by it; beyond ±2 s fix NTP. NaN on SQLite, which one daemon owns.", func() float64 {
			if clock == nil {
				return math.NaN()
			}
			return clock.seconds()
		})
		met.BuildInfo(a.build.Version, a.build.Commit)
		a.reloadMetrics(met)
		met.Ready("store", func(ctx context.Context) error {
			_, err := a.store.CountTickets(ctx)
			return err
		})
		staleAfter := imapStaleAfter(a.cfg.IMAP.PollInterval, a.cfg.IMAP.IdleRestart)
		met.Gauge("sportel_imap_stale_after_seconds", "How long the mailbox may go unread before /readyz and the SportelIMAPNotFetching alert say so: three of the longest waits between reads.", func() float64 {
			return staleAfter.Seconds()
		})
		met.Ready("imap", func(context.Context) error {
			if !lead.Leading() {
				return nil // a standby does not read the mailbox, and is ready to
			}
			st := watcher.Stats()
			return imapReady(st.LastGoodFetch, st.BlockedSince, time.Now(), staleAfter)
		})
		if lc != nil {
			tgStaleAfter := telegramStaleAfter(a.cfg.Telegram.PollTimeout)
			met.Ready("telegram", func(context.Context) error {
				if !lead.Leading() {
					return nil // a standby does not poll Telegram: the leader does
				}
				b := lc.bot.Load()
				if b == nil {
					return errors.New("not connected to the Bot API yet")
				}
				return telegramReady(b.LastPoll(), time.Now(), tgStaleAfter)
			})
			met.Gauge("sportel_telegram_last_good_poll_timestamp_seconds", "Unix time getUpdates last answered this instance (0: never; only the leader polls).", func() float64 {
				if b := lc.bot.Load(); b != nil {
					if t := b.LastPoll(); !t.IsZero() {
						return float64(t.UnixNano()) / 1e9
					}
				}
				return 0
			})
		}
		met.Queue(func(ctx context.Context) (metrics.QueueFigures, error) {
			now := time.Now()
			q, err := a.store.QueueStats(ctx, now)
			if err != nil {
				return metrics.QueueFigures{}, err
			}
			f := metrics.QueueFigures{Open: q.Open, DueSoon: q.DueSoon, Overdue: q.Overdue, PendingJobs: q.PendingJobs, FailedJobs: q.FailedJobs}
			if !q.OldestDue.IsZero() {
				f.OldestDueAge = now.Sub(q.OldestDue)
			}
			return f, nil
		})
		met.Counter("sportel_imap_errors_total", "IMAP connection, login or command failures (the store's failures to take mail in are sportel_imap_intake_errors_total).", func() float64 { return float64(watcher.Stats().Errors) })
		met.Counter("sportel_imap_intake_errors_total", "Failed tries to take mail in that were not the mailbox's: the store (or the desk) refused a message, or the mailbox's checkpoint could not be read or saved.", func() float64 {
			return float64(watcher.Stats().IntakeErrors)
		})
		met.Counter("sportel_imap_moves_refused_total", "Handled mails the IMAP server would not move out of the watched mailbox (over quota, say): filed, but left there.", func() float64 {
			return float64(watcher.Stats().MovesRefused)
		})
		met.Gauge("sportel_imap_intake_blocked_seconds", "How long every try to take mail in has failed (0: mail goes through, or this instance stands by). Alert on it.", func() float64 {
			if t := watcher.Stats().BlockedSince; !t.IsZero() && lead.Leading() {
				return time.Since(t).Seconds()
			}
			return 0
		})
		if c, ok := a.classifier.(*llm.Classifier); ok {
			met.Gauge("sportel_llm_breaker_open", "1 while the LLM endpoint kept failing and the built-in classifier answers instead (until a probe succeeds), else 0.", func() float64 {
				if c.BreakerOpen() {
					return 1
				}
				return 0
			})
		}
		if lc != nil {
			telegramFileMetrics(met, lc)
			met.Gauge("sportel_telegram_intake_blocked_seconds", "How long every try to handle Telegram updates has failed (0: they go through). Telegram drops unconfirmed updates after 24 hours.", func() float64 {
				if b := lc.bot.Load(); b != nil && lead.Leading() {
					if t := b.BlockedSince(); !t.IsZero() {
						return time.Since(t).Seconds()
					}
				}
				return 0
			})
		}
		runners = append(runners, runner{"metrics", func(ctx context.Context) error { return met.Serve(ctx, a.cfg.Metrics.Listen, a.log) }})
	}
	if err := ctx.Err(); err != nil {
		// Stopped while the steps above waited (each gives up when ctx
		// ends): the daemon never ran, and must not say it runs.
		return fmt.Errorf("start the daemon: %w", err)
	}
	a.log.Info("sportel running", "mailbox", a.cfg.Mailbox.Address, "imap", a.cfg.IMAP.Addr,
		"smtp", a.cfg.SMTP.Addr, "store", a.cfg.Store.Driver, "classifier", a.cfg.Classifier.Kind,
		"officers", len(a.live.config().Officers), "telegram", a.cfg.Telegram != nil, "web", a.cfg.Web.Addr)
	return runAll(ctx, a.log, stopTimeout, runners)
}
