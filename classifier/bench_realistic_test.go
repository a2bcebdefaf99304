package classifier_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"sportel/classifier"
	"sportel/inbox/parse"
	"sportel/inquiry"
	"sportel/internal/mailgen"
)

// BenchmarkClassifyRealistic classifies parsed realistic mail
// (internal/mailgen: quoted history, signatures, HTML-only parts, the
// languages and charsets the mailbox gets), one after another: the mean cost
// a mail of the mix, which the pipeline pays for every new inquiry.
func BenchmarkClassifyRealistic(b *testing.B) {
	g := mailgen.New(rand.New(rand.NewPCG(1, 2)), "dkp@mkrs.example", time.Now())
	var msgs []*inquiry.Message
	for _, raw := range g.Backlog(1000) {
		m := parse.Parse(raw, time.Now(), parse.Options{})
		msgs = append(msgs, m)
	}
	c, err := classifier.New(classifier.Options{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := c.Classify(ctx, msgs[i%len(msgs)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
