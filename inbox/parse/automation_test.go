package parse

import (
	"bufio"
	"strings"
	"testing"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"

	"sportel/inquiry"
)

func readHeader(t *testing.T, raw string) mail.Header {
	t.Helper()
	th, err := textproto.ReadHeader(bufio.NewReader(strings.NewReader(raw + "\r\n")))
	if err != nil {
		t.Fatalf("read test header: %v", err)
	}
	return mail.Header{Header: message.Header{Header: th}}
}

// TestLoopProtection runs every header signal through both IsAutomated and
// Parse; each header is a whole message once a body is added.
func TestLoopProtection(t *testing.T) {
	tests := []struct {
		name        string
		header      string
		want        inquiry.Automation
		reason      string
		suppressAck bool
		noReply     bool
	}{
		{"person", "From: arta@example.org\n", inquiry.Human, "", false, false},
		{"Auto-Submitted no", "From: arta@example.org\nAuto-Submitted: no\n", inquiry.Human, "", false, false},
		{"Auto-Submitted auto-replied", "From: arta@example.org\nAuto-Submitted: auto-replied (vacation)\n", inquiry.Machine, "Auto-Submitted: auto-replied (vacation)", false, false},
		{"Auto-Submitted auto-generated", "From: arta@example.org\nAuto-Submitted: Auto-Generated\n", inquiry.Machine, "Auto-Submitted: Auto-Generated", false, false},
		{"Precedence auto_reply", "From: arta@example.org\nPrecedence: auto_reply\n", inquiry.Machine, "Precedence: auto_reply", false, false},
		{"X-Precedence auto_reply", "From: arta@example.org\nX-Precedence: auto_reply\n", inquiry.Machine, "X-Precedence: auto_reply", false, false},
		{"X-Autoreply", "From: arta@example.org\nX-Autoreply: yes\n", inquiry.Machine, "X-Autoreply: yes", false, false},
		{"X-Autorespond", "From: arta@example.org\nX-Autorespond: Out of office\n", inquiry.Machine, "X-Autorespond", false, false},
		{"empty Return-Path", "Return-Path: <>\nFrom: arta@example.org\n", inquiry.Machine, "Return-Path: <>", false, false},
		{"normal Return-Path", "Return-Path: <arta@example.org>\nFrom: arta@example.org\n", inquiry.Human, "", false, false},
		{"MAILER-DAEMON", "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.org>\n", inquiry.Machine, "sender MAILER-DAEMON@mx.example.org", false, false},
		{"postmaster", "From: postmaster@example.org\n", inquiry.Machine, "sender postmaster@example.org", false, false},
		{"our own address", "From: DKP <DKP@mkrs-ks.org>\n", inquiry.Machine, "sender is our own address DKP@mkrs-ks.org", false, false},
		{"X-Loop naming us", "From: arta@example.org\nX-Loop: dkp@mkrs-ks.org\n", inquiry.Machine, "X-Loop: dkp@mkrs-ks.org", false, false},
		{"X-Loop of someone else", "From: arta@example.org\nX-Loop: list@example.net\n", inquiry.Human, "", false, false},
		{"our Message-ID", "From: arta@example.org\nMessage-ID: <ack-9@Sportel.mkrs-ks.org>\n", inquiry.Machine, "Message-ID of our own", false, false},
		{"multipart/report", "From: arta@example.org\nContent-Type: multipart/report; report-type=disposition-notification; boundary=x\n", inquiry.Machine, "delivery report", false, false},
		{"X-Spam-Flag", "From: arta@example.org\nX-Spam-Flag: YES\n", inquiry.Spam, "X-Spam-Flag: YES", false, false},
		{"X-Spam-Status", "From: arta@example.org\nX-Spam-Status: Yes, score=9.1 required=5.0\n", inquiry.Spam, "X-Spam-Status: Yes", false, false},
		{"X-Spam-Status no", "From: arta@example.org\nX-Spam-Status: No, score=0.1\n", inquiry.Human, "", false, false},
		{"Precedence bulk", "From: news@example.org\nPrecedence: bulk\n", inquiry.Bulk, "Precedence: bulk", false, false},
		{"Precedence list", "From: news@example.org\nPrecedence: list\n", inquiry.Bulk, "Precedence: list", false, false},
		{"X-Precedence junk", "From: news@example.org\nX-Precedence: junk\n", inquiry.Bulk, "X-Precedence: junk", false, false},
		{"List-Id", "From: news@example.org\nList-Id: <sport.lists.example.org>\n", inquiry.Bulk, "List-Id: <sport.lists.example.org>", false, false},
		{"List-Unsubscribe", "From: news@example.org\nList-Unsubscribe: <mailto:u@example.org>\n", inquiry.Bulk, "List-Unsubscribe", false, false},
		{"X-Auto-Response-Suppress alone", "From: arta@example.org\nX-Auto-Response-Suppress: All\n", inquiry.Human, "X-Auto-Response-Suppress: All", true, false},
		{"X-Auto-Response-Suppress with Precedence bulk", "From: arta@example.org\nX-Auto-Response-Suppress: OOF\nPrecedence: bulk\n", inquiry.Machine, "X-Auto-Response-Suppress: OOF with Precedence: bulk", true, false},
		{"X-Auto-Response-Suppress from no-reply", "From: noreply@example.org\nX-Auto-Response-Suppress: All\n", inquiry.Machine, "from no-reply sender", true, true},
		{"X-Auto-Response-Suppress with Auto-Submitted", "From: arta@example.org\nX-Auto-Response-Suppress: All\nAuto-Submitted: auto-generated\n", inquiry.Machine, "Auto-Submitted: auto-generated", true, false},
		{"machine beats spam", "From: arta@example.org\nX-Spam-Flag: YES\nAuto-Submitted: auto-replied\n", inquiry.Machine, "Auto-Submitted", false, false},
		{"spam beats bulk", "From: news@example.org\nList-Id: <l.example.org>\nX-Spam-Flag: YES\n", inquiry.Spam, "X-Spam-Flag", false, false},
		{"no-reply variants", "From: Do-Not-Reply+abc@example.org\n", inquiry.Human, "", false, true},
		{"noreply prefix", "From: NOREPLY.notifications@example.org\n", inquiry.Human, "", false, true},
		{"reply is not no-reply", "From: reply@example.org\n", inquiry.Human, "", false, false},
		{"no From", "Subject: x\n", inquiry.Human, "", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, reason := IsAutomated(readHeader(t, strings.ReplaceAll(tc.header, "\n", "\r\n")), testOpts)
			if got != tc.want || !strings.Contains(reason, tc.reason) {
				t.Errorf("IsAutomated = %q %q, want %q containing %q", got, reason, tc.want, tc.reason)
			}
			if tc.want == inquiry.Human && tc.reason == "" && reason != "" {
				t.Errorf("IsAutomated reason %q for a person's mail", reason)
			}

			m := Parse([]byte(tc.header+"Subject: s\n\n--x--\n"), received, testOpts)
			if m.Automation != tc.want || !strings.Contains(m.AutomationReason, tc.reason) {
				t.Errorf("Parse Automation = %q %q, want %q containing %q", m.Automation, m.AutomationReason, tc.want, tc.reason)
			}
			if m.SuppressAck != tc.suppressAck || m.NoReplySender != tc.noReply {
				t.Errorf("SuppressAck %v NoReplySender %v, want %v %v", m.SuppressAck, m.NoReplySender, tc.suppressAck, tc.noReply)
			}
		})
	}
}

func TestReplyToThatCannotBeAnswered(t *testing.T) {
	tests := []struct {
		name    string
		replyTo string
		want    string // ReplyAddress().Address
	}{
		{"person", "besa@example.org", "besa@example.org"},
		{"no-reply", "no-reply@example.org", "arta@example.org"},
		{"our own", "dkp@mkrs-ks.org", "arta@example.org"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := Parse([]byte("From: arta@example.org\nReply-To: "+tc.replyTo+"\n\nx\n"), received, testOpts)
			if got := m.ReplyAddress().Address; got != tc.want {
				t.Errorf("ReplyAddress = %q, want %q", got, tc.want)
			}
		})
	}
}

// Officers' mail server writes Message-IDs in our domain too; only the ones
// with our prefix are ours.
func TestOwnMessageIDNeedsPrefix(t *testing.T) {
	opts := Options{OwnAddresses: []string{"komunikimi@mkrs.example"}, OwnMessageIDDomain: "mkrs.example", OwnMessageIDPrefix: "sportel."}
	tests := []struct {
		messageID string
		want      inquiry.Automation
	}{
		{"sportel.ack.0a1b2c@mkrs.example", inquiry.Machine},
		{"CAB12345@mkrs.example", inquiry.Human},
		{"sportel.ack.0a1b2c@example.org", inquiry.Human},
	}
	for _, tt := range tests {
		h := readHeader(t, "From: jusuf.lushaku@mkrs.example\r\nMessage-ID: <"+tt.messageID+">\r\n")
		if got, reason := IsAutomated(h, opts); got != tt.want {
			t.Errorf("Message-ID %s: %q (%s), want %q", tt.messageID, got, reason, tt.want)
		}
	}
}
