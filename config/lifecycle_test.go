package config

import (
	"testing"

	"sportel/inquiry"
)

func TestDivisionAndGrounds(t *testing.T) {
	cases := []struct {
		name       string
		overrides  map[string]string
		wantName   map[inquiry.Language]string
		wantGround []string
	}{
		{"defaults", nil,
			DefaultDivision().Name.ByLanguage(),
			[]string{"personal_data", "classified", "public_security", "criminal_proceedings", "ongoing_proceedings",
				"inspection", "commercial_confidentiality", "deliberations"}},
		{"one language overridden, the list replaced",
			map[string]string{
				"extra": "division:\n  name:\n    en: DKP of the Ministry\n",
				"tickets": "tickets:\n  refusal_grounds:\n" +
					"    - {id: personal_data, label: {sq: a, sr-Latn: b, sr-Cyrl: c, en: d}}\n" +
					"    - {id: tax_secret, label: {sq: a, sr-Latn: b, sr-Cyrl: c, en: tax secrecy}}\n",
			},
			map[inquiry.Language]string{
				inquiry.Albanian:     DefaultDivision().Name.SQ,
				inquiry.SerbianLatin: DefaultDivision().Name.SRLatn,
				inquiry.SerbianCyrl:  DefaultDivision().Name.SRCyrl,
				inquiry.English:      "DKP of the Ministry",
			},
			[]string{"personal_data", "tax_secret"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := Parse(doc(c.overrides), testEnv())
			if err != nil {
				t.Fatal(err)
			}
			for lang, want := range c.wantName {
				if got := cfg.Division.Name.In(lang); got != want {
					t.Errorf("division name in %s = %q, want %q", lang, got, want)
				}
			}
			var ids []string
			for _, g := range cfg.Tickets.RefusalGrounds {
				ids = append(ids, g.ID)
				if _, ok := cfg.Tickets.Ground(g.ID); !ok {
					t.Errorf("Ground(%q) not found", g.ID)
				}
			}
			if len(ids) != len(c.wantGround) {
				t.Fatalf("grounds %v, want %v", ids, c.wantGround)
			}
			for i := range ids {
				if ids[i] != c.wantGround[i] {
					t.Errorf("grounds %v, want %v", ids, c.wantGround)
				}
			}
			if _, ok := cfg.Tickets.Ground("no_such_ground"); ok {
				t.Error("Ground(no_such_ground) found")
			}
		})
	}
}
