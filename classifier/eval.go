package classifier

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"sportel/inquiry"
)

// Classifier is anything that classifies a message; Evaluate measures it.
type Classifier interface {
	Classify(ctx context.Context, m *inquiry.Message) (inquiry.Classification, error)
}

// EvalItem is one labelled message of an evaluation file (JSON lines).
type EvalItem struct {
	ID      string `json:"id"`
	Channel string `json:"channel"`
	Lang    string `json:"lang"`
	From    string `json:"from"`
	Subject string `json:"subject"`
	Body    string `json:"body"`
	Label   string `json:"label"`
}

// ReadEvalFile reads an evaluation file: one JSON object per line, blank
// lines allowed. Every error names the line it is about.
func ReadEvalFile(path string) ([]EvalItem, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read eval file: %w", err)
	}
	items, err := parseEvalItems(data)
	if err != nil {
		return nil, fmt.Errorf("read eval file %s: %w", path, err)
	}
	return items, nil
}

func parseEvalItems(data []byte) ([]EvalItem, error) {
	var items []EvalItem
	ids := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	n := 0
	for sc.Scan() {
		n++
		raw := bytes.TrimSpace(sc.Bytes())
		if len(raw) == 0 {
			continue
		}
		var it EvalItem
		if err := json.Unmarshal(raw, &it); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		switch {
		case it.ID == "":
			return nil, fmt.Errorf("line %d: missing id", n)
		case !inquiry.Category(it.Label).Valid():
			return nil, fmt.Errorf("line %d (id %s): unknown label %q", n, it.ID, it.Label)
		case it.Lang != "" && !inquiry.Language(it.Lang).Valid():
			return nil, fmt.Errorf("line %d (id %s): unknown lang %q", n, it.ID, it.Lang)
		case it.Channel != "" && it.Channel != string(inquiry.ChannelEmail) && it.Channel != string(inquiry.ChannelTelegram):
			return nil, fmt.Errorf("line %d (id %s): unknown channel %q", n, it.ID, it.Channel)
		case strings.TrimSpace(it.Subject+it.Body) == "":
			return nil, fmt.Errorf("line %d (id %s): no subject and no body", n, it.ID)
		}
		if prev, dup := ids[it.ID]; dup {
			return nil, fmt.Errorf("line %d: id %s already used on line %d", n, it.ID, prev)
		}
		ids[it.ID] = n
		items = append(items, it)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("line %d: %w", n+1, err)
	}
	if len(items) == 0 {
		return nil, errors.New("no items")
	}
	return items, nil
}

// ClassMetrics are one category's precision, recall and F1.
type ClassMetrics struct {
	Category  inquiry.Category
	Support   int // items labelled with this category
	Predicted int // items the classifier put in it
	Precision float64
	Recall    float64
	F1        float64
}

// LanguageMetrics break the results down by the language an item is
// labelled with.
type LanguageMetrics struct {
	Language         inquiry.Language
	Items            int
	CategoryAccuracy float64
	// DetectionAccuracy is the share whose detected language was right.
	DetectionAccuracy float64
}

// Miss is a misclassified item.
type Miss struct {
	ID        string
	Want, Got inquiry.Category
}

// EvalReport is the result of Evaluate.
type EvalReport struct {
	Items            int
	Accuracy         float64
	MacroF1          float64
	Classes          []ClassMetrics
	LanguageAccuracy float64 // detected language right, over items with a lang label
	LanguageItems    int
	PerLanguage      []LanguageMetrics
	// Confusion[i][j] counts items labelled inquiry.Categories[i] and
	// classified as inquiry.Categories[j].
	Confusion [numClasses][numClasses]int
	Misses    []Miss
	// LanguageMisses lists ids whose language was detected wrongly.
	LanguageMisses []string
}

// Evaluate classifies every item and measures the results.
func Evaluate(ctx context.Context, c Classifier, items []EvalItem) (*EvalReport, error) {
	if len(items) == 0 {
		return nil, errors.New("evaluate: no items")
	}
	r := &EvalReport{Items: len(items)}
	type langTally struct{ items, catRight, langRight int }
	tallies := map[inquiry.Language]*langTally{}
	correct := 0
	for _, it := range items {
		msg := &inquiry.Message{
			Channel: inquiry.Channel(it.Channel),
			From:    inquiry.Address{Address: it.From},
			Subject: it.Subject,
			Text:    it.Body,
		}
		got, err := c.Classify(ctx, msg)
		if err != nil {
			return nil, fmt.Errorf("evaluate: classify %s: %w", it.ID, err)
		}
		want := inquiry.Category(it.Label)
		wi, gi := classIndex(want), classIndex(got.Category)
		if gi < 0 {
			return nil, fmt.Errorf("evaluate: classify %s: unknown category %q", it.ID, got.Category)
		}
		r.Confusion[wi][gi]++
		if wi == gi {
			correct++
		} else {
			r.Misses = append(r.Misses, Miss{ID: it.ID, Want: want, Got: got.Category})
		}
		if it.Lang == "" {
			continue
		}
		lang := inquiry.Language(it.Lang)
		tl := tallies[lang]
		if tl == nil {
			tl = &langTally{}
			tallies[lang] = tl
		}
		tl.items++
		if wi == gi {
			tl.catRight++
		}
		r.LanguageItems++
		if got.Language == lang {
			tl.langRight++
		} else {
			r.LanguageMisses = append(r.LanguageMisses, fmt.Sprintf("%s (%s→%s)", it.ID, lang, got.Language))
		}
	}
	r.Accuracy = float64(correct) / float64(len(items))

	var f1Sum float64
	for ci, cat := range inquiry.Categories {
		m := ClassMetrics{Category: cat}
		for j := range numClasses {
			m.Support += r.Confusion[ci][j]
			m.Predicted += r.Confusion[j][ci]
		}
		tp := float64(r.Confusion[ci][ci])
		if m.Predicted > 0 {
			m.Precision = tp / float64(m.Predicted)
		}
		if m.Support > 0 {
			m.Recall = tp / float64(m.Support)
		}
		if m.Precision+m.Recall > 0 {
			m.F1 = 2 * m.Precision * m.Recall / (m.Precision + m.Recall)
		}
		f1Sum += m.F1
		r.Classes = append(r.Classes, m)
	}
	r.MacroF1 = f1Sum / numClasses

	langRight := 0
	for _, lang := range sortedLanguages(tallies) {
		tl := tallies[lang]
		langRight += tl.langRight
		r.PerLanguage = append(r.PerLanguage, LanguageMetrics{
			Language:          lang,
			Items:             tl.items,
			CategoryAccuracy:  float64(tl.catRight) / float64(tl.items),
			DetectionAccuracy: float64(tl.langRight) / float64(tl.items),
		})
	}
	if r.LanguageItems > 0 {
		r.LanguageAccuracy = float64(langRight) / float64(r.LanguageItems)
	}
	return r, nil
}

// sortedLanguages orders Sportel's languages first, in their fixed order,
// then any others by name.
func sortedLanguages[V any](m map[inquiry.Language]V) []inquiry.Language {
	var out []inquiry.Language
	for _, l := range inquiry.Languages {
		if _, ok := m[l]; ok {
			out = append(out, l)
		}
	}
	var rest []inquiry.Language
	for l := range m {
		if !slices.Contains(inquiry.Languages[:], l) {
			rest = append(rest, l)
		}
	}
	slices.Sort(rest)
	return append(out, rest...)
}

// Write prints the report for people; its last line is "macro-F1: 0.xxx"
// so scripts can take the score from the tail.
func (r *EvalReport) Write(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "items: %d\n", r.Items)
	fmt.Fprintf(&b, "accuracy: %.3f\n\n", r.Accuracy)

	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "category\tprecision\trecall\tF1\tsupport")
	for _, m := range r.Classes {
		fmt.Fprintf(tw, "%s\t%.3f\t%.3f\t%.3f\t%d\n", m.Category, m.Precision, m.Recall, m.F1, m.Support)
	}
	tw.Flush()

	if len(r.PerLanguage) > 0 {
		b.WriteString("\n")
		tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "language\titems\taccuracy\tlanguage detected")
		for _, l := range r.PerLanguage {
			fmt.Fprintf(tw, "%s\t%d\t%.3f\t%.3f\n", l.Language, l.Items, l.CategoryAccuracy, l.DetectionAccuracy)
		}
		tw.Flush()
		fmt.Fprintf(&b, "language accuracy: %.3f (%d items)\n", r.LanguageAccuracy, r.LanguageItems)
	}

	b.WriteString("\nconfusion (rows: label, columns: predicted)\n")
	tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "\t")
	for _, c := range inquiry.Categories {
		fmt.Fprintf(tw, "%s\t", c)
	}
	fmt.Fprintln(tw)
	for i, c := range inquiry.Categories {
		fmt.Fprintf(tw, "%s\t", c)
		for j := range numClasses {
			fmt.Fprintf(tw, "%d\t", r.Confusion[i][j])
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()

	fmt.Fprintf(&b, "\nmisclassified (%d):\n", len(r.Misses))
	for _, m := range r.Misses {
		fmt.Fprintf(&b, "  %s: %s → %s\n", m.ID, m.Want, m.Got)
	}
	if len(r.LanguageMisses) > 0 {
		fmt.Fprintf(&b, "language misdetected (%d): %s\n", len(r.LanguageMisses), strings.Join(r.LanguageMisses, ", "))
	}
	fmt.Fprintf(&b, "macro-F1: %.3f\n", r.MacroF1)
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write eval report: %w", err)
	}
	return nil
}
