package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"sportel/app"
	"sportel/classifier"
	"sportel/config"
	"sportel/desk"
	"sportel/inbox/parse"
	"sportel/inquiry"
	"sportel/internal/textsafe"
)

func cmdClassify(ctx context.Context, args []string, e *env) int {
	fs := newFlags("classify", commands()["classify"].summary, "[FILE|-]", e)
	path := fs.String("config", "", "configuration file (optional: for the classifier settings)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if strayArgs("classify", fs, 1, e) {
		return 2
	}
	cls, err := classifierFor(*path, e)
	if err != nil {
		fmt.Fprintf(e.stderr, "sportel classify: %v\n", err)
		return 1
	}
	in := e.stdin
	name := "-"
	if fs.NArg() > 0 && fs.Arg(0) != "-" {
		name = fs.Arg(0)
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintf(e.stderr, "sportel classify: %v\n", err)
			return 1
		}
		defer f.Close()
		in = f
	}
	raw, err := io.ReadAll(io.LimitReader(in, 64<<20))
	if err != nil {
		fmt.Fprintf(e.stderr, "sportel classify: read %s: %v\n", name, err)
		return 1
	}
	m := messageFromInput(raw)
	res, err := cls.Classify(ctx, m)
	if err != nil {
		fmt.Fprintf(e.stderr, "sportel classify: %v\n", err)
		return 1
	}
	if *asJSON {
		err = writeJSONCompact(e.stdout, map[string]any{
			"category": res.Category, "confidence": res.Confidence, "language": res.Language,
			"classifier": res.Classifier, "reason": res.Reason,
		})
		if err != nil {
			return 1
		}
		return 0
	}
	fmt.Fprintf(e.stdout, "category:   %s\nconfidence: %.3f\nlanguage:   %s\nclassifier: %s\nreason:     %s\n",
		res.Category, res.Confidence, res.Language, res.Classifier, textsafe.Line(res.Reason))
	if res.NeedsReview {
		fmt.Fprintln(e.stdout, "review:     needed (low confidence or classifiers disagree)")
	}
	return 0
}

// messageFromInput reads an RFC 5322 message when the input looks like one,
// and plain text otherwise.
func messageFromInput(raw []byte) *inquiry.Message {
	if looksLikeMail(raw) {
		return parse.Parse(raw, time.Now(), parse.Options{})
	}
	return &inquiry.Message{Channel: inquiry.ChannelEmail, SourceID: "stdin", Text: string(raw)}
}

func looksLikeMail(raw []byte) bool {
	head := string(raw[:min(len(raw), 4096)])
	end := strings.Index(head, "\n\n")
	if e2 := strings.Index(head, "\r\n\r\n"); e2 >= 0 && (end < 0 || e2 < end) {
		end = e2
	}
	if end <= 0 {
		return false
	}
	hdr := strings.ToLower(head[:end])
	return strings.HasPrefix(hdr, "from:") || strings.Contains(hdr, "\nfrom:") ||
		strings.Contains(hdr, "subject:") || strings.Contains(hdr, "message-id:")
}

func classifierFor(path string, e *env) (desk.Classifier, error) {
	if path == "" {
		return classifier.New(classifier.Options{})
	}
	// Only the LLM classifier sends anything, so only it needs its key.
	cfg, err := config.LoadWith(path, e.getenv, config.ParseOptions{SecretsOptional: true})
	if err != nil {
		return nil, err
	}
	if cfg.Classifier.Kind == config.ClassifierOpenAI {
		for _, name := range cfg.UncheckedSecrets {
			if strings.HasPrefix(name, "classifier.") {
				return nil, fmt.Errorf("%s: not available to this user, and the configured LLM classifier needs it (without --config the built-in classifier answers)", name)
			}
		}
	}
	return app.NewClassifier(cfg, app.NewLogger(cfg.Log, os.Stderr))
}

func cmdEval(ctx context.Context, args []string, e *env) int {
	fs := newFlags("eval", commands()["eval"].summary, "FILE.jsonl", e)
	path := fs.String("config", "", "configuration file (optional: evaluates the configured classifier)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	items, err := classifier.ReadEvalFile(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(e.stderr, "sportel eval: %v\n", err)
		return 1
	}
	cls, err := classifierFor(*path, e)
	if err != nil {
		fmt.Fprintf(e.stderr, "sportel eval: %v\n", err)
		return 1
	}
	report, err := classifier.Evaluate(ctx, cls, items)
	if err != nil {
		fmt.Fprintf(e.stderr, "sportel eval: %v\n", err)
		return 1
	}
	if err := report.Write(e.stdout); err != nil {
		return 1
	}
	return 0
}
