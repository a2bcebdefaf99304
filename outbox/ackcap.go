package outbox

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"sportel/inquiry"
)

// The hourly cap on acknowledgements bounds what Sportel can be made to
// send to addresses a sender chose (a reflector's victims), however much
// mail arrives. Sends are counted in the store, not in memory, so a
// restart starts with the hour's real count.

// ackHoldKey is the store state that remembers when the cap last held
// acknowledgements back, so the officers hear once per episode even across
// restarts.
const ackHoldKey = "outbox.ack_cap.last_hold"

// sharedCap is a store that several instances share (PostgreSQL): it
// admits a capped send itself, counting every instance's sends in flight
// as well as those recorded, so the instances together keep to one cap.
// Without it the outbox counts its own sends in flight, which is the whole
// count where one instance holds the database (SQLite's instance lock).
type sharedCap interface {
	AdmitJob(ctx context.Context, id int64, owner string, kind inquiry.JobKind, since time.Time, limit int, now time.Time) (admitted bool, counted int, earliest time.Time, err error)
}

// ackCap counts the acknowledgements this outbox has let through and not
// yet recorded as sent: the store cannot count them yet.
type ackCap struct {
	mu       sync.Mutex
	inFlight int
}

func (c *ackCap) done(n int) {
	if n == 0 {
		return
	}
	c.mu.Lock()
	c.inFlight -= n
	c.mu.Unlock()
}

// capped reports whether j counts against the hourly cap.
func (o *Outbox) capped(j inquiry.Job) bool {
	return o.cfg.AcksPerHour > 0 && j.Kind == inquiry.JobAck
}

// admitAck reports whether the acknowledgement j may be sent now. When the
// hour's sends reach the cap it holds j, and every other pending
// acknowledgement, until the earliest send of the hour leaves the window;
// the claim costs j no attempt.
func (o *Outbox) admitAck(ctx context.Context, j inquiry.Job, log *slog.Logger) bool {
	o.acks.mu.Lock()
	defer o.acks.mu.Unlock()
	now := o.now()
	var admitted bool
	var sent int
	var earliest time.Time
	var err error
	if shared, ok := o.jobs.(sharedCap); ok {
		admitted, sent, earliest, err = shared.AdmitJob(ctx, j.ID, o.owner, inquiry.JobAck, now.Add(-time.Hour), o.cfg.AcksPerHour, now)
	} else {
		sent, earliest, err = o.jobs.SentJobs(ctx, inquiry.JobAck, now.Add(-time.Hour))
		admitted = err == nil && sent+o.acks.inFlight < o.cfg.AcksPerHour
		sent += o.acks.inFlight
	}
	if err != nil {
		log.Error("count acknowledgements sent in the last hour; trying later", "err", err)
		if rerr := o.jobs.RetryJob(ctx, j.ID, o.owner, now.Add(o.cfg.BackoffMin), err.Error()); rerr != nil {
			log.Error("schedule retry", "err", rerr)
		}
		return false
	}
	if admitted {
		o.acks.inFlight++
		return true
	}
	until := o.holdUntil(now, earliest)
	reason := fmt.Sprintf("held by the acknowledgement cap (%d an hour) until %s", o.cfg.AcksPerHour, until.UTC().Format(time.RFC3339))
	held, err := o.jobs.HoldJobs(ctx, o.owner, inquiry.JobAck, []int64{j.ID}, until, reason)
	if err != nil {
		log.Error("hold acknowledgements over the hourly cap", "err", err)
		return false
	}
	log.Warn("acknowledgements held by the hourly cap", "held_now", held, "sent_or_in_flight", sent, "cap", o.cfg.AcksPerHour, "until", until)
	o.noticeHold(ctx, now, held, until)
	return false
}

// noticeHeldLeft asks, when the outbox starts, for the notice about
// acknowledgements the cap holds, should a process have held them and
// died before queuing it: they would go out later, and no later hold would
// tell anyone. noticeHold keeps it to one notice an episode, by name.
func (o *Outbox) noticeHeldLeft(ctx context.Context) {
	if o.cfg.AcksPerHour <= 0 || o.cfg.AckCapNotice == nil {
		return
	}
	held, err := o.jobs.CountHeldJobs(ctx)
	if err != nil {
		o.log.Error("count acknowledgements held by the hourly cap", "err", err)
		return
	}
	if held == 0 {
		return
	}
	now := o.now()
	_, earliest, err := o.jobs.SentJobs(ctx, inquiry.JobAck, now.Add(-time.Hour))
	if err != nil {
		o.log.Error("count acknowledgements sent in the last hour", "err", err)
		return
	}
	o.noticeHold(ctx, now, held, o.holdUntil(now, earliest))
}

// holdUntil is when the cap has room again: an hour after the earliest
// acknowledgement sent in the last hour.
func (o *Outbox) holdUntil(now, earliest time.Time) time.Time {
	until := earliest.Add(time.Hour)
	if earliest.IsZero() || !until.After(now) {
		// The hour's sends are all still in flight here: try again soon.
		return now.Add(o.cfg.Poll)
	}
	return until
}

// noticeHold tells the officers, once per episode, that the cap holds
// acknowledgements: when it last held any more than an hour ago (or never).
// A notice that cannot be queued is tried again at the next hold. The
// episode is named by the hold before it, which stays recorded until this
// hold is: a crash after the notice was queued and before the hold was
// recorded asks again under the same name, and the notice is not queued
// twice.
func (o *Outbox) noticeHold(ctx context.Context, now time.Time, held int, until time.Time) {
	last, ok, err := o.jobs.GetState(ctx, ackHoldKey)
	if err != nil {
		o.log.Error("read when the acknowledgement cap last held", "err", err)
		return
	}
	prev, perr := time.Parse(time.RFC3339Nano, last)
	if (!ok || perr != nil || now.Sub(prev) > time.Hour) && o.cfg.AckCapNotice != nil {
		episode := "ack-cap-after:" + last
		if !ok {
			episode = "ack-cap-first"
		}
		if err := o.cfg.AckCapNotice(ctx, episode, held, until); err != nil {
			o.log.Error("queue the officers' notice about held acknowledgements", "err", err)
			return
		}
	}
	if err := o.jobs.SetState(ctx, ackHoldKey, now.UTC().Format(time.RFC3339Nano)); err != nil {
		o.log.Error("record when the acknowledgement cap held", "err", err)
	}
}
