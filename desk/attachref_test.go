package desk_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"sportel/inbox/parse"
	"sportel/inquiry"
	"sportel/internal/mailgen"
)

// A message names where its files are kept only when the try that
// committed it recorded them: handled again (a duplicate, as after a
// rolled-back try), it names nothing, whatever it named before. The app
// keeps a committed message's files in memory under that name.
func TestAttachmentRefOnlyFromTheCommittingTry(t *testing.T) {
	f := newFixtureConfig(t, nil, nil)
	g := mailgen.New(rand.New(rand.NewPCG(4, 4)), "komunikimi@mkrs.example", f.now.Add(-time.Hour))
	var raw []byte
	for raw == nil {
		if m := g.Next(); m.Attachment != nil {
			raw = m.Raw
		}
	}
	m := parse.Parse(raw, f.now, parse.Options{MaxAttachmentBytes: 10 << 20})
	if len(m.Attachments) == 0 {
		t.Fatal("the generated mail reads without its file")
	}
	if d := f.handle(m); d != inquiry.Filed {
		t.Fatalf("first handling: %s, want filed", d)
	}
	tk := f.tickets()[0]
	if m.AttachmentsAt == nil || m.AttachmentsAt.TicketID != tk.ID {
		t.Fatalf("filed message names %+v, want an entry of ticket %d", m.AttachmentsAt, tk.ID)
	}
	m.AttachmentsAt = &inquiry.AttachmentRef{TicketID: tk.ID, EntryID: 999}
	if d := f.handle(m); d != inquiry.Duplicate {
		t.Fatalf("second handling: %s, want duplicate", d)
	}
	if m.AttachmentsAt != nil {
		t.Errorf("a duplicate still names %+v", m.AttachmentsAt)
	}
}
