package inquiry

import "time"

// The lifecycle of a document request under the Law on Access to Public
// Documents: what officers decide on a ticket beyond its state, kept on the
// ticket so the annual report can count it.

// Extension is the one extension a document request may get.
type Extension struct {
	Days   int       `json:"days"`
	Reason string    `json:"reason"`
	DueAt  time.Time `json:"due_at"` // the new deadline
	At     time.Time `json:"at"`
	By     string    `json:"by"`
}

// NotHeldMark records that the ministry does not hold the document asked
// for, and who does when it is known.
type NotHeldMark struct {
	Holder string    `json:"holder,omitempty"`
	At     time.Time `json:"at"`
	By     string    `json:"by"`
}

// Complaint is a complaint to the Information and Privacy Agency about a
// ticket, as an officer recorded it.
type Complaint struct {
	// Date is the day the complaint was made (ISO date, Europe/Belgrade).
	Date string    `json:"date"`
	Note string    `json:"note,omitempty"`
	At   time.Time `json:"at"` // when it was recorded
	By   string    `json:"by"`
}

// IsDecision reports whether o decides a document request; the other
// outcomes close press and general tickets.
func (o Outcome) IsDecision() bool {
	switch o {
	case Granted, PartlyGranted, Refused, NotHeld, Withdrawn:
		return true
	}
	return false
}

// NeedsGround reports whether closing with o needs a refusal ground.
func (o Outcome) NeedsGround() bool { return o == Refused || o == PartlyGranted }

// AwaitsDecision reports whether t is a document request the legal clock
// runs for: open, with a deadline, and not answered by a not-held notice
// (which was the decision). Only such a request is reminded of.
func (t *Ticket) AwaitsDecision() bool {
	return t.Category == DocumentRequest && t.State.Open() && !t.DueAt.IsZero() && t.NotHeldMark == nil
}
