package config

import "testing"

// Officers are found by their address (sign-in links, emailed commands,
// forwards): two officers with one address, or an officer at the public
// mailbox itself, would each leave an officer unreachable.
func TestOfficerAddresses(t *testing.T) {
	officers := func(emails ...string) map[string]string {
		s := "officers:\n"
		for i, e := range emails {
			s += "  - {id: " + []string{"osman", "jusuf", "zamira"}[i] + ", name: N, email: " + e + "}\n"
		}
		return map[string]string{"officers": s}
	}
	cases := []struct {
		name      string
		overrides map[string]string
		want      string // "" for no error
	}{
		{"distinct", officers("osman@mkrs.example", "jusuf@mkrs.example", "zamira@mkrs.example"), ""},
		{"same address", officers("osman@mkrs.example", "jusuf@mkrs.example", "osman@mkrs.example"),
			"officers[2].email: same address as officers[0] (line 12)"},
		{"same address in other case", officers("osman@mkrs.example", "Osman@MKRS.example", "zamira@mkrs.example"),
			"officers[1].email: same address as officers[0] (line 11)"},
		{"the public mailbox", officers("osman@mkrs.example", "jusuf@mkrs.example", "Komunikimi@mkrs.example"),
			"officers[2].email: is the public mailbox (mailbox.address): notices to it would come back as mail and never reach the officer (line 12)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(doc(c.overrides), testEnv())
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("unexpected error:\n%v", err)
			case c.want != "" && (err == nil || err.Error() != c.want):
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
}
