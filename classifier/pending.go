package classifier

import (
	"context"
	"fmt"

	"sportel/inquiry"
)

// Pending is a built-in classifier still being trained. Training takes
// tens of milliseconds of CPU; a daemon that starts, or restarts after a
// crash with a backlog waiting, meanwhile connects to its mailbox and
// fetches and parses the first mail, and the first classification waits
// for what is left. It is safe for concurrent use.
type Pending struct {
	done    chan struct{}
	builtin *Builtin
	err     error
}

// Start checks opts and trains the classifier in the background.
func Start(opts Options) (*Pending, error) {
	if t := opts.ReviewThreshold; t < 0 || t > 1 {
		return nil, fmt.Errorf("new builtin classifier: review threshold %v outside [0,1]", t)
	}
	p := &Pending{done: make(chan struct{})}
	go func() {
		defer close(p.done)
		p.builtin, p.err = New(opts)
	}()
	return p, nil
}

// Wait returns the trained classifier, or why training failed, once it is
// done or ctx ends.
func (p *Pending) Wait(ctx context.Context) (*Builtin, error) {
	select {
	case <-p.done:
		return p.builtin, p.err
	case <-ctx.Done():
		return nil, fmt.Errorf("wait for the built-in classifier's training: %w", ctx.Err())
	}
}

// Classify classifies m once training is done.
func (p *Pending) Classify(ctx context.Context, m *inquiry.Message) (inquiry.Classification, error) {
	b, err := p.Wait(ctx)
	if err != nil {
		return inquiry.Classification{}, err
	}
	return b.Classify(ctx, m)
}
