package desk

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"sportel/inquiry"
)

// declaredKinds are the RefusalKind constants of the package's source, read
// from the source itself: a kind added there is in this list whether or
// not anyone remembered its texts.
func declaredKinds(t *testing.T) map[string]RefusalKind {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]RefusalKind{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			gen, ok := decl.(*ast.GenDecl)
			if !ok || gen.Tok != token.CONST {
				continue
			}
			for _, spec := range gen.Specs {
				vs := spec.(*ast.ValueSpec)
				if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "RefusalKind" {
					continue
				}
				for i, n := range vs.Names {
					lit, ok := vs.Values[i].(*ast.BasicLit)
					if !ok {
						t.Fatalf("%s: not a string literal", n.Name)
					}
					v, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					kinds[n.Name] = RefusalKind(v)
				}
			}
		}
	}
	return kinds
}

var languages = []inquiry.Language{inquiry.Albanian, inquiry.SerbianLatin, inquiry.SerbianCyrl, inquiry.English}

// sampleRefusal is a refusal of kind as the desk makes them, with each
// field filled with something an officer could have written or the ticket
// could be.
func sampleRefusal(kind RefusalKind) *Refusal {
	r := &Refusal{Kind: kind, Ticket: "DKP-2026-000042", State: inquiry.Closed, Category: inquiry.PressInquiry,
		Value: "x", N: 20, Max: 15, text: "the English of " + string(kind)}
	switch kind {
	case RefusedSetAside:
		r.State = inquiry.BulkMail
	case RefusedNotClosed:
		r.State = inquiry.Answered
	case RefusedNeedsGround, RefusedGroundNotTaken, RefusedCloseOutcome, RefusedNoDecision:
		r.Value = string(inquiry.PartlyGranted)
	case RefusedAlreadyExtended, RefusedAlreadyNotHeld, RefusedComplaintFuture, RefusedComplaintEarly, RefusedDeadlinePassed, RefusedNoAnswerSinceReopen:
		r.Value = "2026-11-25"
	case RefusedCommandUsage:
		r.Value = "extend"
	case RefusedUnknownCommand:
		r.Value, r.Meant = "mbyll", "#close"
	}
	return r
}

// Every kind of refusal declared has its texts in every language, said
// whole: the Albanian (and the Serbian) with none of the English left, no
// format that takes other arguments than it is given, and the Cyrillic in
// Cyrillic. A kind added without its texts fails here.
func TestEveryRefusalKindIsSaid(t *testing.T) {
	kinds := declaredKinds(t)
	if len(kinds) < 30 {
		t.Fatalf("read %d refusal kinds from the source; the parse missed them", len(kinds))
	}
	declared := map[RefusalKind]bool{}
	for name, kind := range kinds {
		declared[kind] = true
		t.Run(name, func(t *testing.T) {
			s, ok := refusalTexts[kind]
			if !ok {
				t.Fatalf("%s (%q) has no texts in refusalTexts", name, kind)
			}
			verbs := regexp.MustCompile(`%[a-z]`)
			for i, f := range s.text {
				if strings.TrimSpace(f) == "" {
					t.Errorf("%s: no text in %s", name, languages[i])
				}
				if a, b := verbs.FindAllString(f, -1), verbs.FindAllString(s.text[0], -1); strings.Join(a, "") != strings.Join(b, "") {
					t.Errorf("%s in %s takes %v, the Albanian %v", name, languages[i], a, b)
				}
			}
			if latin := latinLeft(s.text[2]); latin != "" {
				t.Errorf("%s: the Cyrillic text has the Latin %q: %s", name, latin, s.text[2])
			}
			r := sampleRefusal(kind)
			for _, lang := range languages {
				got := r.Say(lang)
				if strings.Contains(got, "%!") {
					t.Errorf("%s in %s: a broken format: %q", name, lang, got)
				}
				if got == notAllowedText[column(lang)] {
					t.Errorf("%s in %s is said as any refusal: %q", name, lang, got)
				}
				if lang == inquiry.English {
					continue
				}
				// A command's usage is in the words the command takes
				// (#close granted): the officer writes them so.
				for _, u := range commandUsage {
					got = strings.ReplaceAll(got, u, "")
				}
				if w := englishLeft(got); w != "" {
					t.Errorf("%s in %s has the English %q: %q", name, lang, w, got)
				}
			}
		})
	}
	for kind := range refusalTexts {
		if !declared[kind] {
			t.Errorf("refusalTexts says %q, which is no declared kind", kind)
		}
	}
}

// englishWords are pieces of the desk's English refusals.
var englishWords = []string{"ticket", "needs", "unknown", "already", "not allowed", "reopen", "cannot", "write it",
	"give ", " is ", " the ", "not a ", "takes ", "only ", "kept", "closed", "refused", "granted", "one of", "empty", "failed"}

func englishLeft(text string) string {
	lower := strings.ToLower(text)
	for _, w := range englishWords {
		if strings.Contains(lower, w) {
			return w
		}
	}
	return ""
}

// latinLeft is the first Latin word in a Cyrillic format other than its
// verbs and the words that stay Latin (spam, IT).
func latinLeft(format string) string {
	for _, w := range strings.FieldsFunc(format, func(r rune) bool { return !unicode.IsLetter(r) && r != '%' }) {
		if strings.HasPrefix(w, "%") || w == "spam" || w == "IT" {
			continue
		}
		for _, r := range w {
			if unicode.Is(unicode.Latin, r) {
				return w
			}
		}
	}
	return ""
}

// The names the texts put in (outcomes, states, set-aside mail) are there
// in every language, and the Cyrillic ones in Cyrillic.
func TestRefusalNamesInEveryLanguage(t *testing.T) {
	tables := map[string]map[string][4]string{"outcomes": {}, "states": {}, "set aside": {}}
	for o, n := range outcomeNames {
		tables["outcomes"][string(o)] = n
	}
	for s, n := range stateNames {
		tables["states"][string(s)] = n
	}
	for s, n := range setAsideNames {
		tables["set aside"][string(s)] = n
	}
	for _, o := range inquiry.Outcomes {
		if _, ok := outcomeNames[o]; !ok {
			t.Errorf("the outcome %s has no name", o)
		}
	}
	for table, names := range tables {
		for key, n := range names {
			for i, name := range n {
				if name == "" {
					t.Errorf("%s: %s has no name in %s", table, key, languages[i])
				}
			}
			if latin := latinLeft(n[2]); latin != "" {
				t.Errorf("%s: %s in Cyrillic has the Latin %q", table, key, latin)
			}
		}
	}
	for _, texts := range [][4]string{choicesText, noTicketText, notAllowedText, internalFailureText} {
		if latin := latinLeft(texts[2]); latin != "" {
			t.Errorf("the Cyrillic %q has the Latin %q", texts[2], latin)
		}
	}
}

// An officer reads any error their action met in their language: a
// refusal as its kind says, a ticket that does not exist by its number,
// and a failure of the system as one, to try again, with none of the Go
// error's text.
func TestOfficerText(t *testing.T) {
	noTicket := fmt.Errorf("%w %s", ErrNoTicket, "DKP-2026-999999")
	storeDown := fmt.Errorf("apply #close from jusuf's mail: %w", errors.New("database is locked (SQLITE_BUSY)"))
	untyped := fmt.Errorf("%w: the moon is in the wrong phase", ErrLifecycle)
	refused := error(&Refusal{Kind: RefusedEmptyNote, Ticket: "DKP-2026-000042", text: "note on DKP-2026-000042: the note is empty"})
	tests := []struct {
		name    string
		err     error
		lang    inquiry.Language
		want    string
		without string
	}{
		{"a refusal", refused, inquiry.Albanian, "Shënimi është bosh; asgjë nuk u shtua.", "empty"},
		{"a refusal, wrapped", fmt.Errorf("web action: %w", refused), inquiry.SerbianCyrl, "Белешка је празна; ништа није додато.", "empty"},
		{"no such ticket", noTicket, inquiry.Albanian, "Nuk ka tiketë DKP-2026-999999.", "no ticket"},
		{"no such ticket in Serbian", noTicket, inquiry.SerbianLatin, "Nema tiketa DKP-2026-999999.", "no ticket"},
		{"the store down", storeDown, inquiry.Albanian, "Veprimi nuk u krye për një gabim të sistemit. Provoni sërish pas pak; nëse gabimi vazhdon, njoftoni administratorin e IT-së.", "database"},
		{"the store down in English", storeDown, inquiry.English, "The action was not done: the system failed.", "database"},
		{"a refusal without a kind", untyped, inquiry.Albanian, "Veprimi nuk lejohet.", "moon"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := OfficerText(tt.err, tt.lang)
			if !strings.Contains(got, tt.want) || strings.Contains(got, tt.without) {
				t.Errorf("%q; want %q in it, and not %q", got, tt.want, tt.without)
			}
		})
	}
}
