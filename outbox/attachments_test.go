package outbox_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/internal/testutil"
	"sportel/outbox"
	"sportel/store"
)

// attachmentsOf is an AttachmentSource over fixed attachments; calls counts
// the reads.
type attachmentsOf struct {
	atts  []inquiry.Attachment
	err   error
	calls int
}

func (s *attachmentsOf) Attachments(_ context.Context, ref inquiry.AttachmentRef) ([]inquiry.Attachment, error) {
	s.calls++
	if s.err != nil {
		return nil, s.err
	}
	var out []inquiry.Attachment
	for _, i := range ref.Indexes {
		out = append(out, s.atts[i])
	}
	return out, nil
}

// A mail that names stored attachments is sent with them read in at send
// time; the job itself never holds them. A source that fails for a while is
// retried, one that says the attachments are gone ends the job, and so does
// having no source.
func TestMailWithStoredAttachments(t *testing.T) {
	scan := inquiry.Attachment{Name: "skanim.pdf", ContentType: "application/pdf", Size: 9, Content: []byte("%PDF-scan")}
	tests := []struct {
		name      string
		source    *attachmentsOf
		wantState inquiry.JobState
		// wantErr: Drain stops, naming the read that failed, and gives
		// the job back with its attempt.
		wantErr string
	}{
		{"read and sent", &attachmentsOf{atts: []inquiry.Attachment{{Name: "other.txt"}, scan}}, inquiry.JobDone, ""},
		{"source failing for now gives the job back", &attachmentsOf{err: errors.New("database is locked")}, inquiry.JobPending,
			"read attachments of entry 7: database is locked"},
		{"attachments gone fails the job", &attachmentsOf{err: permanent{errors.New("entry 7 keeps no raw mail")}}, inquiry.JobFailed, ""},
		{"no source fails the job", nil, inquiry.JobFailed, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			srv, m := smtpServer(t)
			j := inquiry.Job{
				TicketID: f.ticket.ID, Kind: inquiry.JobNotify, Recipient: "zamira", NextAt: f.now, CreatedAt: f.now,
				Mail: &inquiry.Mail{
					MessageID: "sportel.notify.1@mkrs.example", Date: f.now,
					From: inquiry.Address{Address: "komunikimi@mkrs.example"}, To: []inquiry.Address{{Address: "zamira@mkrs.example"}},
					Subject: "[DKP-2026-000001] Pyetje", Text: "Tiketë e re.",
					AttachFrom: &inquiry.AttachmentRef{TicketID: f.ticket.ID, EntryID: 7, Indexes: []int{1}},
				},
			}
			f.inTx(func(tx store.Tx) error { return tx.AddJob(&j) })
			cfg := outbox.Config{MaxAttempts: 3, BackoffMin: time.Minute, BackoffMax: time.Hour, Lease: time.Minute}
			if tt.source != nil {
				cfg.Attachments = tt.source
			}
			ob := outbox.New(f.store, m, nil, cfg, testutil.DiscardLogger())
			ob.SetClock(func() time.Time { return f.now })
			err := ob.Drain(context.Background())
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("drain: %v, want %q", err, tt.wantErr)
			}
			got := f.job(j.ID)
			if got.State != tt.wantState {
				t.Fatalf("job %s (%s), want %s", got.State, got.LastError, tt.wantState)
			}
			if tt.wantErr != "" && (got.Attempts != 0 || got.LastError != "") {
				t.Errorf("the job given back with %d attempts and error %q, want none: the store failed, not the send", got.Attempts, got.LastError)
			}
			if len(got.Mail.Attachments) != 0 || got.Mail.AttachFrom == nil {
				t.Errorf("the stored job changed: %d attachments, refers to %+v", len(got.Mail.Attachments), got.Mail.AttachFrom)
			}
			mails := srv.Mails()
			if tt.wantState != inquiry.JobDone {
				if len(mails) != 0 {
					t.Errorf("%d mails sent without their attachments", len(mails))
				}
				return
			}
			if len(mails) != 1 || !bytes.Contains(mails[0].Data, []byte("skanim.pdf")) ||
				!bytes.Contains(mails[0].Data, []byte("JVBERi1zY2Fu")) || bytes.Contains(mails[0].Data, []byte("other.txt")) {
				t.Fatalf("sent %d mails; want one carrying skanim.pdf (base64 JVBERi1zY2Fu) only:\n%s", len(mails), mails)
			}
		})
	}
}
