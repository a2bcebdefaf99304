package app

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"sportel/bot"
	"sportel/config"
	"sportel/desk"
	"sportel/inquiry"
	"sportel/internal/backoff"
)

// botDesk is the desk as the bot sees it, with intake counted like email's.
type botDesk struct {
	*desk.Desk
	app *App
}

func (b botDesk) Handle(ctx context.Context, m *inquiry.Message) (inquiry.Disposition, error) {
	return b.app.Handle(ctx, m)
}

func (b botDesk) Quarantine(ctx context.Context, m *inquiry.Message, reason string) (inquiry.Disposition, error) {
	return b.app.Quarantine(ctx, m, reason)
}

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

func (a *App) botOptions() bot.Options {
	t := a.cfg.Telegram
	return bot.Options{
		Token:            t.Token.Reveal(),
		APIURL:           t.APIURL,
		DiscussionChatID: t.DiscussionChatID,
		OfficersChatID:   t.OfficersChatID,
		PollTimeout:      t.PollTimeout,
		FloodMessages:    t.Flood.Messages,
		FloodPer:         t.Flood.Per,
		Officers:         a.cfg.Officers,
		Logger:           a.log.With("component", "telegram"),
		Grounds:          botGrounds(a.cfg.Tickets.RefusalGrounds),
		Location:         a.cfg.Tickets.Location,
	}
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
// email side: connecting is retried with backoff, and the error is logged
// each time.
func (a *App) runTelegram(ctx context.Context, chat *lazyChat, lead *leadership) error {
	opts := a.botOptions()
	bo := backoff.Backoff{Min: time.Second, Max: 2 * time.Minute}
	failures := 0
	for ctx.Err() == nil {
		b, err := bot.New(ctx, opts, botDesk{Desk: a.desk, app: a}, a.store)
		if err == nil {
			a.desk.SetBotUsername(b.Username())
			chat.bot.Store(b)
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
		a.log.Error("telegram unavailable, retrying", "err", err, "retry_in", delay)
		if !backoff.Sleep(ctx, delay) {
			return nil
		}
	}
	return nil
}
