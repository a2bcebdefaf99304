package classifier

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sportel/inquiry"
)

func writeTemp(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "eval.jsonl")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadEvalFile(t *testing.T) {
	good := `{"id":"a1","channel":"email","lang":"sq","from":"x@example.org","subject":"S","body":"B","label":"document_request"}`
	tests := []struct {
		name    string
		content string
		wantErr string // empty: no error
		wantN   int
	}{
		{"valid with blank lines", good + "\n\n" + strings.Replace(good, "a1", "a2", 1) + "\n", "", 2},
		{"bad json", good + "\n{\"id\":\n", "line 2:", 0},
		{"unknown label", good + "\n" + strings.Replace(strings.Replace(good, "a1", "a2", 1), "document_request", "spam", 1), `line 2 (id a2): unknown label "spam"`, 0},
		{"unknown lang", strings.Replace(good, `"sq"`, `"fr"`, 1), `line 1 (id a1): unknown lang "fr"`, 0},
		{"unknown channel", strings.Replace(good, `"email"`, `"fax"`, 1), `line 1 (id a1): unknown channel "fax"`, 0},
		{"missing id", "\n\n" + strings.Replace(good, `"id":"a1",`, "", 1), "line 3: missing id", 0},
		{"duplicate id", good + "\n" + good, "line 2: id a1 already used on line 1", 0},
		{"empty message", strings.Replace(strings.Replace(good, `"S"`, `""`, 1), `"B"`, `" "`, 1), "line 1 (id a1): no subject and no body", 0},
		{"empty file", "\n", "no items", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			items, err := ReadEvalFile(writeTemp(t, tc.content))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want it to contain %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != tc.wantN {
				t.Fatalf("%d items, want %d", len(items), tc.wantN)
			}
			want := EvalItem{ID: "a1", Channel: "email", Lang: "sq", From: "x@example.org", Subject: "S", Body: "B", Label: "document_request"}
			if items[0] != want {
				t.Errorf("item %+v, want %+v", items[0], want)
			}
		})
	}
	if _, err := ReadEvalFile(filepath.Join(t.TempDir(), "missing.jsonl")); err == nil {
		t.Error("missing file accepted")
	}
}

func TestEvaluateMetrics(t *testing.T) {
	D, P, G := inquiry.DocumentRequest, inquiry.PressInquiry, inquiry.GeneralQuestion
	items := []EvalItem{
		{ID: "1", Lang: "sq", Body: "x", Label: string(D)},
		{ID: "2", Lang: "sr-Latn", Body: "x", Label: string(D)},
		{ID: "3", Lang: "sr-Cyrl", Body: "x", Label: string(P)},
		{ID: "4", Lang: "en", Body: "x", Label: string(P)},
		{ID: "5", Lang: "sq", Body: "x", Label: string(G)},
		{ID: "6", Lang: "en", Body: "x", Label: string(G)},
	}
	preds := []inquiry.Classification{
		{Category: D, Language: inquiry.Albanian},
		{Category: P, Language: inquiry.SerbianLatin},
		{Category: P, Language: inquiry.SerbianLatin}, // wrong script
		{Category: P, Language: inquiry.English},
		{Category: G, Language: inquiry.UndefinedLang},
		{Category: D, Language: inquiry.English},
	}
	rep, err := Evaluate(context.Background(), replay(preds), items)
	if err != nil {
		t.Fatal(err)
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	if !near(rep.Accuracy, 4.0/6) {
		t.Errorf("accuracy %v, want 4/6", rep.Accuracy)
	}
	wantClasses := []struct{ p, r, f1 float64 }{
		{0.5, 0.5, 0.5},
		{2.0 / 3, 1, 0.8},
		{1, 0.5, 2.0 / 3},
	}
	for i, w := range wantClasses {
		m := rep.Classes[i]
		if !near(m.Precision, w.p) || !near(m.Recall, w.r) || !near(m.F1, w.f1) {
			t.Errorf("%s: P %.3f R %.3f F1 %.3f, want %.3f %.3f %.3f", m.Category, m.Precision, m.Recall, m.F1, w.p, w.r, w.f1)
		}
	}
	if !near(rep.MacroF1, (0.5+0.8+2.0/3)/3) {
		t.Errorf("macro-F1 %v", rep.MacroF1)
	}
	if !near(rep.LanguageAccuracy, 4.0/6) {
		t.Errorf("language accuracy %v, want 4/6", rep.LanguageAccuracy)
	}
	wantConfusion := [numClasses][numClasses]int{{1, 1, 0}, {0, 2, 0}, {1, 0, 1}}
	if rep.Confusion != wantConfusion {
		t.Errorf("confusion %v, want %v", rep.Confusion, wantConfusion)
	}
	if len(rep.Misses) != 2 || rep.Misses[0].ID != "2" || rep.Misses[1].ID != "6" {
		t.Errorf("misses %+v, want ids 2 and 6", rep.Misses)
	}
	wantLang := map[inquiry.Language][2]float64{ // category accuracy, detection accuracy
		inquiry.Albanian: {1, 0.5}, inquiry.SerbianLatin: {0, 1}, inquiry.SerbianCyrl: {1, 0}, inquiry.English: {0.5, 1},
	}
	if len(rep.PerLanguage) != len(wantLang) {
		t.Fatalf("per language %+v", rep.PerLanguage)
	}
	for i, l := range rep.PerLanguage {
		if l.Language != inquiry.Languages[i] {
			t.Errorf("per-language row %d is %s, want %s", i, l.Language, inquiry.Languages[i])
		}
		w := wantLang[l.Language]
		if !near(l.CategoryAccuracy, w[0]) || !near(l.DetectionAccuracy, w[1]) {
			t.Errorf("%s: accuracy %.2f, detected %.2f, want %.2f, %.2f", l.Language, l.CategoryAccuracy, l.DetectionAccuracy, w[0], w[1])
		}
	}

	var out strings.Builder
	if err := rep.Write(&out); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if last := lines[len(lines)-1]; last != "macro-F1: 0.656" {
		t.Errorf("last line %q, want %q", last, "macro-F1: 0.656")
	}
	for _, want := range []string{
		"accuracy: 0.667", "press_inquiry     0.667      1.000   0.800  2",
		"sr-Cyrl   1      1.000     0.000", "language accuracy: 0.667 (6 items)",
		"  2: document_request → press_inquiry", "  6: general_question → document_request",
		"5 (sq→und)",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
}

func TestEvaluateBuiltinEndToEnd(t *testing.T) {
	content := strings.Join([]string{
		`{"id":"e1","channel":"telegram","lang":"en","from":"","subject":"","body":"can the spokesperson give us a statement on the theatre strike today?","label":"press_inquiry"}`,
		`{"id":"e2","channel":"email","lang":"sq","from":"a@example.org","subject":"Kërkesë","body":"Ju lutem më dërgoni procesverbalin e komisionit për grantet e sportit.","label":"document_request"}`,
		`{"id":"e3","channel":"telegram","lang":"sr-Cyrl","from":"","subject":"","body":"када ради музеј недељом?","label":"general_question"}`,
	}, "\n")
	items, err := ReadEvalFile(writeTemp(t, content))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Evaluate(context.Background(), newTestClassifier(t), items)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Accuracy != 1 || rep.LanguageAccuracy != 1 || rep.MacroF1 != 1 {
		var out strings.Builder
		_ = rep.Write(&out)
		t.Errorf("three clear messages not all right:\n%s", out.String())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Evaluate(ctx, newTestClassifier(t), items); err == nil || !strings.Contains(err.Error(), "classify e1") {
		t.Errorf("cancelled evaluation: err %v, want one naming item e1", err)
	}
}
