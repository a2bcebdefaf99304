package classifier

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"sportel/inquiry"
)

// TestCrossValidation trains on four fifths of the corpus and measures on the
// held-out fifth, five times: a check that the model generalises to
// sentences it has not seen rather than memorising its corpus.
func TestCrossValidation(t *testing.T) {
	if testing.Short() {
		t.Skip("trains five models")
	}
	lines, err := loadCorpus(corpusFS)
	if err != nil {
		t.Fatal(err)
	}
	const folds = 5
	var items []EvalItem
	var preds []inquiry.Classification
	for f := range folds {
		var train []corpusLine
		var test []EvalItem
		for i, l := range lines {
			if i%folds == f {
				test = append(test, EvalItem{ID: fmt.Sprint(i), Lang: l.Lang, Subject: l.Subject, Body: l.Text, Label: l.Label})
			} else {
				train = append(train, l)
			}
		}
		b, err := newFromCorpus(train, DefaultReviewThreshold)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range test {
			c, err := b.Classify(context.Background(), &inquiry.Message{Subject: it.Subject, Text: it.Body})
			if err != nil {
				t.Fatal(err)
			}
			items = append(items, it)
			preds = append(preds, c)
		}
	}
	rep, err := Evaluate(context.Background(), replay(preds), items)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := rep.Write(&out); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d-fold cross-validation on the corpus:\n%s", folds, out.String())
	if rep.MacroF1 < 0.85 {
		t.Errorf("cross-validated macro-F1 %.3f, want ≥ 0.85", rep.MacroF1)
	}
}

// replay hands out classifications made earlier, in order, so that Evaluate
// can score predictions from several fold models at once.
func replay(preds []inquiry.Classification) Classifier {
	return &replayer{preds: preds}
}

type replayer struct {
	preds []inquiry.Classification
	next  int
}

func (r *replayer) Classify(context.Context, *inquiry.Message) (inquiry.Classification, error) {
	if r.next >= len(r.preds) {
		return inquiry.Classification{}, fmt.Errorf("replay: only %d classifications", len(r.preds))
	}
	c := r.preds[r.next]
	r.next++
	return c, nil
}
