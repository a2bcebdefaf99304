// Package inquiry holds Sportel's domain types: what arrives (Message), how it
// is judged (Classification), what is filed (Ticket, Entry) and what is sent
// (Job). It imports only the standard library so every other package can use it.
package inquiry

import (
	"strings"
	"time"
)

// Channel is the front door a message came through.
type Channel string

const (
	ChannelEmail    Channel = "email"
	ChannelTelegram Channel = "telegram"
)

// Category is the classifier's fixed set of outcomes. Message text can only
// ever choose among these values; routing keys on them.
type Category string

const (
	DocumentRequest Category = "document_request"
	PressInquiry    Category = "press_inquiry"
	GeneralQuestion Category = "general_question"
)

// Categories lists every valid category in a stable order.
var Categories = [...]Category{DocumentRequest, PressInquiry, GeneralQuestion}

// Valid reports whether c is one of the fixed categories.
func (c Category) Valid() bool {
	for _, k := range Categories {
		if c == k {
			return true
		}
	}
	return false
}

// Language is the language and script of a text, as a BCP 47 tag.
type Language string

const (
	Albanian      Language = "sq"
	SerbianLatin  Language = "sr-Latn"
	SerbianCyrl   Language = "sr-Cyrl"
	English       Language = "en"
	UndefinedLang Language = "und"
)

// Languages lists the languages Sportel answers in.
var Languages = [...]Language{Albanian, SerbianLatin, SerbianCyrl, English}

// Valid reports whether l is a known language tag (including "und").
func (l Language) Valid() bool {
	if l == UndefinedLang {
		return true
	}
	for _, k := range Languages {
		if l == k {
			return true
		}
	}
	return false
}

// Address is a person's mail address with an optional display name.
type Address struct {
	Name    string `json:"name,omitempty"`
	Address string `json:"address"`
}

func (a Address) String() string {
	if a.Name == "" {
		return a.Address
	}
	return a.Name + " <" + a.Address + ">"
}

// Attachment is a file that came with a message. Content is kept up to a
// configured cap; Size is always the full size.
type Attachment struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	Content     []byte `json:"content,omitempty"`
	Truncated   bool   `json:"truncated,omitempty"`
	// FileID is Telegram's handle for a file; empty for email.
	FileID string `json:"file_id,omitempty"`
	// Inline is an image the mail's HTML shows in place (by a cid:
	// reference to its Content-ID): a signature's logo or a pasted
	// picture, not a file the writer attached.
	Inline bool `json:"inline,omitempty"`
	// ContentID is the part's Content-ID, without angle brackets.
	ContentID string `json:"content_id,omitempty"`
	// NotSent says why an officer's file was not sent on to the citizen
	// with their answer: NotSentSignature, NotSentQuoted.
	NotSent string `json:"not_sent,omitempty"`
}

// Why an image shown inside an officer's answer was not sent to the
// citizen (Attachment.NotSent): it was part of their signature (a logo, a
// social network's icon), or of the quoted mail below their words.
const (
	NotSentSignature = "signature"
	NotSentQuoted    = "quoted"
)

// Automation says whether a message was written by a machine, and so must
// not be acknowledged.
type Automation string

const (
	// Human mail is acknowledged and ticketed normally.
	Human Automation = ""
	// Machine mail (bounces, auto-replies, our own mail coming back) gets no
	// ticket; it is attached to the ticket it refers to or recorded.
	Machine Automation = "machine"
	// Bulk mail (lists, newsletters) is filed as a ticket in state bulk.
	Bulk Automation = "bulk"
	// Spam, as marked by the upstream filter, is filed in state spam.
	Spam Automation = "spam"
)

// Message is one incoming message from any channel, already parsed.
type Message struct {
	Channel Channel `json:"channel"`
	// SourceID identifies the source message for idempotent intake: the same
	// SourceID never makes two tickets. Email uses
	// "mail:<Message-ID>|<from address>|<hash of the body>", or
	// "nomsgid:<hash of sender, date, subject and body>" when there is no
	// Message-ID: what the sender wrote, never what relays add, so both are
	// stable across redelivery and UIDVALIDITY changes. Telegram uses
	// "tg:<chat>:<message>".
	SourceID string `json:"source_id"`
	// LegacySourceID is the key earlier versions stored for the same
	// mail ("msgid:<Message-ID>", or "sha256:<hex of the raw message>"), so
	// mail taken in by them is still known after an upgrade. It is exact
	// (LegacyExact) when it hashes the very bytes; a "msgid:" key may
	// belong to another sender's mail with the same Message-ID.
	LegacySourceID string   `json:"-"`
	LegacyExact    bool     `json:"-"`
	MessageID      string   `json:"message_id,omitempty"` // RFC 5322 Message-ID without <>
	InReplyTo      []string `json:"in_reply_to,omitempty"`
	References     []string `json:"references,omitempty"`

	From    Address  `json:"from"`
	ReplyTo *Address `json:"reply_to,omitempty"`
	// NoReplySender is set when From is a no-reply style address; the
	// acknowledgement then goes to ReplyTo, or nowhere.
	NoReplySender bool `json:"no_reply_sender,omitempty"`

	Subject     string       `json:"subject,omitempty"`
	Text        string       `json:"text,omitempty"`
	Attachments []Attachment `json:"attachments,omitempty"`
	// HTMLText is the mail's HTML as text with each image it shows (see
	// Attachment.Inline) as a line "[cid:CONTENT-ID] ALT" where it stands;
	// empty when its HTML shows none. Only for telling, in an officer's
	// answer, a picture pasted into their words from their signature's.
	HTMLText string `json:"-"`

	// ReceivedAt is when our side received it (IMAP INTERNALDATE, Telegram date).
	ReceivedAt time.Time `json:"received_at"`
	// SentAt is the sender's own Date header; informational only.
	SentAt time.Time `json:"sent_at,omitzero"`

	// SuppressAck is set when the mail asks not to be auto-answered
	// (X-Auto-Response-Suppress) but is otherwise a person's: it is ticketed
	// without an acknowledgement.
	SuppressAck bool `json:"suppress_ack,omitempty"`

	Automation       Automation `json:"automation,omitempty"`
	AutomationReason string     `json:"automation_reason,omitempty"`
	// AutoReply is set on machine mail an auto-responder wrote (an
	// out-of-office, a vacation reply): what says so, a header or a
	// subject label. AutomationReason may name another header that
	// decided first (Auto-Submitted: auto-generated with "Otomatik
	// yanıt:"); this is the parser's one word on it.
	AutoReply string `json:"auto_reply,omitempty"`
	// DeliveryFailure is set on machine mail that is a delivery report
	// (DSN, RFC 3464) saying a delivery failed for good: the reporting
	// server's words (its Diagnostic-Code, else its Status). A delay
	// warning, a relay's or a read receipt leave it empty.
	DeliveryFailure string `json:"delivery_failure,omitempty"`
	// BouncedMessageID is, with DeliveryFailure, the Message-ID of the mail
	// whose delivery failed, as the report quotes it ("" when it does not).
	BouncedMessageID string `json:"bounced_message_id,omitempty"`

	// Unreadable says, for the officer, why the mail's content could not
	// be read: encrypted, or signed in a form that was not opened; the
	// original is kept (as an attachment, or in the raw mail). Encrypted
	// is set when some of it was encrypted: the acknowledgement asks for
	// it again unencrypted.
	Unreadable string `json:"unreadable,omitempty"`
	Encrypted  bool   `json:"encrypted,omitempty"`

	// ParseProblems lists what could not be read, for the record.
	ParseProblems []string `json:"parse_problems,omitempty"`
	// Raw is the original message (size-capped) kept for the record.
	Raw          []byte `json:"-"`
	RawTruncated bool   `json:"-"`
	// Size is the message's size at its source (IMAP RFC822.SIZE), when known.
	Size int64 `json:"size,omitempty"`
	// TooLarge is set when the message was over the size limit and only its
	// start was read; the whole message is kept at its source, in KeptIn
	// (a mailbox name).
	TooLarge bool   `json:"too_large,omitempty"`
	KeptIn   string `json:"kept_in,omitempty"`
	// AttachmentsAt is set once the message is filed and its attachments'
	// bytes are kept only in its raw mail: mail about it refers to them
	// there instead of copying them.
	AttachmentsAt *AttachmentRef `json:"-"`

	// ClientLanguage is the language the sender's software declares: a
	// Telegram app's setting, or a mail's Content-Language ("" when not one
	// of ours). It weighs only where the words do not tell (desk).
	ClientLanguage Language `json:"client_language,omitempty"`

	// Telegram only.
	ChatID       int64 `json:"chat_id,omitempty"`
	UserID       int64 `json:"user_id,omitempty"`
	ChatMsgID    int   `json:"chat_msg_id,omitempty"`
	ReplyToMsgID int   `json:"reply_to_msg_id,omitempty"`
	// LanguageChoice is the language a Telegram chat chose explicitly. A
	// chat's reply language is the choice, else the text's confident
	// language, else ClientLanguage, else Albanian.
	LanguageChoice Language `json:"language_choice,omitempty"`
	// ForceNew starts a fresh ticket even when a recent one is open (/new).
	ForceNew bool `json:"force_new,omitempty"`
	// Public marks a message written in a public group (the discussion under
	// the ministry's channel): the acknowledgement carries no personal data.
	Public bool `json:"public,omitempty"`
	// Forwarded is the message this mail forwards, attached whole or
	// quoted below a forward line, when the parser could read its sender.
	Forwarded *Forwarded `json:"forwarded,omitempty"`
	// AuthResults are the mail's Authentication-Results header fields
	// (RFC 8601) as they came, the topmost (the last server's) first: the
	// desk believes an officer's forward only when the ministry's own
	// receiving server vouched in one of them for its sender.
	AuthResults []string `json:"-"`
}

// Forwarded is a message quoted in a forward: who wrote it, when, and
// what. An officer who forwards a citizen's mail to the public mailbox
// files it for the citizen.
type Forwarded struct {
	From Address `json:"from"`
	// ReplyTo and NoReplySender are the attached message's, as for a
	// Message: a contact form's mail names its citizen in Reply-To.
	ReplyTo       *Address `json:"reply_to,omitempty"`
	NoReplySender bool     `json:"no_reply_sender,omitempty"`
	Subject       string   `json:"subject,omitempty"`
	// SentAt is its Date, when written in a form that says the time zone
	// (the header of an attached message, or a forward line in RFC 5322
	// form); zero otherwise.
	SentAt    time.Time `json:"sent_at,omitzero"`
	MessageID string    `json:"message_id,omitempty"`
	Text      string    `json:"text,omitempty"`
	// Comment is what the forwarder wrote above it.
	Comment string `json:"comment,omitempty"`
	// SourceID is the key the message would have had had it come to the
	// mailbox itself; only an attached message has one.
	SourceID string `json:"source_id,omitempty"`
	// Raw and Attachments are an attached message's own bytes and files
	// (nil for a forward quoted in the text, whose files are the
	// forward's own).
	Raw         []byte       `json:"-"`
	Attachments []Attachment `json:"-"`
}

// ReplyAddress is where an answer to this message goes: Reply-To when given,
// otherwise From. It is empty when the sender cannot be answered.
func (m *Message) ReplyAddress() Address {
	if m.ReplyTo != nil && m.ReplyTo.Address != "" {
		return *m.ReplyTo
	}
	if m.NoReplySender {
		return Address{}
	}
	return m.From
}

// HasContent reports whether anything a person wrote can be read: text, a
// subject or an attachment.
func (m *Message) HasContent() bool {
	return !blank(m.Text) || !blank(m.Subject) || len(m.Attachments) > 0
}

// blank reports whether s is only spaces, tabs and line ends: it stops at
// the first other byte (every mail parsed asks, of its whole text).
func blank(s string) bool {
	return strings.TrimLeft(s, " \t\r\n") == ""
}

// Classification is a classifier's verdict on a message.
type Classification struct {
	Category   Category `json:"category"`
	Confidence float64  `json:"confidence"`
	Language   Language `json:"language"`
	Classifier string   `json:"classifier"`
	Reason     string   `json:"reason"`
	// NeedsReview is set when confidence is low or two classifiers disagree.
	NeedsReview bool `json:"needs_review,omitempty"`
}

// Disposition is what became of an incoming message; the source acts on it
// (an email is moved to the processed or the quarantine mailbox).
type Disposition string

const (
	Filed       Disposition = "filed"       // a new ticket
	Attached    Disposition = "attached"    // added to an existing ticket
	Relayed     Disposition = "relayed"     // an officer's answer sent on to the citizen
	Recorded    Disposition = "recorded"    // machine mail kept, no ticket
	Quarantined Disposition = "quarantined" // unusable: set aside, an officer told
	Duplicate   Disposition = "duplicate"   // already taken in before
)
