package desk

import (
	"context"
	"weak"

	"sportel/inquiry"
)

// prepared holds what Prepare found for messages not handled yet: their
// preclassification (nil when none was needed). It is keyed by weak
// pointers, so it keeps no message alive: a message dropped unhandled (the
// watcher gave up on its batch) costs only its entry, and that goes with
// the next-but-one Prepare.
type prepared struct {
	// cur is the last prepared set, prev the one before: HandleBatch of one
	// chunk may start after Prepare of the next has finished.
	cur, prev map[weak.Pointer[inquiry.Message]]*inquiry.Classification
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
	set := make(map[weak.Pointer[inquiry.Message]]*inquiry.Classification, len(msgs))
	for i, m := range msgs {
		set[weak.Make(m)] = cls[i]
	}
	d.prepMu.Lock()
	d.prep.prev, d.prep.cur = d.prep.cur, set
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
	if len(d.prep.cur) == 0 && len(d.prep.prev) == 0 {
		return nil, false // nothing prepared: no weak handle is made
	}
	key := weak.Make(m)
	for _, set := range []map[weak.Pointer[inquiry.Message]]*inquiry.Classification{d.prep.cur, d.prep.prev} {
		if c, ok := set[key]; ok {
			delete(set, key)
			return c, true
		}
	}
	return nil, false
}
