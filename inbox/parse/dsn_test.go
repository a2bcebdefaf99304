package parse

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The corpus's delivery reports: one that says a delivery failed gives the
// server's words; a delay warning, a relay's report and read receipts give
// nothing, so no officer is told an answer failed that did not.
func TestDeliveryFailureOfReports(t *testing.T) {
	tests := []struct{ file, want string }{
		{"postfix-5.1.1.eml", "550 5.1.1 <arben.krasniqi@example.net>: Recipient address rejected: User unknown"},
		{"exchange-online.eml", "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup"},
		{"gmail-report.eml", "550 5.1.1 The email account that you tried to reach does not exist."},
		{"global-dsn.eml", "550 5.1.1 User unknown"},
		{"dovecot-lmtp.eml", "552 5.2.2 Quota exceeded"},
		{"exim-report.eml", "552 5.2.2 Mailbox full"},
		{"sendmail-report.eml", "550 Host unknown"},
		{"postfix-delay.eml", ""},
		{"exim-delay-report.eml", ""},
		{"relayed-success.eml", ""},
		{"mdn-outlook-read.eml", ""},
		{"mdn-thunderbird-displayed.eml", ""},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", "machine", "dsn", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			m := Parse(raw, time.Unix(0, 0), Options{})
			if m.DeliveryFailure != tt.want {
				t.Errorf("delivery failure %q, want %q", m.DeliveryFailure, tt.want)
			}
			// The corpus's reports are of an acknowledgement Sportel sent.
			if wantID := map[bool]string{true: "sportel.ack.5f2c91d0@mkrs.example"}[tt.want != ""]; m.BouncedMessageID != wantID {
				t.Errorf("bounced message %q, want %q", m.BouncedMessageID, wantID)
			}
		})
	}
}

func TestFailedDelivery(t *testing.T) {
	tests := []struct{ name, part, want string }{
		{"no diagnostic: the status", "Reporting-MTA: dns; mx.example\r\n\r\nFinal-Recipient: rfc822; a@example.net\r\nAction: failed\r\nStatus: 5.1.1\r\n", "status 5.1.1"},
		{"folded diagnostic", "Reporting-MTA: dns; mx.example\n\nFinal-Recipient: rfc822; a@example.net\nAction: failed\nStatus: 5.2.2\nDiagnostic-Code: smtp; 552 5.2.2\n  mailbox full\n", "552 5.2.2 mailbox full"},
		{"the second recipient failed", "Reporting-MTA: dns; mx.example\n\nFinal-Recipient: rfc822; a@example.net\nAction: delivered\nStatus: 2.0.0\n\nFinal-Recipient: rfc822; b@example.net\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 no such user\n", "550 no such user"},
		{"a comment after the action", "Final-Recipient: rfc822; a@example.net\nAction: Failed (bad mailbox)\n", "delivery failed"},
		{"delayed", "Final-Recipient: rfc822; a@example.net\nAction: delayed\nStatus: 4.4.1\nDiagnostic-Code: smtp; 451 try later\n", ""},
		{"the next group's fields do not count for the first", "Final-Recipient: rfc822; a@example.net\nAction: delayed\n\nFinal-Recipient: rfc822; b@example.net\nStatus: 5.1.1\n", ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := failedDelivery([]byte(tt.part)); got != tt.want {
				t.Errorf("failedDelivery = %q, want %q", got, tt.want)
			}
		})
	}
}

// Bounces written as text (no delivery-status part) are read the same way:
// a failure gives the server's words and the original's id from the copy;
// a delay warning gives nothing, even with the copy of our mail.
func TestDeliveryFailureOfTextBounces(t *testing.T) {
	const ack = "sportel.ack.5f2c91d0@mkrs.example"
	tests := []struct{ file, want, wantID string }{
		{"exim-plain.eml", "550 No Such User Here", ack},
		{"qmail-plain.eml", "550 5.1.1 User unknown", ack},
		{"sendmail-oldstyle.eml", "550 <ilir@example.gov>... User unknown", ack},
		{"post_master.eml", "The message below could not be delivered. Mailbox disabled.", ack},
		{"kerio.eml", "550 5.1.1 mailbox unavailable", ""}, // quotes no id: nobody to tell
		{"exim-delay-headers.eml", "", ""},
		{"exim-delay.eml", "", ""},
		{"sendmail-delay.eml", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", "machine", "bounce", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			m := Parse(raw, time.Unix(0, 0), Options{})
			if m.DeliveryFailure != tt.want || m.BouncedMessageID != tt.wantID {
				t.Errorf("delivery failure %q of %q, want %q of %q", m.DeliveryFailure, m.BouncedMessageID, tt.want, tt.wantID)
			}
		})
	}
}

func TestPlainFailure(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"the reply code's line, from the code on", "could not be delivered:\n  a@example.net\n    Remote host said: 550 5.1.1 no such user\n", "550 5.1.1 no such user"},
		{"no code: the line that says so", "Your message could not be delivered. Mailbox full.\n", "Your message could not be delivered. Mailbox full."},
		{"a temporary reply is not the failure's words", "This is a permanent error.\n451 4.7.1 try later\n", "This is a permanent error."},
		{"a code inside a number is no code", "Delivery failed.\nQueue id 15501 removed\n", "Delivery failed."},
		{"a delay warning", "Your message has been delayed.\n451 try later\n", ""},
		{"the copy's words do not count", "Mail System notice\n\n------ This is a copy of the message, including all the headers. ------\n\nSubject: x\n\nThe parcel could not be delivered.\n", ""},
		{"a copy's header block ends the report", "Notice\nMessage-ID: <a@b>\nUndeliverable parcel\n", ""},
		{"the copy's delay words do not hide a failure", "This is a permanent error.\n550 gone\n--- Below this line is a copy of the message.\nSubject: delayed\n", "550 gone"},
		{"no failure said", "Your message was delivered.\n250 OK\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := plainFailure(tt.text); got != tt.want {
				t.Errorf("plainFailure = %q, want %q", got, tt.want)
			}
		})
	}
}
