package classifier

import (
	"context"
	"errors"
	"io/fs"
	"strings"
	"testing"
)

// devSetPath is the independently written development set. It is only ever
// measured on: the corpus is not built from it.
const devSetPath = "../../shared/eval/dev-inquiries.jsonl"

func TestDevSetTargets(t *testing.T) {
	items, err := ReadEvalFile(devSetPath)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("%s not present", devSetPath)
	}
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Evaluate(context.Background(), b, items)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := rep.Write(&out); err != nil {
		t.Fatal(err)
	}
	t.Logf("dev set report:\n%s", out.String())
	if rep.MacroF1 < 0.90 {
		t.Errorf("macro-F1 %.3f, want ≥ 0.90", rep.MacroF1)
	}
	if rep.LanguageAccuracy < 0.95 {
		t.Errorf("language accuracy %.3f, want ≥ 0.95", rep.LanguageAccuracy)
	}
}
