package classifier

import (
	"context"
	"errors"
	"testing"

	"sportel/inquiry"
)

// A classifier trained in the background classifies as one trained at once,
// from the first call on, including calls made while it still trains.
func TestPendingClassifiesAsBuiltin(t *testing.T) {
	b := newTestClassifier(t)
	p, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range policyCases() {
		m := &inquiry.Message{Subject: tc.subject, Text: tc.text}
		want, err := b.Classify(context.Background(), m)
		if err != nil {
			t.Fatal(err)
		}
		got, err := p.Classify(context.Background(), m)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s: trained in the background %+v, at once %+v", tc.name, got, want)
		}
	}
}

func TestPendingWait(t *testing.T) {
	t.Run("bad options fail at once", func(t *testing.T) {
		for _, threshold := range []float64{-0.1, 1.5} {
			if _, err := Start(Options{ReviewThreshold: threshold}); err == nil {
				t.Errorf("threshold %v: no error", threshold)
			}
		}
	})
	t.Run("a caller that gives up is not kept", func(t *testing.T) {
		// Not started: the training never ends, so only ctx can.
		p := &Pending{done: make(chan struct{})}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := p.Classify(ctx, &inquiry.Message{Text: "pyetje"})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err %v, want context.Canceled", err)
		}
	})
	t.Run("a failed training is every caller's error", func(t *testing.T) {
		failed := errors.New("corpus unreadable")
		p := &Pending{done: make(chan struct{}), err: failed}
		close(p.done)
		for range 2 {
			if _, err := p.Classify(context.Background(), &inquiry.Message{Text: "pyetje"}); !errors.Is(err, failed) {
				t.Errorf("err %v, want the training's", err)
			}
		}
	})
	t.Run("the review threshold is kept", func(t *testing.T) {
		p, err := Start(Options{ReviewThreshold: 0.99})
		if err != nil {
			t.Fatal(err)
		}
		b, err := p.Wait(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if b.reviewThreshold != 0.99 {
			t.Errorf("review threshold %v, want 0.99", b.reviewThreshold)
		}
	})
}
