package inquiry

import "time"

// JobKind says why a job sends what it sends.
type JobKind string

const (
	JobAck           JobKind = "ack"            // acknowledgement to the citizen
	JobNotify        JobKind = "notify"         // notification to the officer
	JobAnswer        JobKind = "answer"         // an officer's answer relayed to the citizen
	JobQuarantined   JobKind = "quarantined"    // tells the catch-all officer about set-aside mail
	JobAway          JobKind = "away"           // tells the head of the division that an officer is away
	JobServiceNotice JobKind = "service_notice" // tells the heads about the service itself (acknowledgements held back)
	JobReminder      JobKind = "reminder"       // a document request's deadline is near (to its officer)
	JobEscalation    JobKind = "escalation"     // a deadline passed with no decision (to the heads)
	JobDailyDigest   JobKind = "daily_digest"   // the day's overview (to the heads)
	// JobNotice is a notice the law requires to the requester (extension,
	// document not held, decision).
	JobNotice JobKind = "notice"
	// JobHeadNotice tells the head of the division about a ticket (urgent);
	// a reply to it is not relayed to the citizen.
	JobHeadNotice JobKind = "head_notice"
	// JobCommandReport tells an officer what the #commands in their mail
	// did, or why one was refused.
	JobCommandReport JobKind = "command_report"
	// JobSignIn mails an officer a one-time link to the web workspace.
	JobSignIn JobKind = "signin"
)

// JobState is where an outbox job stands.
type JobState string

const (
	JobPending JobState = "pending"
	JobDone    JobState = "done"
	JobFailed  JobState = "failed"
	// JobCancelled is a job ended unsent because what it was for no longer
	// holds (a reminder of a request decided meanwhile); LastError says
	// why. It is not a failure.
	JobCancelled JobState = "cancelled"
)

// Mail is an email to send, fully decided when the job is written: the
// Message-ID and Date are fixed so that a retry after a crash sends the same
// mail, never a second, different one.
type Mail struct {
	MessageID  string    `json:"message_id"` // without <>
	Date       time.Time `json:"date"`
	From       Address   `json:"from"`
	To         []Address `json:"to"`
	ReplyTo    *Address  `json:"reply_to,omitempty"`
	Subject    string    `json:"subject"`
	InReplyTo  []string  `json:"in_reply_to,omitempty"`
	References []string  `json:"references,omitempty"`
	// AutoReplied marks machine-written mail (Auto-Submitted: auto-replied and
	// X-Loop); an officer's relayed answer is written by a person and is not.
	AutoReplied bool `json:"auto_replied,omitempty"`
	// AllowOutOfOffice marks machine-written mail whose recipient's
	// out-of-office reply is wanted: an officer's notification, whose
	// out-of-office tells the heads that the officer is away while the
	// legal clock runs. Other machine mail asks for no automatic reply.
	AllowOutOfOffice bool `json:"allow_out_of_office,omitempty"`
	// Headers are extra header fields, e.g. X-Sportel-Ticket.
	Headers     map[string]string `json:"headers,omitempty"`
	Text        string            `json:"text"`
	Attachments []Attachment      `json:"attachments,omitempty"`
	// AttachFrom names attachments the store keeps once, in the raw mail of
	// an entry, instead of copying them into the job: the sender reads them
	// when it sends. An entry never changes, so a resent mail is the same
	// mail. They come after Attachments.
	AttachFrom *AttachmentRef `json:"attach_from,omitempty"`
}

// AttachmentRef points at attachments of a filed message: entry EntryID of
// ticket TicketID, its attachments at Indexes (in Entry.Attachments order).
type AttachmentRef struct {
	TicketID int64 `json:"ticket_id"`
	EntryID  int64 `json:"entry_id"`
	Indexes  []int `json:"indexes"`
}

// TicketAction is something an officer may do to a ticket straight from a
// chat message about it.
type TicketAction string

const (
	ActionTake         TicketAction = "take"
	ActionReassign     TicketAction = "reassign"
	ActionRecategorize TicketAction = "category"
	ActionClose        TicketAction = "close"
	// ActionUrgent marks a document request urgent (clearing the flag is a
	// command, so a button pressed twice never does); ActionNotHeld marks
	// a document request as not held by the ministry.
	ActionUrgent  TicketAction = "urgent"
	ActionNotHeld TicketAction = "notheld"
)

// ChatMessage is a Telegram message to send.
type ChatMessage struct {
	ChatID       int64  `json:"chat_id"`
	Text         string `json:"text"`
	ReplyToMsgID int    `json:"reply_to_msg_id,omitempty"`
	// Ticket and Actions offer those actions on the ticket under the
	// message; how they look and are answered is the chat adapter's affair.
	Ticket  string         `json:"ticket,omitempty"`
	Actions []TicketAction `json:"actions,omitempty"`
	// AttachFrom names files the store keeps once (an officer's answer by
	// mail with its files), sent after the text as documents, one request
	// each, in Indexes order. The sender reads them when it sends, as for
	// Mail.AttachFrom, so the job holds no file.
	AttachFrom *AttachmentRef `json:"attach_from,omitempty"`
	// Files are files Telegram keeps (an officer's answer given in the bot
	// with a document or a photo), sent after the text and after the
	// AttachFrom files, one request each, by their file id: the bytes are
	// never downloaded.
	Files []ChatFile `json:"files,omitempty"`
	// Officer is who wrote the answer, told if Telegram refuses one of its
	// files for good after the text went.
	Officer string `json:"officer,omitempty"`
}

// ChatFile is a file Telegram keeps, sent again by its file id with the
// same bot (a file id is the bot's own).
type ChatFile struct {
	FileID string `json:"file_id"`
	// Kind is how it is sent: ChatPhoto as a photo, anything else as a
	// document (Telegram refuses a file id sent as the other kind).
	Kind        ChatFileKind `json:"kind"`
	Name        string       `json:"name,omitempty"`
	ContentType string       `json:"content_type,omitempty"`
	Size        int64        `json:"size,omitempty"`
}

// ChatFileKind is the kind of message a ChatFile is sent as.
type ChatFileKind string

const (
	ChatDocument ChatFileKind = "document"
	ChatPhoto    ChatFileKind = "photo"
)

// Job is one send waiting in the outbox. It is written in the same
// transaction as the state change that causes it.
type Job struct {
	ID       int64   `json:"id"`
	TicketID int64   `json:"ticket_id,omitempty"`
	Kind     JobKind `json:"kind"`
	// Recipient is who the job is for: an officer id, or the citizen's
	// address or chat, for the ack rate limit and for display.
	Recipient string       `json:"recipient"`
	Mail      *Mail        `json:"mail,omitempty"`
	Chat      *ChatMessage `json:"chat,omitempty"`

	State      JobState  `json:"state"`
	Attempts   int       `json:"attempts"`
	NextAt     time.Time `json:"next_at"`
	LastError  string    `json:"last_error,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	FinishedAt time.Time `json:"finished_at,omitzero"`
	// SentRef is what the transport returned: the Telegram message id of a
	// sent notification, so a reply to it can be traced to the ticket.
	SentRef string `json:"sent_ref,omitempty"`
	// Key, when set, makes the job one of a kind: the store refuses a
	// second job with the same key (Tx.AddJobOnce), so a scheduled send
	// survives restarts and a second instance without going out twice.
	Key string `json:"key,omitempty"`
	// Digest, on a notification that coalesces a ticket's follow-ups, is
	// what it covers so far; a later message joins it while it is unsent.
	Digest *Digest `json:"digest,omitempty"`
}

// Digest is what a coalesced notification covers: how many messages, and
// the first of them (the texts trimmed), so its size stays bounded however
// many join it.
type Digest struct {
	Count int          `json:"count"`
	Items []DigestItem `json:"items,omitempty"`
}

// DigestItem is one message a digest lists.
type DigestItem struct {
	At          time.Time `json:"at"`
	Author      string    `json:"author,omitempty"`
	Text        string    `json:"text"`
	Attachments []string  `json:"attachments,omitempty"` // "name (type, size)"
}
