package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/store"
)

// JobMailColumns reads job id's mail and mail_text columns as they are
// stored; text is nil when mail_text is NULL.
type JobMailColumns func(t *testing.T, id int64) (mail string, text *string)

// JobMailText checks how a driver keeps a job's mail (store.EncodeJobMail):
// its text in mail_text and the rest as JSON, or all of it in the JSON for
// a text the JSON alone carries as it was read before; each reads back as
// the mail's JSON always did. writeOld stores mailJSON as job id's mail
// with mail_text NULL, as a Sportel older than the column wrote it: such
// rows read back as they did, are rewritten in the new form by
// UpdatePendingJob, and a sent sign-in mail loses its text there too.
func JobMailText(t *testing.T, s store.Store, columns JobMailColumns, writeOld func(t *testing.T, id int64, mailJSON string)) {
	t.Helper()
	ctx := context.Background()
	const link = "https://sportel.example/signin/link?t=secret-token"
	// What an officer's notification quotes, with what JSON escapes.
	quoted := strings.Repeat("> Përshëndetje, kërkoj kopjen e vendimit për lejen e ndërtimit <nr. 12/2026> & të tjerat.\n"+
		"> Поштовани, молим вас за копију решења\u2028 \"хитно\"\t\\ ✓\n", 30)
	mail := func(id, text string) *inquiry.Mail {
		return &inquiry.Mail{MessageID: id + "@sportel", Date: t0, From: inquiry.Address{Name: "Sportel", Address: "komunikimi@mkrs.example"},
			To: []inquiry.Address{{Name: "Jusuf", Address: "jusuf@mkrs.example"}}, ReplyTo: &inquiry.Address{Address: "komunikimi@mkrs.example"},
			Subject: "[DKP-2026-000001] Kërkesë", InReplyTo: []string{"a@example.org"}, References: []string{"a@example.org"},
			AutoReplied: true, AllowOutOfOffice: true, Headers: map[string]string{"X-Sportel-Ticket": "DKP-2026-000001"},
			Text: text, Attachments: []inquiry.Attachment{{Name: "vendim.pdf", ContentType: "application/pdf", Size: 3, Content: []byte("pdf")}},
			AttachFrom: &inquiry.AttachmentRef{TicketID: 1, EntryID: 2, Indexes: []int{0}}}
	}
	cases := []struct {
		name  string
		kind  inquiry.JobKind
		text  string
		apart bool // the text is kept in mail_text
		old   bool // written as before mail_text
	}{
		{"notification", inquiry.JobNotify, "Kërkesë e re.\n\n" + quoted, true, false},
		{"empty text", inquiry.JobAck, "", true, false},
		{"sign-in", inquiry.JobSignIn, "Hyni: " + link, true, false},
		{"NUL", inquiry.JobNotify, "para\x00pas", false, false},
		{"not UTF-8", inquiry.JobNotify, "kopj\xeb e vendimit", false, false},
		{"old notification", inquiry.JobNotify, "E vjetër.\n" + quoted, false, true},
		{"old sign-in", inquiry.JobSignIn, "Hyni: " + link, false, true},
	}
	jobs := make([]*inquiry.Job, len(cases))
	inTx(t, s, func(tx store.Tx) error {
		for i, c := range cases {
			jobs[i] = &inquiry.Job{Kind: c.kind, Recipient: "jusuf@mkrs.example", NextAt: t0, CreatedAt: t0,
				Mail: mail(fmt.Sprintf("job%d", i), c.text)}
			if err := tx.AddJob(jobs[i]); err != nil {
				return err
			}
		}
		return nil
	})
	for i, c := range cases {
		if c.old {
			b, err := json.Marshal(jobs[i].Mail)
			if err != nil {
				t.Fatal(err)
			}
			writeOld(t, jobs[i].ID, string(b))
		}
	}
	for i, c := range cases {
		js, text := columns(t, jobs[i].ID)
		if apart := text != nil; apart != c.apart || c.apart && (*text != c.text || c.text != "" && strings.Contains(js, c.text)) {
			t.Errorf("%s: mail %q, text %s; want the text apart %v", c.name, js, show(text), c.apart)
		}
		if got, want := jobByID(t, s, jobs[i].ID).Mail, jsonRoundTrip(t, jobs[i].Mail); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: read back\n%+v\nwant\n%+v", c.name, got, want)
		}
	}

	// An old row rewritten before it is sent takes the new form.
	old := jobByID(t, s, jobs[5].ID)
	old.Mail.Text = "E re.\n" + quoted
	inTx(t, s, func(tx store.Tx) error {
		if ok, err := tx.UpdatePendingJob(&old); err != nil || !ok {
			return fmt.Errorf("UpdatePendingJob(%d) = %v, %v; want true", old.ID, ok, err)
		}
		return nil
	})
	if js, text := columns(t, old.ID); text == nil || *text != old.Mail.Text || strings.Contains(js, "E vjetër") {
		t.Errorf("old notification rewritten: mail %q, text %s; want the new text apart", js, show(text))
	}
	if got := jobByID(t, s, old.ID).Mail; got == nil || got.Text != old.Mail.Text || got.Subject != old.Mail.Subject {
		t.Errorf("old notification rewritten reads back %+v", got)
	}

	claimed, err := s.ClaimJobs(ctx, "w", t0, time.Minute, 10)
	if err != nil || len(claimed) != len(cases) {
		t.Fatalf("claimed %d jobs (%v), want %d", len(claimed), err, len(cases))
	}
	byID := map[int64]inquiry.Job{}
	for _, j := range claimed {
		byID[j.ID] = j
	}
	ids := make([]int64, len(jobs))
	for i, j := range jobs {
		ids[i] = j.ID
		want := jsonRoundTrip(t, j.Mail)
		if j.ID == old.ID {
			want = old.Mail
		}
		if got := byID[j.ID].Mail; !reflect.DeepEqual(got, want) {
			t.Errorf("%s: claimed\n%+v\nwant\n%+v", cases[i].name, got, want)
		}
	}
	if err := finishAll(ctx, s, "w", ids, t0.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		js, text := columns(t, jobs[i].ID)
		stored := js
		if text != nil {
			stored += *text
		}
		got := jobByID(t, s, jobs[i].ID).Mail
		switch {
		case c.kind == inquiry.JobSignIn && (strings.Contains(stored, "secret-token") || got == nil || got.Text != store.SignInTextSent ||
			got.Subject != jobs[i].Mail.Subject):
			t.Errorf("%s sent: mail %q, text %s, reads back %+v; want the text replaced, the rest kept", c.name, js, show(text), got)
		case c.kind != inquiry.JobSignIn && jobs[i].ID != old.ID && !reflect.DeepEqual(got, jsonRoundTrip(t, jobs[i].Mail)):
			t.Errorf("%s sent: reads back %+v; want it kept", c.name, got)
		}
	}
}

// jsonRoundTrip is m as a job's mail read back when it was all JSON.
func jsonRoundTrip(t *testing.T, m *inquiry.Mail) *inquiry.Mail {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	out := new(inquiry.Mail)
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatal(err)
	}
	return out
}

// show is a mail_text column for a message.
func show(text *string) string {
	if text == nil {
		return "NULL"
	}
	return fmt.Sprintf("%q", *text)
}
