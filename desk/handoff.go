package desk

import (
	"time"

	"sportel/inquiry"
	"sportel/store"
)

// Handoff lets a running outbox take an intake transaction's jobs in that
// transaction, written already claimed by it (store.Tx.AddClaimedJob),
// instead of claiming them once they are committed: a write, and a read
// and decoding of each job, fewer per message.
type Handoff interface {
	// Reserve sets aside room for up to max jobs due now; nil when there
	// is none (no outbox running, or it is behind).
	Reserve(max int) JobRoom
}

// JobRoom is room a running outbox set aside for one transaction's jobs.
type JobRoom interface {
	// Room is how many jobs may be written claimed.
	Room() int
	// Claim is what to write them claimed with.
	Claim() (owner string, until time.Time)
	// Deliver hands over the jobs written claimed once the transaction
	// has committed, and gives back the room not used; after a rollback it
	// is called with none.
	Deliver(jobs []inquiry.Job)
}

// jobsPerMessage is the room reserved for each message of a batch: its
// acknowledgement and the officer's notification by mail and by chat.
const jobsPerMessage = 3

// claimingTx writes the jobs of an intake transaction claimed by a running
// outbox while its room lasts, and remembers them for the hand-over.
type claimingTx struct {
	store.Tx
	room JobRoom
	now  func() time.Time
	// claimed are the jobs written claimed, to deliver after the commit.
	claimed []inquiry.Job
	// others is set when the transaction queued or changed a job the
	// outbox must claim itself, so it is woken as before.
	others bool
}

// reserveJobs asks the outbox for room for n messages' jobs; nil when
// there is no outbox or no room.
func (d *Desk) reserveJobs(n int) JobRoom {
	if d.cfg.Handoff == nil {
		return nil
	}
	return d.cfg.Handoff.Reserve(n * jobsPerMessage)
}

// reset forgets what an earlier run of the transaction's function wrote:
// a store may run it again after a conflict, and that one rolled back.
func (t *claimingTx) reset() {
	t.claimed, t.others = t.claimed[:0], false
}

// AddJob writes j claimed when it is due now and room is left, and as
// usual otherwise.
func (t *claimingTx) AddJob(j *inquiry.Job) error {
	if t.room == nil || len(t.claimed) >= t.room.Room() || !t.due(j) {
		t.others = true
		return t.Tx.AddJob(j)
	}
	owner, until := t.room.Claim()
	if err := t.Tx.AddClaimedJob(j, owner, until); err != nil {
		return err
	}
	t.claimed = append(t.claimed, *j)
	return nil
}

// due reports whether j is a pending job to send now (the store takes a
// zero NextAt for its CreatedAt, and a zero CreatedAt for now).
func (t *claimingTx) due(j *inquiry.Job) bool {
	if j.State != "" && j.State != inquiry.JobPending {
		return false
	}
	at := j.NextAt
	if at.IsZero() {
		at = j.CreatedAt
	}
	return !at.After(t.now())
}

func (t *claimingTx) AddJobOnce(key string, j *inquiry.Job) (bool, error) {
	t.others = true
	return t.Tx.AddJobOnce(key, j)
}

func (t *claimingTx) UpdatePendingJob(j *inquiry.Job) (bool, error) {
	t.others = true
	return t.Tx.UpdatePendingJob(j)
}
