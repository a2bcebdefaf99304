package mailer

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/emersion/go-smtp"

	"sportel/inquiry"
	"sportel/internal/testutil"
)

// A mail too large for the relay fails for good and says so (TooLarge),
// so the outbox can send a smaller one instead. A relay that names its
// limit in EHLO SIZE is not sent the mail at all; one that finds out after
// the data (552, with or without 5.3.4) refuses it there. A full mailbox
// (552 5.2.2 at RCPT) is not the mail's size.
func TestSendMailTooLarge(t *testing.T) {
	tooBig := func(data []byte) error {
		if len(data) > 4000 {
			return &smtp.SMTPError{Code: 552, EnhancedCode: smtp.EnhancedCode{5, 3, 4}, Message: "Message too big"}
		}
		return nil
	}
	tests := []struct {
		name       string
		maxBytes   int64    // the server's MaxMessageBytes, said in EHLO SIZE; 0: "SIZE" with no limit
		hide       []string // extensions hidden from the EHLO reply
		rcptReply  *smtp.SMTPError
		dataReply  func([]byte) error
		attachment int // bytes of the attachment
		wantErr    bool
		wantLarge  bool
		wantMails  int // MAIL FROM commands the server saw
	}{
		{"under the EHLO SIZE limit goes", 1 << 20, nil, nil, nil, 10_000, false, false, 1},
		{"over the EHLO SIZE limit is not uploaded", 4000, nil, nil, nil, 10_000, true, true, 0},
		{"552 5.3.4 after BDAT", 0, nil, nil, tooBig, 10_000, true, true, 1},
		{"552 5.3.4 after DATA", 0, []string{"CHUNKING\r\n"}, nil, tooBig, 10_000, true, true, 1},
		{"552 5.0.0 after DATA", 0, []string{"CHUNKING\r\n"}, nil, func([]byte) error {
			return &smtp.SMTPError{Code: 552, Message: "exceeded storage allocation"}
		}, 10_000, true, true, 1},
		{"552 5.2.2 at RCPT is a full mailbox", 0, nil, &smtp.SMTPError{Code: 552, EnhancedCode: smtp.EnhancedCode{5, 2, 2}, Message: "mailbox full"},
			nil, 10, true, false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			be := &backend{rcptReply: tt.rcptReply, dataReply: tt.dataReply}
			addr := startSMTPWith(t, be, nil, false, func(s *smtp.Server) { s.MaxMessageBytes = tt.maxBytes })
			if tt.hide != nil {
				addr = startProxy(t, addr, tt.hide...).addr
			}
			mlr, err := New(Options{Addr: addr, Security: SecurityNone, Logger: testutil.DiscardLogger()})
			if err != nil {
				t.Fatal(err)
			}
			defer mlr.Close()
			m := sampleMail()
			m.Attachments = []inquiry.Attachment{{Name: "skanim.pdf", ContentType: "application/pdf", Content: bytes.Repeat([]byte("%PDF"), tt.attachment/4)}}
			err = mlr.SendMail(context.Background(), m)
			if !tt.wantErr {
				if err != nil || len(be.mails()) != 1 {
					t.Fatalf("SendMail: %v, %d mails; want it sent", err, len(be.mails()))
				}
				return
			}
			se, ok := errors.AsType[*SendError](err)
			if !ok || !se.Permanent() || se.TooLarge() != tt.wantLarge || se.RelayFault() {
				t.Fatalf("SendMail = %v, want a permanent SendError with TooLarge %v", err, tt.wantLarge)
			}
			be.mu.Lock()
			mails := be.mailsFrom
			be.mu.Unlock()
			if mails != tt.wantMails || len(be.mails()) != 0 {
				t.Errorf("server saw %d MAIL FROM and took in %d mails; want %d and none", mails, len(be.mails()), tt.wantMails)
			}
		})
	}
}
