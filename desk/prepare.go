package desk

import (
	"context"
	"weak"

	"sportel/inquiry"
)

// prepared holds what Prepare found for messages not handled yet: their
// preclassification (nil when none was needed). It is keyed by weak
// pointers, so it keeps no message alive: a message dropped unhandled (the
// watcher gave up on its batch) costs only its entry, and that goes once
// preparedSets more sets were prepared.
type prepared struct {
	// sets are the last prepared sets, the newest last: the watcher
	// prepares a batch's next chunk while one is handled, and the first
	// chunk of the next batch as it arrives, so a set may wait for two or
	// three others before its chunk is handled.
	sets [][]preparedMessage
}

// preparedSets is how many prepared sets are kept.
const preparedSets = 4

type preparedMessage struct {
	key weak.Pointer[inquiry.Message]
	cls *inquiry.Classification
}

// Prepare does ahead, for messages HandleBatch will be given soon, the part
// of taking them in that needs no transaction (preclassify: the reference
// look-ups, which ones were taken in before, and the classification of what
// looks like a new inquiry), so it can run while another batch's
// transaction does. HandleBatch then uses what was found rather than doing
// it again. A preclassification is only an input: the transaction decides
// what a message is, and asks for a classification it lacks, so the
// outcome is what HandleBatch alone gives. An error is not kept: HandleBatch
// meets it again.
func (d *Desk) Prepare(ctx context.Context, msgs []*inquiry.Message) {
	cls, err := d.preclassify(ctx, msgs)
	if err != nil {
		return
	}
	set := make([]preparedMessage, len(msgs))
	for i, m := range msgs {
		set[i] = preparedMessage{weak.Make(m), cls[i]}
	}
	d.prepMu.Lock()
	if len(d.prep.sets) == preparedSets {
		d.prep.sets = append(d.prep.sets[:0], d.prep.sets[1:]...)
	}
	d.prep.sets = append(d.prep.sets, set)
	d.prepMu.Unlock()
}

// classifyAhead is preclassify for a batch: what Prepare found for a message
// is taken (and forgotten), the others are preclassified now.
func (d *Desk) classifyAhead(ctx context.Context, msgs []*inquiry.Message) ([]*inquiry.Classification, error) {
	cls := make([]*inquiry.Classification, len(msgs))
	var rest []*inquiry.Message
	var at []int
	d.prepMu.Lock()
	for i, m := range msgs {
		if c, ok := d.takePrepared(m); ok {
			cls[i] = c
			continue
		}
		rest = append(rest, m)
		at = append(at, i)
	}
	d.prepMu.Unlock()
	if len(rest) == len(msgs) {
		return d.preclassify(ctx, msgs)
	}
	if len(rest) == 0 {
		return cls, nil
	}
	more, err := d.preclassify(ctx, rest)
	if err != nil {
		return nil, err
	}
	for k, i := range at {
		cls[i] = more[k]
	}
	return cls, nil
}

// takePrepared returns and forgets what Prepare found for m. The caller
// holds prepMu.
func (d *Desk) takePrepared(m *inquiry.Message) (*inquiry.Classification, bool) {
	if len(d.prep.sets) == 0 {
		return nil, false // nothing prepared: no weak handle is made
	}
	key := weak.Make(m)
	for i := len(d.prep.sets) - 1; i >= 0; i-- {
		for k, p := range d.prep.sets[i] {
			if p.key == key {
				set := d.prep.sets[i]
				last := len(set) - 1
				set[k] = set[last]
				d.prep.sets[i] = set[:last]
				return p.cls, true
			}
		}
	}
	return nil, false
}
