package sqlite_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"sportel/inbox/parse"
	"sportel/inquiry"
	"sportel/internal/mailgen"
	"sportel/store"
)

// BenchmarkJobInsertClaim is a mail's two jobs through the store: the
// citizen's acknowledgement and the officer's notification, which quotes
// the citizen's realistic message (internal/mailgen), queued a chunk of 32
// mails in one transaction as the desk files them, then claimed and
// finished as the outbox does. One op is one chunk; µs/mail is per mail.
//
//	go test -run XXX -bench JobInsertClaim -benchmem ./store/sqlite/
func BenchmarkJobInsertClaim(b *testing.B) {
	const chunk = 32
	ctx := context.Background()
	s, _ := openTemp(b)
	g := mailgen.New(rand.New(rand.NewPCG(7, 11)), "komunikimi@mkrs.example", t0)
	var texts []string
	for range 200 {
		texts = append(texts, parse.Parse(g.Next().Raw, t0, parse.Options{}).Text)
	}
	ack := strings.Repeat("Të nderuar, ju faleminderit për mesazhin tuaj. Kërkesa juaj është regjistruar me numrin "+
		"DKP-2026-000001 dhe do t'ju përgjigjemi brenda afatit ligjor prej 15 ditësh.\n", 4)
	// What the desk writes before the citizen's message (desk.notifyMail).
	const notify = "Tiketë e re DKP-2026-000001 u është caktuar juve.\n\n" +
		"Kategoria: kërkesë për qasje në dokumente publike (builtin, 98%)\nDërguesi: Arta Krasniqi <arta@example.org>\n" +
		"Kanali: email · Gjuha: sq\nZyrtari: Jusuf Lushaku\nAfati ligjor: 14.12.2026\n\n" +
		"Për t'iu përgjigjur qytetarit, përgjigjuni këtij emaili: përgjigja juaj i dërgohet qytetarit nga adresa publike.\n\n" +
		"----- Mesazhi origjinal -----\nSubjekti: Kërkesë për dokumente\n\n"
	mail := func(kind inquiry.JobKind, n int, text string) *inquiry.Job {
		return &inquiry.Job{Kind: kind, Recipient: fmt.Sprintf("r%d@example.org", n), NextAt: t0, CreatedAt: t0,
			Mail: &inquiry.Mail{MessageID: fmt.Sprintf("%s.%d@sportel", kind, n), Date: t0,
				From:    inquiry.Address{Name: "Sportel", Address: "komunikimi@mkrs.example"},
				To:      []inquiry.Address{{Name: "Arta Krasniqi", Address: fmt.Sprintf("r%d@example.org", n)}},
				Subject: "Re: Kërkesë për dokumente [DKP-2026-000001]", InReplyTo: []string{"abc@example.org"},
				References: []string{"abc@example.org"}, AutoReplied: true,
				Headers: map[string]string{"X-Sportel-Ticket": "DKP-2026-000001"}, Text: text}}
	}
	var bytes int
	n := 0
	for b.Loop() {
		err := s.WithTx(ctx, func(tx store.Tx) error {
			for k := range chunk {
				text := notify + texts[(n+k)%len(texts)]
				bytes += len(text)
				for _, j := range []*inquiry.Job{mail(inquiry.JobAck, n+k, ack), mail(inquiry.JobNotify, n+k, text)} {
					if err := tx.AddJob(j); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		jobs, err := s.ClaimJobs(ctx, "w", t0, time.Hour, 2*chunk)
		if err != nil || len(jobs) != 2*chunk {
			b.Fatalf("claimed %d jobs (%v), want %d", len(jobs), err, 2*chunk)
		}
		sent := make([]store.SentJob, len(jobs))
		for i, j := range jobs {
			sent[i] = store.SentJob{ID: j.ID, Ref: "250 ok"}
		}
		if lost, err := s.FinishJobs(ctx, "w", sent, t0); err != nil || len(lost) > 0 {
			b.Fatalf("FinishJobs = %v, %v", lost, err)
		}
		n += chunk
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(n), "µs/mail")
	b.ReportMetric(float64(bytes)/float64(n), "notify-text-B/mail")
}
