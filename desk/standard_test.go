package desk_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"sportel/desk"
	"sportel/inquiry"
)

// standardFixture is a desk with the division named in every language, the
// test grounds and the default legal clock (7 calendar days).
func standardFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureConfig(t, nil, func(c *desk.Config) {
		c.DivisionName = divisionNames
		c.Officers = append(append([]inquiry.Officer(nil), officers...),
			inquiry.Officer{ID: "drita", Name: "Drita Krasniqi", Title: "Udhëheqëse e Divizionit", Email: "drita@mkrs.example"})
	})
}

// standardTicket is an open document request from Arben in lang, received
// on 25 November 2026, due on 2 December.
func standardTicket(lang inquiry.Language, ch inquiry.Channel) inquiry.Ticket {
	return inquiry.Ticket{
		ID: 1, Number: "DKP-2026-000042", Channel: ch, ChatID: 77,
		Sender:   inquiry.Address{Name: "Arben Berisha", Address: "arben@example.net"},
		Language: lang, Category: inquiry.DocumentRequest, State: inquiry.Assigned, OfficerID: "jusuf",
		ReceivedAt: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC),
		DueAt:      time.Date(2026, 12, 2, 22, 59, 0, 0, time.UTC),
	}
}

func TestStandardTextEveryKindEveryLanguage(t *testing.T) {
	f := standardFixture(t)
	// What each text must say, by kind and language, beyond the number, the
	// greeting and the signature every one has.
	want := map[string]map[inquiry.Language][]string{
		desk.StandardAnswer: {
			inquiry.Albanian:     {"I/E nderuar Arben Berisha,", "të datës 25.11.2026", "[plotësoni]", "Me respekt,\nJusuf Lushaku\n"},
			inquiry.SerbianLatin: {"Poštovani/a Arben Berisha,", "od 25.11.2026", "[dopunite]", "S poštovanjem,\nJusuf Lushaku\n"},
			inquiry.SerbianCyrl:  {"Поштовани/а Arben Berisha,", "од 25.11.2026", "[допуните]", "С поштовањем,\nJusuf Lushaku\n"},
			inquiry.English:      {"Dear Arben Berisha,", "of 25 November 2026", "[fill in]", "Kind regards,\nJusuf Lushaku\n"},
		},
		desk.StandardExtension: {
			// 15 days (the most the law allows) from 2 December: 17 December.
			inquiry.Albanian:     {"zgjatet për 15 ditë", "[plotësoni]", "17.12.2026"},
			inquiry.SerbianLatin: {"produžava se za 15 dana", "[dopunite]", "17.12.2026"},
			inquiry.SerbianCyrl:  {"продужава се за 15 дана", "[допуните]", "17.12.2026"},
			inquiry.English:      {"extended by 15 days", "[fill in]", "17 December 2026"},
		},
		desk.StandardNotHeld: {
			inquiry.Albanian:     {"nuk"},
			inquiry.SerbianLatin: {"ne nalazi"},
			inquiry.SerbianCyrl:  {"не налази"},
			inquiry.English:      {"does not hold", "We do not know which institution holds it."},
		},
		desk.StandardRefusal: {
			inquiry.Albanian:     {"qasja u refuzua", "Baza ligjore e kufizimit: [plotësoni].", "Agjencinë për Informim dhe Privatësi"},
			inquiry.SerbianLatin: {"pristup je odbijen", "[dopunite]", "Agenciji za informisanje i privatnost"},
			inquiry.SerbianCyrl:  {"приступ је одбијен", "[допуните]", "Агенцији за информисање и приватност"},
			inquiry.English:      {"access is refused", "Legal ground of the restriction: [fill in].", "Information and Privacy Agency"},
		},
		desk.StandardPartlyGranted: {
			inquiry.Albanian:     {"qasja u lejua pjesërisht", "[plotësoni]", "Agjencinë për Informim dhe Privatësi"},
			inquiry.SerbianLatin: {"delimično odobren", "[dopunite]", "Agenciji za informisanje i privatnost"},
			inquiry.SerbianCyrl:  {"делимично одобрен", "[допуните]", "Агенцији за информисање и приватност"},
			inquiry.English:      {"access is partly granted", "[fill in]", "Information and Privacy Agency"},
		},
	}
	if kinds := desk.StandardTextKinds(); len(kinds) != len(want) {
		t.Fatalf("kinds %q; the test knows %d", kinds, len(want))
	}
	for _, kind := range desk.StandardTextKinds() {
		for _, lang := range inquiry.Languages {
			for _, ch := range []inquiry.Channel{inquiry.ChannelEmail, inquiry.ChannelTelegram} {
				t.Run(kind+"/"+string(lang)+"/"+string(ch), func(t *testing.T) {
					text, err := f.desk.StandardText(kind, standardTicket(lang, ch), "jusuf")
					if err != nil {
						t.Fatal(err)
					}
					musts := append([]string{"DKP-2026-000042", divisionNames[lang] + "\n"}, want[kind][lang]...)
					for _, s := range musts {
						if !strings.Contains(text, s) {
							t.Errorf("text lacks %q:\n%s", s, text)
						}
					}
					for _, bad := range []string{"<no value>", "{{", "}}", "\n\n\n"} {
						if strings.Contains(text, bad) {
							t.Errorf("text has %q:\n%s", bad, text)
						}
					}
					if !strings.HasSuffix(text, divisionNames[lang]+"\n") {
						t.Errorf("text does not end with the signature:\n%s", text)
					}
				})
			}
		}
	}
}

// TestStandardTextFromTheTicket: what the ticket already knows fills the
// draft in place of a placeholder.
func TestStandardTextFromTheTicket(t *testing.T) {
	f := standardFixture(t)
	extended := standardTicket(inquiry.English, inquiry.ChannelEmail)
	extended.Extension = &inquiry.Extension{Days: 10, Reason: "The files are in the Prizren archive", DueAt: time.Date(2026, 12, 14, 22, 59, 0, 0, time.UTC)}
	refused := standardTicket(inquiry.SerbianLatin, inquiry.ChannelEmail)
	refused.State, refused.Outcome, refused.Ground = inquiry.Closed, inquiry.Refused, "personal_data"
	notHeld := standardTicket(inquiry.English, inquiry.ChannelEmail)
	notHeld.NotHeldMark = &inquiry.NotHeldMark{Holder: "the Kosovo Archives"}
	unnamed := standardTicket(inquiry.Albanian, inquiry.ChannelTelegram)
	unnamed.Sender.Name = "http://spam.example/win"
	unknownLang := standardTicket(inquiry.UndefinedLang, inquiry.ChannelEmail)
	press := standardTicket(inquiry.English, inquiry.ChannelEmail)
	press.Category = inquiry.PressInquiry

	tests := []struct {
		name, kind, officer string
		t                   inquiry.Ticket
		want, wantNot       []string
	}{
		{"the extension made", desk.StandardExtension, "", extended,
			[]string{"extended by 10 days", "Reason: The files are in the Prizren archive", "no later than 14 December 2026"}, []string{"[fill in]"}},
		{"the ground closed with", desk.StandardRefusal, "", refused,
			[]string{"Pravni osnov ograničenja: zaštita ličnih podataka."}, []string{"[dopunite]"}},
		{"the holder known", desk.StandardNotHeld, "", notHeld,
			[]string{"held by: the Kosovo Archives"}, []string{"We do not know"}},
		{"a name not fit to greet by", desk.StandardAnswer, "", unnamed,
			[]string{"Të nderuar,", "shkruani këtu"}, []string{"spam.example", "emaili"}},
		{"the officer's title", desk.StandardAnswer, "drita", standardTicket(inquiry.Albanian, inquiry.ChannelEmail),
			[]string{"Me respekt,\nDrita Krasniqi, Udhëheqëse e Divizionit\nDivizioni për Komunikim Publik\n"}, nil},
		{"no officer: the division signs", desk.StandardAnswer, "", standardTicket(inquiry.English, inquiry.ChannelEmail),
			[]string{"Kind regards,\nPublic Communication Division\n"}, []string{"Jusuf"}},
		{"an unknown language is answered in Albanian", desk.StandardAnswer, "", unknownLang,
			[]string{"I/E nderuar Arben Berisha,", "[plotësoni]"}, nil},
		{"a press inquiry gets an answer start", desk.StandardAnswer, "osman", press,
			[]string{"Dear Arben Berisha,", "Osman D. Gashi"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			text, err := f.desk.StandardText(tc.kind, tc.t, tc.officer)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range tc.want {
				if !strings.Contains(text, s) {
					t.Errorf("text lacks %q:\n%s", s, text)
				}
			}
			for _, s := range tc.wantNot {
				if strings.Contains(text, s) {
					t.Errorf("text has %q:\n%s", s, text)
				}
			}
		})
	}
}

func TestStandardTextRefusals(t *testing.T) {
	f := standardFixture(t)
	press := standardTicket(inquiry.English, inquiry.ChannelEmail)
	press.Category = inquiry.PressInquiry
	tests := []struct {
		name, kind, officer string
		t                   inquiry.Ticket
		lifecycle           bool // refused as not allowed (shown to the officer as it is)
	}{
		{"a notice for a press inquiry", desk.StandardRefusal, "", press, true},
		{"an extension for a press inquiry", desk.StandardExtension, "", press, true},
		{"an officer not configured", desk.StandardAnswer, "nobody", standardTicket(inquiry.English, inquiry.ChannelEmail), true},
		{"an unknown kind", "apology", "", standardTicket(inquiry.English, inquiry.ChannelEmail), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.desk.StandardText(tc.kind, tc.t, tc.officer)
			if err == nil {
				t.Fatal("accepted")
			}
			if got := errors.Is(err, desk.ErrLifecycle); got != tc.lifecycle {
				t.Errorf("errors.Is(%v, ErrLifecycle) = %v, want %v", err, got, tc.lifecycle)
			}
		})
	}

	if got := desk.StandardTextKindsFor(press); !slices.Equal(got, []string{desk.StandardAnswer}) {
		t.Errorf("kinds for a press inquiry %q, want only answer", got)
	}
	if got := desk.StandardTextKindsFor(standardTicket(inquiry.English, inquiry.ChannelEmail)); !slices.Equal(got, desk.StandardTextKinds()) {
		t.Errorf("kinds for a document request %q, want all", got)
	}
}

// TestAnswerTemplateOverride: answer.<lang>.tmpl in tickets.templates_dir
// replaces the built-in one, and a broken one fails at load.
func TestAnswerTemplateOverride(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "answer.en.tmpl"), []byte("Hello {{.Name}}, about {{.Number}}:\n\n{{.Placeholder}}\n\n{{.Division}}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tm, err := desk.LoadTemplates(dir)
	if err != nil {
		t.Fatal(err)
	}
	f := newFixtureConfig(t, nil, func(c *desk.Config) { c.Templates = tm; c.DivisionName = divisionNames })
	text, err := f.desk.StandardText(desk.StandardAnswer, standardTicket(inquiry.English, inquiry.ChannelEmail), "")
	if err != nil {
		t.Fatal(err)
	}
	if want := "Hello Arben Berisha, about DKP-2026-000042:\n\n[fill in]\n\nPublic Communication Division\n"; text != want {
		t.Errorf("overridden answer:\n%q\nwant\n%q", text, want)
	}

	if err := os.WriteFile(filepath.Join(dir, "answer.sq.tmpl"), []byte("{{.Nope}}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := desk.LoadTemplates(dir); err == nil || !strings.Contains(err.Error(), "answer.sq.tmpl") {
		t.Errorf("a broken answer.sq.tmpl loaded: %v", err)
	}
}
