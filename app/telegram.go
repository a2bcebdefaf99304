package app

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"sportel/bot"
	"sportel/config"
	"sportel/inquiry"
	"sportel/internal/backoff"
	"sportel/internal/outage"
	"sportel/metrics"
)

// lazyChat lets the outbox start before Telegram answers: until the bot is
// connected, Telegram jobs fail temporarily and are retried.
type lazyChat struct{ bot atomic.Pointer[bot.Bot] }

func (l *lazyChat) SendChat(ctx context.Context, m *inquiry.ChatMessage) (string, error) {
	b := l.bot.Load()
	if b == nil {
		return "", errors.New("telegram is not connected yet")
	}
	return b.SendChat(ctx, m)
}

// SendChatFile is outbox.ChatFileSender, as SendChat.
func (l *lazyChat) SendChatFile(ctx context.Context, chatID int64, f inquiry.Attachment) error {
	b := l.bot.Load()
	if b == nil {
		return errors.New("telegram is not connected yet")
	}
	return b.SendChatFile(ctx, chatID, f)
}

// SendChatFileID is outbox.ChatFileIDSender, as SendChat.
func (l *lazyChat) SendChatFileID(ctx context.Context, chatID int64, f inquiry.ChatFile) error {
	b := l.bot.Load()
	if b == nil {
		return errors.New("telegram is not connected yet")
	}
	return b.SendChatFileID(ctx, chatID, f)
}

// botOptions are the bot's options from the configuration in use (its
// telegram section is the one the daemon started with).
func (a *App) botOptions() bot.Options {
	cfg := a.live.config()
	t := cfg.Telegram
	opts := bot.Options{
		Token:            t.Token.Reveal(),
		APIURL:           t.APIURL,
		DiscussionChatID: t.DiscussionChatID,
		OfficersChatID:   t.OfficersChatID,
		PollTimeout:      t.PollTimeout,
		FloodMessages:    t.Flood.Messages,
		FloodPer:         t.Flood.Per,
		Officers:         cfg.Officers,
		Logger:           a.log, // the bot names itself (component=telegram)
		Grounds:          botGrounds(cfg.Tickets.RefusalGrounds),
		Location:         cfg.Tickets.Location,
		// A citizen's files are kept as a mail's are, within the same limits.
		MaxFileBytes: cfg.Mail.MaxAttachmentBytes,
		MaxRawBytes:  cfg.Mail.MaxRawBytes,
		FileTimeout:  t.FileTimeout,
		// What an officer's file to a citizen's chat may weigh.
		MaxUploadBytes: t.MaxUploadBytes,
	}
	if a.cfg.Web.Enabled() {
		// Only when on: a nil *web.Linker in the interface is not nil.
		opts.SignInLinks = a.webLinks()
	}
	return opts
}

// botGrounds are the refusal grounds as officers' buttons show them, in
// Albanian.
func botGrounds(gs []config.RefusalGround) []bot.Ground {
	out := make([]bot.Ground, len(gs))
	for i, g := range gs {
		out[i] = bot.Ground{ID: g.ID, Label: g.Label.SQ}
	}
	return out
}

// runTelegram connects the bot and, while this instance leads, long-polls
// for updates, until ctx is done. Every instance connects, so that its
// outbox can send chat jobs. Telegram being unreachable never stops the
// email side: connecting is retried with backoff, and the outage is logged
// once at error, again every 20 minutes, and when Telegram answers.
func (a *App) runTelegram(ctx context.Context, chat *lazyChat, lead *leadership) error {
	bo := backoff.Backoff{Min: time.Second, Max: 2 * time.Minute}
	failures := 0
	// Telegram out of reach at the start is said once at error, then
	// every so often, and when it answers: not a line every retry.
	down := outage.New(a.log, 0, nil)
	for ctx.Err() == nil {
		b, err := bot.New(ctx, a.botOptions(), liveDesk{a}, a.store)
		if err == nil {
			a.joinBot(b)
			chat.bot.Store(b)
			down.Ended("telegram reachable again")
			a.log.Info("telegram connected", "bot", b.Username())
			b.CheckOfficers(ctx)
			failures = 0
			err = lead.whileLeading(ctx, b.Run)
			if err == nil {
				return nil
			}
		}
		if ctx.Err() != nil {
			return nil
		}
		failures++
		delay := bo.Delay(failures)
		down.Failed("telegram unavailable, retrying", "err", err, "retry_in", delay)
		if !backoff.Sleep(ctx, delay) {
			return nil
		}
	}
	return nil
}

// telegramFileMetrics shows whether the bot has stopped downloading
// citizens' files because Telegram's file server does not answer: their
// messages are still filed, with the files only in the chat.
func telegramFileMetrics(met *metrics.Metrics, chat *lazyChat) {
	met.Gauge("sportel_telegram_file_downloads_paused", "1 while Telegram's file server did not answer a download and citizens' files are filed as not kept (only in the chat) until a probe download succeeds, else 0.", func() float64 {
		if b := chat.bot.Load(); b != nil && b.FileDownloadsPaused() {
			return 1
		}
		return 0
	})
}

// telegramStaleAfter is how long getUpdates may go unanswered before
// /readyz says so: a healthy long poll answers at least once per poll
// timeout, with or without updates.
func telegramStaleAfter(pollTimeout time.Duration) time.Duration {
	return staleIntervals * pollTimeout
}

// telegramReady says whether the bot has polled Telegram recently enough.
func telegramReady(lastPoll, now time.Time, staleAfter time.Duration) error {
	if lastPoll.IsZero() {
		return errors.New("getUpdates has not answered yet")
	}
	if since := now.Sub(lastPoll); since > staleAfter {
		return fmt.Errorf("last good getUpdates %s ago (more than %s)", since.Round(time.Second), staleAfter)
	}
	return nil
}
