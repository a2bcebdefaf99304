// Package classifier is Sportel's built-in, offline classifier: it puts an
// inquiry in one of the fixed categories (document_request, press_inquiry,
// general_question) and tells its language (sq, sr-Latn, sr-Cyrl, en). The
// model is multinomial logistic regression over hashed word, word-pair and
// word-prefix (character n-gram) features, trained from the labelled corpus
// when the code is generated and embedded in the binary with it; it needs no
// network and no model download, and it is the fallback whenever the LLM
// classifier fails.
package classifier

import (
	"bufio"
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"sportel/inquiry"
)

// Name is the Classifier field of the classifications this package makes.
const Name = "builtin"

// DefaultReviewThreshold is used when Options.ReviewThreshold is zero.
const DefaultReviewThreshold = 0.6

//go:embed corpus/*.jsonl
var corpusFS embed.FS

// Options configure the built-in classifier.
type Options struct {
	// ReviewThreshold: a confidence below it sets NeedsReview on the
	// result (default 0.6 if zero). Routing still follows the category.
	ReviewThreshold float64
}

// Builtin is the trained built-in classifier. It is safe for concurrent use:
// after New it is only read.
type Builtin struct {
	model           *softmaxModel
	reviewThreshold float64
}

// corpusLine is one labelled example of the embedded corpus.
type corpusLine struct {
	Lang    string `json:"lang"`
	Label   string `json:"label"`
	Subject string `json:"subject"`
	Text    string `json:"text"`
}

// New returns the classifier with the model trained from the embedded
// corpus (trainedModel). Training is deterministic: the same corpus always
// yields the same model, and a test keeps the embedded one in step.
func New(opts Options) (*Builtin, error) {
	threshold := opts.ReviewThreshold
	if threshold == 0 {
		threshold = DefaultReviewThreshold
	}
	if threshold < 0 || threshold > 1 {
		return nil, fmt.Errorf("new builtin classifier: review threshold %v outside [0,1]", threshold)
	}
	m, err := decodeModel(trainedModel)
	if err != nil {
		return nil, fmt.Errorf("new builtin classifier: embedded model: %w", err)
	}
	return &Builtin{model: m, reviewThreshold: threshold}, nil
}

// train trains a classifier from the embedded corpus, as go generate does.
func train(threshold float64) (*Builtin, error) {
	lines, err := loadCorpus(corpusFS)
	if err != nil {
		return nil, fmt.Errorf("train builtin classifier: %w", err)
	}
	return newFromCorpus(lines, threshold)
}

func newFromCorpus(lines []corpusLine, threshold float64) (*Builtin, error) {
	examples := make([]trainExample, 0, len(lines))
	var perClass [numClasses]int
	for _, l := range lines {
		class := classIndex(inquiry.Category(l.Label))
		vec := vectorize(tokens(Normalize(modelText(l.Subject, l.Text))))
		if len(vec.idx) == 0 {
			continue
		}
		examples = append(examples, trainExample{vec: vec, class: class})
		perClass[class]++
	}
	for c, n := range perClass {
		if n == 0 {
			return nil, fmt.Errorf("new builtin classifier: corpus has no examples of %s", inquiry.Categories[c])
		}
	}
	return &Builtin{
		model:           trainSoftmax(examples),
		reviewThreshold: threshold,
	}, nil
}

// loadCorpus reads every corpus/*.jsonl file of fsys in name order.
func loadCorpus(fsys fs.FS) ([]corpusLine, error) {
	names, err := fs.Glob(fsys, "corpus/*.jsonl")
	if err != nil {
		return nil, fmt.Errorf("list corpus: %w", err)
	}
	if len(names) == 0 {
		return nil, errors.New("list corpus: no corpus/*.jsonl files")
	}
	slices.Sort(names)
	var all []corpusLine
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read corpus %s: %w", name, err)
		}
		lines, err := parseCorpus(data)
		if err != nil {
			return nil, fmt.Errorf("read corpus %s: %w", path.Base(name), err)
		}
		all = append(all, lines...)
	}
	return all, nil
}

func parseCorpus(data []byte) ([]corpusLine, error) {
	var out []corpusLine
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 4*1024*1024)
	for n := 1; sc.Scan(); n++ {
		raw := bytes.TrimSpace(sc.Bytes())
		if len(raw) == 0 {
			continue
		}
		var l corpusLine
		if err := json.Unmarshal(raw, &l); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if !inquiry.Category(l.Label).Valid() {
			return nil, fmt.Errorf("line %d: unknown label %q", n, l.Label)
		}
		if lang := inquiry.Language(l.Lang); !lang.Valid() || lang == inquiry.UndefinedLang {
			return nil, fmt.Errorf("line %d: unknown lang %q", n, l.Lang)
		}
		if strings.TrimSpace(l.Subject+l.Text) == "" {
			return nil, fmt.Errorf("line %d: no subject and no text", n)
		}
		out = append(out, l)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// modelText is what the model reads: the subject and the sender's own words.
func modelText(subject, text string) string {
	subject = strings.TrimSpace(subject)
	own := StripQuotedAndSignature(text)
	if subject == "" {
		return own
	}
	return subject + "\n" + own
}

func classIndex(c inquiry.Category) int {
	for i, k := range inquiry.Categories {
		if k == c {
			return i
		}
	}
	return -1
}

// Classify puts m in a category and tells its language, using m.Subject and
// m.Text. It never calls out; ctx is honoured only to stop early.
func (b *Builtin) Classify(ctx context.Context, m *inquiry.Message) (inquiry.Classification, error) {
	if err := ctx.Err(); err != nil {
		return inquiry.Classification{}, fmt.Errorf("builtin classify: %w", err)
	}
	if m == nil {
		return inquiry.Classification{}, errors.New("builtin classify: nil message")
	}
	// The sender's own words are read once: bare for the language, as
	// StripQuotedAndSignature gives them for the model.
	own := ownWords(m.Text)
	subject := strings.TrimSpace(m.Subject)
	res := inquiry.Classification{
		Classifier: Name,
		Language:   messageLanguage(subject, withoutContactBlock(own), declaredLanguage(m)),
	}
	if own == "" {
		own = strings.TrimSpace(m.Text)
	}
	toks := tokens(Normalize(subject + "\n" + own))
	buckets := featureBuckets(toks)
	vec := newSparseVec(buckets)
	if len(vec.idx) == 0 {
		// Nothing to read (a sticker, an empty mail): the catch-all
		// category, flagged so an officer looks at it.
		res.Category = inquiry.GeneralQuestion
		res.Confidence = 0
		res.NeedsReview = true
		res.Reason = "no text to classify"
		return res, nil
	}
	var probs [numClasses]float64
	b.model.probabilities(vec, &probs)
	best := 0
	for c := 1; c < numClasses; c++ {
		if probs[c] > probs[best] {
			best = c
		}
	}
	res.Category = inquiry.Categories[best]
	res.Confidence = probs[best]
	res.NeedsReview = res.Confidence < b.reviewThreshold
	res.Reason = b.reason(toks, buckets, best)
	return res, nil
}

// declaredLanguage is the language a mail says it is written in (its
// Content-Language, which the parser puts in ClientLanguage); a Telegram
// app's language is the desk's to weigh.
func declaredLanguage(m *inquiry.Message) inquiry.Language {
	if m.Channel != inquiry.ChannelEmail {
		return ""
	}
	return m.ClientLanguage
}

// maxReasonFeatures is how many features a reason names.
const maxReasonFeatures = 3

// reasonCandidates is how many of the strongest readable features are kept
// while scanning, enough to still name three after dropping stems of words
// already named.
const reasonCandidates = 8

type reasonCandidate struct {
	f      featureName
	weight float64
}

// reason names the words, word pairs and stems of the message that pushed
// hardest towards the chosen class. Words of one or two letters, and pairs of
// short words ("of the"), weigh in the model but explain nothing to an
// officer, so they are not named.
func (b *Builtin) reason(toks []string, buckets []uint32, class int) string {
	var top [reasonCandidates]reasonCandidate
	n := 0
	// The features are visited again rather than named by vectorize: few
	// are named, and buckets holds each one's bucket in visiting order.
	i := 0
	visitFeatures(toks, func(kind byte, a, c string) {
		h := buckets[i]
		i++
		if (kind == kindWord && runeLen(a) < 3) || (kind == kindBigram && runeLen(a) < 4 && runeLen(c) < 4) {
			return
		}
		if w := b.model.influence(h, class); w > 0 {
			n = insertCandidate(top[:], n, reasonCandidate{featureName{bucket: h, kind: kind, a: a, b: c}, w})
		}
	})
	var picked, quoted []string
	for _, c := range top[:n] {
		if len(picked) == maxReasonFeatures {
			break
		}
		text := c.f.text()
		// A stem adds nothing next to the word it came from.
		if slices.ContainsFunc(picked, func(p string) bool {
			return strings.HasPrefix(p, text) || strings.HasPrefix(text, p)
		}) {
			continue
		}
		picked = append(picked, text)
		quoted = append(quoted, strconv.Quote(text))
	}
	if len(picked) == 0 {
		return "no strong features"
	}
	return "top features: " + strings.Join(quoted, ", ")
}

// insertCandidate keeps top sorted by weight, strongest first; among equal
// weights the feature seen first stays first. A feature already held (a
// repeated word) is not added twice.
func insertCandidate(top []reasonCandidate, n int, c reasonCandidate) int {
	for i := range n {
		if top[i].f.bucket == c.f.bucket && top[i].f.kind == c.f.kind {
			return n
		}
	}
	pos := n
	for pos > 0 && top[pos-1].weight < c.weight {
		pos--
	}
	if pos >= len(top) {
		return n
	}
	if n < len(top) {
		n++
	}
	copy(top[pos+1:n], top[pos:n-1])
	top[pos] = c
	return n
}
