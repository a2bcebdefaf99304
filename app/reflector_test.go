package app

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"sportel/inquiry"
	"sportel/internal/testutil"
)

// The reflector (issue #9, part 5): mail whose Reply-To names victims under
// a spam display name, with a spam subject. The acknowledgements carry
// neither; past the hourly cap they wait; the head hears once; the metric
// shows how many wait.
func TestE2EReflectorIsCapped(t *testing.T) {
	const (
		total   = 9
		perHour = 4
	)
	s := newMemStack(t)
	metricsAddr := testutil.FreeAddr(t)
	s.cfg.Metrics.Listen = metricsAddr
	s.cfg.Outbox.AcknowledgementsPerHour = perHour
	for i := range s.cfg.Officers {
		if s.cfg.Officers[i].ID == "osman" {
			s.cfg.Officers[i].Role = inquiry.RoleHead
		}
	}
	for i := range total {
		s.append(inboundMail{
			from:      fmt.Sprintf("spammer%d@evil.example", i),
			replyTo:   fmt.Sprintf("WIN 1000 EUR at http://evil.example <victim%d@example.org>", i), // distinct mailboxes: the per-address cap is another test's
			subject:   "WIN 1000 EUR at http://evil.example",
			messageID: fmt.Sprintf("reflect-%d@evil.example", i),
			body:      "Fitoni 1000 euro sot! Vizitoni faqen tonë.",
		}.raw())
	}
	_, stop := s.serve()
	defer stop()

	wantHeld := fmt.Sprintf("sportel_outbox_acks_held %d\n", total-perHour)
	testutil.Eventually(t, "the held count on /metrics", 30*time.Second, func() (bool, error) {
		resp, err := http.Get("http://" + metricsAddr + "/metrics")
		if err != nil {
			return false, nil
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		return strings.Contains(string(b), wantHeld), err
	})
	// Every ticket's notification, the acks the cap let through, and the
	// head's notice.
	waitCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := s.smtp.WaitFor(waitCtx, total+perHour+1); err != nil {
		t.Fatal(err)
	}
	var acks, notices []wireMail
	for _, w := range s.wireMails() {
		switch {
		case w.kind() == "ack":
			acks = append(acks, w)
		case strings.HasPrefix(w.messageID, "sportel.notice."):
			notices = append(notices, w)
		}
	}
	if len(acks) != perHour {
		t.Errorf("%d acknowledgements sent, want the cap, %d", len(acks), perHour)
	}
	for _, ack := range acks {
		to := ack.header.Get("To")
		if !strings.HasPrefix(ack.envelopeTo[0], "victim") {
			t.Errorf("ack to %v", ack.envelopeTo)
		}
		for _, got := range []string{to, ack.subject, ack.text} {
			if strings.Contains(got, "evil") || strings.Contains(got, "1000") {
				t.Errorf("the acknowledgement repeats the spam: %q", got)
			}
		}
		if !strings.HasPrefix(ack.subject, "[DKP-") {
			t.Errorf("ack subject %q, want only the number", ack.subject)
		}
	}
	if len(notices) != 1 || notices[0].addressOf(t, "To") != "osman.gashi@mkrs.example" {
		t.Errorf("notices %v, want one to the head", describe(notices))
	}
}

// A Message-ID with a space, as some clients write it: the ticket is filed
// and its acknowledgement reaches the relay, threaded on that id.
func TestE2EMessageIDWithSpace(t *testing.T) {
	s := newMemStack(t)
	const id = "20261130 101010.1234@pc.example.net"
	s.append(inboundMail{from: "Arta Berisha <arta@example.net>", subject: "Pyetje", messageID: id,
		body: "A është e hapur biblioteka të shtunën?"}.raw())
	a, stop := s.serve()
	defer stop()
	s.settle(a)
	acks := mailsOf(s.wireMails(), "ack", s.ticket(a, id).Number)
	if len(acks) != 1 {
		t.Fatalf("%d acknowledgements, want 1", len(acks))
	}
	if got, want := acks[0].header.Get("In-Reply-To"), `<"20261130 101010.1234"@pc.example.net>`; got != want {
		t.Errorf("In-Reply-To %q, want %q", got, want)
	}
	failed, err := a.store.ListJobs(context.Background(), inquiry.JobFailed, 0)
	if err != nil || len(failed) != 0 {
		t.Errorf("failed jobs %v (%v), want none", failed, err)
	}
}
