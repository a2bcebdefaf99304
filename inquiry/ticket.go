package inquiry

import (
	"fmt"
	"iter"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// State is where a ticket stands in its life.
type State string

const (
	Assigned State = "assigned" // routed to an officer, waiting for an answer
	Answered State = "answered" // an officer's answer was sent
	Closed   State = "closed"   // finished, with an outcome
	BulkMail State = "bulk"     // list or newsletter mail: kept, not worked
	SpamMail State = "spam"     // spam: kept, not worked
)

// Open reports whether the ticket still needs work.
func (s State) Open() bool { return s == Assigned || s == Answered }

// Outcome records how a ticket was closed; the annual report on the Law on
// Access to Public Documents counts document requests by outcome.
type Outcome string

const (
	NoOutcome     Outcome = ""
	Granted       Outcome = "granted"
	PartlyGranted Outcome = "partly_granted"
	Refused       Outcome = "refused"
	NotHeld       Outcome = "not_held"
	Withdrawn     Outcome = "withdrawn"
	// Resolved and NoAnswerNeeded close press inquiries and general
	// questions.
	Resolved       Outcome = "resolved"
	NoAnswerNeeded Outcome = "no_answer_needed"
)

// Outcomes lists every valid closing outcome.
var Outcomes = [...]Outcome{Granted, PartlyGranted, Refused, NotHeld, Withdrawn, Resolved, NoAnswerNeeded}

// ParseOutcome accepts an outcome as typed by an officer ("partly-granted" too).
func ParseOutcome(s string) (Outcome, error) {
	norm := []byte(s)
	for i, c := range norm {
		if c == '-' || c == ' ' {
			norm[i] = '_'
		}
	}
	for _, o := range Outcomes {
		if string(norm) == string(o) {
			return o, nil
		}
	}
	return NoOutcome, fmt.Errorf("unknown outcome %q (want one of granted, partly_granted, refused, not_held, withdrawn, resolved, no_answer_needed)", s)
}

// Ticket is one inquiry being worked, with its routing and life cycle.
type Ticket struct {
	ID     int64  `json:"id"`
	Number string `json:"number"` // e.g. DKP-2026-000042

	Channel Channel `json:"channel"`
	Sender  Address `json:"sender"`
	// ChatID is the Telegram chat to answer in (Telegram tickets only).
	ChatID  int64  `json:"chat_id,omitempty"`
	Subject string `json:"subject,omitempty"`
	// MessageID is the Message-ID of the citizen's first mail, so answers
	// thread on it.
	MessageID string `json:"message_id,omitempty"`

	Language    Language `json:"language"`
	Category    Category `json:"category"`
	Classifier  string   `json:"classifier"`
	Confidence  float64  `json:"confidence"`
	Reason      string   `json:"reason,omitempty"`
	NeedsReview bool     `json:"needs_review,omitempty"`

	OfficerID string `json:"officer"`
	// Acted is set once an officer has done anything with the ticket; until
	// then a Telegram follow-up may still reclassify it.
	Acted   bool    `json:"acted,omitempty"`
	State   State   `json:"state"`
	Outcome Outcome `json:"outcome,omitempty"`

	ReceivedAt time.Time `json:"received_at"`
	// CreatedAt is when the ticket was filed: later than ReceivedAt (the
	// message's own date) when mail is taken in late. Set when the ticket
	// is written (the store's clock if zero) and never changed after.
	CreatedAt  time.Time `json:"created_at"`
	DueAt      time.Time `json:"due_at,omitzero"` // legal deadline, document requests only
	AnsweredAt time.Time `json:"answered_at,omitzero"`
	ClosedAt   time.Time `json:"closed_at,omitzero"`
	UpdatedAt  time.Time `json:"updated_at"`

	// LinkedTo is the number of an earlier ticket this one continues.
	LinkedTo string `json:"linked_to,omitempty"`
	// Mentions is a ticket number quoted by someone who is not its sender.
	Mentions string `json:"mentions,omitempty"`

	// Urgent: life or liberty depends on the answer (48 hours). It adds the
	// head of the division as a recipient; it never chooses the officer.
	Urgent      bool         `json:"urgent,omitempty"`
	Extension   *Extension   `json:"extension,omitempty"`
	NotHeldMark *NotHeldMark `json:"not_held,omitempty"`
	// Ground is the id of the refusal ground (tickets.refusal_grounds) of
	// a refused or partly granted request.
	Ground string `json:"ground,omitempty"`
	// DecidedAt is when the decision reached the requester: the decision
	// notice, or an answer already relayed when DecisionInAnswer.
	DecidedAt        time.Time   `json:"decided_at,omitzero"`
	DecisionInAnswer bool        `json:"decision_in_answer,omitempty"`
	Complaints       []Complaint `json:"complaints,omitempty"`
}

// TicketFilter selects tickets; zero fields do not filter.
type TicketFilter struct {
	States    []State
	OfficerID string
	Category  Category
	Channel   Channel
	// SenderAddress matches case-insensitively (ASCII).
	SenderAddress string
	ChatID        int64
	// Text keeps tickets whose subject or any message on them (bodies,
	// notes, answers) holds every word of Text, case and diacritics
	// folded ("pergjigje" finds "përgjigje"); the last word also matches
	// as the start of a word. Text without letters or digits does not
	// filter.
	Text string
	// Language keeps the tickets in that language.
	Language Language
	// ReceivedFrom and ReceivedBefore keep the tickets received at or
	// after the one and before the other; the zero time does not filter.
	ReceivedFrom, ReceivedBefore time.Time
	// CreatedFrom and CreatedBefore keep the tickets filed (CreatedAt) at
	// or after the one and before the other; the zero time does not
	// filter.
	CreatedFrom, CreatedBefore time.Time
	// DueFrom and DueBefore keep the tickets with a deadline at or after
	// the one and before the other; the zero time does not filter.
	DueFrom, DueBefore time.Time
	// Urgent keeps the tickets marked urgent.
	Urgent bool
	// NewestFirst reverses the order: newest received first.
	NewestFirst bool
	// Limit caps the result; 0 means no cap.
	Limit int
}

// EntryKind says what an entry in a ticket's record is.
type EntryKind string

const (
	EntryInbound   EntryKind = "inbound"   // the citizen wrote
	EntryAnswer    EntryKind = "answer"    // an officer's answer to the citizen
	EntryAutomated EntryKind = "automated" // machine mail about the ticket (bounce, out-of-office)
	EntryNote      EntryKind = "note"      // an internal note or event (assigned, closed, ...)
	// EntryHeldAnswer is an answer to a ticket from the public discussion
	// group, waiting until its author opens a private chat with the bot.
	EntryHeldAnswer EntryKind = "held_answer"
)

// Entry is one item of a ticket's record: a message or an event.
type Entry struct {
	ID        int64     `json:"id"`
	TicketID  int64     `json:"ticket_id"`
	Kind      EntryKind `json:"kind"`
	SourceID  string    `json:"source_id,omitempty"`
	MessageID string    `json:"message_id,omitempty"`
	Author    string    `json:"author"` // an address, an officer id, or "sportel"
	Subject   string    `json:"subject,omitempty"`
	Text      string    `json:"text"`
	// Attachments' Content is kept as received (capped).
	Attachments []Attachment `json:"attachments,omitempty"`
	Raw         []byte       `json:"-"`
	CreatedAt   time.Time    `json:"created_at"`
}

// numberPattern matches a ticket number anywhere in a text, e.g. in a subject
// "Re: [DKP-2026-000042]". The prefix is letters; case is ignored. Typed by
// hand its parts may be apart ("dkp 2026 42") or joined by the en dash a
// word processor puts for "-".
var numberPattern = regexp.MustCompile(`(?i)\b([A-Z]{2,10})[-– ](\d{4})[-– ](\d{1,9})\b`)

// FormatNumber renders a ticket number: prefix, year, six-digit sequence.
func FormatNumber(prefix string, year, seq int) string {
	return fmt.Sprintf("%s-%04d-%06d", prefix, year, seq)
}

// FindNumber returns the first ticket number with the given prefix found in s,
// normalised to FormatNumber's form, or "" when there is none.
func FindNumber(prefix, s string) string {
	for n := range numbers(prefix, s) {
		return n
	}
	return ""
}

// FindNumbers returns the distinct ticket numbers with the given prefix
// found in s, in the order they come, normalised to FormatNumber's form:
// at most max of them.
func FindNumbers(prefix, s string, max int) []string {
	var out []string
	for n := range numbers(prefix, s) {
		if len(out) >= max {
			break
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// numbers yields the ticket numbers with the given prefix in s, in order.
func numbers(prefix, s string) iter.Seq[string] {
	return func(yield func(string) bool) {
		if strings.ContainsFunc(s, isCyrillic) {
			// A prefix typed on a Serbian keyboard ("ДКП-2026-42").
			s = strings.Map(latinLetter, s)
		}
		for _, m := range numberPattern.FindAllStringSubmatch(s, -1) {
			if !strings.EqualFold(m[1], prefix) {
				continue
			}
			year, _ := strconv.Atoi(m[2])
			seq, err := strconv.Atoi(m[3])
			if err != nil || seq == 0 {
				continue
			}
			if !yield(FormatNumber(prefix, year, seq)) {
				return
			}
		}
	}
}

func isCyrillic(r rune) bool { return r >= 'Ѐ' && r <= 'ӿ' }

// Serbian Cyrillic letters that have a single one in A–Z, and those
// letters, in the same order.
const (
	cyrillicLetters = "АБВГДЕЗИЈКЛМНОПРСТУФХЦ"
	theirLatin      = "ABVGDEZIJKLMNOPRSTUFHC"
)

// latinLetter is r in Latin letters when it is a Cyrillic letter with a
// single Latin one (in either case), else r.
func latinLetter(r rune) rune {
	// Each of cyrillicLetters is two bytes of UTF-8.
	i := strings.IndexRune(cyrillicLetters, unicode.ToUpper(r))
	if i < 0 {
		return r
	}
	l := rune(theirLatin[i/2])
	if unicode.IsLower(r) {
		return unicode.ToLower(l)
	}
	return l
}

// SetAsideKind says why a message was set aside instead of ticketed.
type SetAsideKind string

const (
	// SetAsideMachine is machine mail that refers to no ticket.
	SetAsideMachine SetAsideKind = "machine"
	// SetAsideQuarantine is mail with no usable sender and no content.
	SetAsideQuarantine SetAsideKind = "quarantine"
)

// SetAside records a message that made no ticket, so nothing is lost.
type SetAside struct {
	ID         int64        `json:"id"`
	Kind       SetAsideKind `json:"kind"`
	SourceID   string       `json:"source_id"`
	From       string       `json:"from"`
	Subject    string       `json:"subject"`
	Reason     string       `json:"reason"`
	ReceivedAt time.Time    `json:"received_at"`
	Raw        []byte       `json:"-"`
}

// ThreadRef ties an identifier we have seen or sent (a Message-ID, or a
// Telegram "tg:<chat>:<message>") to a ticket, so replies find their ticket.
type ThreadRef struct {
	Ref      string  `json:"ref"`
	TicketID int64   `json:"ticket_id"`
	Kind     JobKind `json:"kind"` // "" for inbound mail, else the job kind that sent it
	// OfficerID is set for notifications: only that officer's reply to it is
	// relayed to the citizen.
	OfficerID string `json:"officer_id,omitempty"`
}
