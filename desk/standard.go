package desk

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"text/template"

	"sportel/calendar"
	"sportel/inquiry"
)

// The division's standard texts: drafts an officer starts an answer from,
// in the requester's language, to edit before sending. "answer" is a start
// for any answer (answer.<lang>.tmpl); the others are the notices' own
// templates (extension, not_held, decision), so a draft says what the notice
// would. They are for an officer who writes the notice as an answer (and then
// closes with the decision "in the answer"): Extend, NotHeld and CloseWith
// send their notices themselves.
const (
	StandardAnswer        = "answer"
	StandardExtension     = "extension"
	StandardNotHeld       = "not_held"
	StandardRefusal       = "refusal"        // the decision notice, refused, with its ground and the right to complain
	StandardPartlyGranted = "partly_granted" // the decision notice, partly granted, likewise
)

var standardKinds = []string{StandardAnswer, StandardExtension, StandardNotHeld, StandardRefusal, StandardPartlyGranted}

// StandardTextKinds are the standard texts, in the order a form lists them.
// Only "answer" applies to every ticket; the rest to document requests
// (StandardTextKindsFor).
func StandardTextKinds() []string { return append([]string(nil), standardKinds...) }

// StandardTextKindsFor are the standard texts that apply to t.
func StandardTextKindsFor(t inquiry.Ticket) []string {
	if t.Category != inquiry.DocumentRequest {
		return []string{StandardAnswer}
	}
	return StandardTextKinds()
}

// placeholders mark in a draft what the officer must write: the answer
// itself, a reason, a ground not chosen yet.
var placeholders = map[inquiry.Language]string{
	inquiry.Albanian:     "[plotësoni]",
	inquiry.SerbianLatin: "[dopunite]",
	inquiry.SerbianCyrl:  "[допуните]",
	inquiry.English:      "[fill in]",
}

// Unfilled is the standard texts' placeholder that text still holds, in
// any of the languages, if one: a draft sent as it was drawn would tell the
// requester "[fill in]" where the answer belongs.
func Unfilled(text string) (string, bool) {
	for _, p := range placeholders {
		if strings.Contains(text, p) {
			return p, true
		}
	}
	return "", false
}

// AnswerData is what an answer template (answer.<lang>.tmpl) can use.
type AnswerData struct {
	Name        string // the requester's name when it is fit to greet by, else empty
	Number      string
	Received    string // the day the ticket came in, in the template's language
	Placeholder string // where the officer writes
	Email       bool   // the answer goes by email (else Telegram)
	Officer     string // the signing officer's name, if one was given
	Title       string // and their title
	Division    string
}

var sampleAnswer = AnswerData{Name: "x", Number: "DKP-2026-000001", Received: "01.01.2026", Placeholder: "x", Email: true,
	Officer: "x", Title: "x", Division: "x"}

func loadAnswers(dir string) (map[inquiry.Language]*template.Template, error) {
	out := make(map[inquiry.Language]*template.Template)
	var errs []error
	for _, lang := range inquiry.Languages {
		tmpl, err := loadTemplate(dir, StandardAnswer+"."+string(lang)+".tmpl", sampleAnswer)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out[lang] = tmpl
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// Answer renders the start of an answer to t's requester in their language.
func (tm *Templates) Answer(t *inquiry.Ticket, data AnswerData) (string, error) {
	tmpl, ok := tm.answer[replyLanguage(t.Language)]
	if !ok {
		return "", fmt.Errorf("render answer start: no template")
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, data); err != nil {
		return "", fmt.Errorf("render answer start for %s: %w", t.Number, err)
	}
	return collapseBlankLines(b.Bytes()), nil
}

// StandardText is the standard text kind (see StandardTextKinds) for t in
// the requester's language, filled with what the ticket knows — its number,
// the requester's name, an extension's days, reason and deadline, the
// holder of a document not held, the refusal ground it was closed with —
// and a placeholder where the officer must write. officerID, when not
// empty, signs an answer start with that officer's name and title. A kind
// that does not apply to the ticket is refused (a *Refusal).
func (d *Desk) StandardText(kind string, t inquiry.Ticket, officerID string) (string, error) {
	if !slices.Contains(standardKinds, kind) {
		return "", fmt.Errorf("standard text %q: unknown (want one of %v)", kind, standardKinds)
	}
	lang := replyLanguage(t.Language)
	var officer inquiry.Officer
	if officerID != "" {
		o, ok := d.officerByID(officerID)
		if !ok {
			return "", &Refusal{Kind: RefusedUnknownOfficer, Ticket: t.Number, Value: officerID, text: fmt.Sprintf("no officer %q", officerID)}
		}
		officer = o
	}
	if kind != StandardAnswer && t.Category != inquiry.DocumentRequest {
		return "", refuseWith(Refusal{Kind: RefusedStandardCategory, Value: kind}, &t, "ticket %s is a %s: the %s text is for document requests", t.Number, t.Category, kind)
	}
	fill := placeholders[lang]
	data := d.noticeData(&t)
	// A draft greets only by a name fit to repeat, as an acknowledgement does.
	data.Name = greetingName(t.Sender.Name)
	switch kind {
	case StandardAnswer:
		a := AnswerData{Name: data.Name, Number: t.Number, Placeholder: fill, Email: data.Email,
			Officer: officer.Name, Title: officer.Title, Division: data.Division}
		if !t.ReceivedAt.IsZero() {
			a.Received = formatDate(t.ReceivedAt.In(d.cfg.Location), lang)
		}
		return d.cfg.Templates.Answer(&t, a)
	case StandardExtension:
		data.Days, data.Reason, data.Deadline = calendar.MaxExtensionDays, fill, fill
		if e := t.Extension; e != nil {
			data.Days, data.Reason, data.Deadline = e.Days, e.Reason, formatDate(d.lastDay(e.DueAt), lang)
		} else if d.cfg.Clock != nil && !t.DueAt.IsZero() {
			if due, err := d.cfg.Clock.Extend(calendar.Due{At: t.DueAt, Count: d.cfg.Clock.Count}, data.Days); err == nil {
				data.Deadline = formatDate(d.lastDay(due.At), lang)
			}
		}
		return d.cfg.Templates.Notice(NoticeExtension, &t, data)
	case StandardNotHeld:
		// Without a known holder the text says so, complete as it is.
		if t.NotHeldMark != nil {
			data.Holder = t.NotHeldMark.Holder
		}
		return d.cfg.Templates.Notice(NoticeNotHeld, &t, data)
	case StandardRefusal, StandardPartlyGranted:
		data.Outcome = string(inquiry.Refused)
		if kind == StandardPartlyGranted {
			data.Outcome = string(inquiry.PartlyGranted)
		}
		data.Ground = fill
		if g, ok := d.ground(t.Ground); ok && g.Label[lang] != "" {
			data.Ground = g.Label[lang]
		}
		return d.cfg.Templates.Notice(NoticeDecision, &t, data)
	}
	return "", fmt.Errorf("standard text %q: unknown (want one of %v)", kind, standardKinds)
}
