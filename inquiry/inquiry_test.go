package inquiry

import "testing"

func TestFindNumber(t *testing.T) {
	tests := []struct {
		subject string
		want    string
	}{
		{"Re: Kërkesë [DKP-2026-000042]", "DKP-2026-000042"},
		{"Odg: dkp-2026-42", "DKP-2026-000042"},
		{"Përgj: Fwd: AW: lënda DKP-2025-7 ju lutem", "DKP-2025-000007"},
		{"Re: ABC-2026-000042", ""},
		{"Re: DKP-2026-000000", ""},
		{"DKP-26-000042", ""},
		{"no number here", ""},
		{"XDKP-2026-000042", ""},
		// Typed by hand: on a Serbian Cyrillic keyboard, apart, with an
		// en dash.
		{"Одг: ДКП-2026-42", "DKP-2026-000042"},
		{"захтев дкп-2026-000042", "DKP-2026-000042"},
		{"lidhur me kërkesën dkp 2026 000042", "DKP-2026-000042"},
		{"DKP–2026–42", "DKP-2026-000042"},
		{"ДКП 2026", ""},
		{"ДКПX-2026-42", ""},
		{"Шабац-2026-42", ""},
	}
	for _, tt := range tests {
		if got := FindNumber("DKP", tt.subject); got != tt.want {
			t.Errorf("FindNumber(%q) = %q, want %q", tt.subject, got, tt.want)
		}
	}
}

func TestParseOutcome(t *testing.T) {
	tests := []struct {
		in      string
		want    Outcome
		wantErr bool
	}{
		{"granted", Granted, false},
		{"partly-granted", PartlyGranted, false},
		{"not held", NotHeld, false},
		{"withdrawn", Withdrawn, false},
		{"maybe", NoOutcome, true},
		{"", NoOutcome, true},
	}
	for _, tt := range tests {
		got, err := ParseOutcome(tt.in)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("ParseOutcome(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestReplyAddressAndContent(t *testing.T) {
	form := &Address{Name: "Drita", Address: "drita@example.org"}
	tests := []struct {
		name    string
		msg     Message
		reply   string
		content bool
	}{
		{"plain sender", Message{From: Address{Address: "a@example.org"}, Text: "Pyetje"}, "a@example.org", true},
		{"Reply-To wins", Message{From: Address{Address: "a@example.org"}, ReplyTo: form, Subject: "x"}, "drita@example.org", true},
		{"no-reply without Reply-To", Message{From: Address{Address: "no-reply@example.org"}, NoReplySender: true}, "", false},
		{"whitespace is no content", Message{Text: " \r\n\t"}, "", false},
		{"attachment is content", Message{Attachments: []Attachment{{Name: "k.pdf"}}}, "", true},
	}
	for _, tt := range tests {
		if got := tt.msg.ReplyAddress().Address; got != tt.reply {
			t.Errorf("%s: ReplyAddress = %q, want %q", tt.name, got, tt.reply)
		}
		if got := tt.msg.HasContent(); got != tt.content {
			t.Errorf("%s: HasContent = %v, want %v", tt.name, got, tt.content)
		}
	}
}

func TestCategoryAndLanguageValid(t *testing.T) {
	for _, c := range Categories {
		if !c.Valid() {
			t.Errorf("%s not valid", c)
		}
	}
	if Category("officer:jusuf").Valid() {
		t.Error("a made-up category is valid")
	}
	if !UndefinedLang.Valid() || Language("de").Valid() {
		t.Error("language validity wrong")
	}
}

func TestOfficerHasEmail(t *testing.T) {
	o := Officer{ID: "jusuf", Email: "Jusuf.Lushaku@mkrs.example"}
	tests := []struct {
		addr string
		want bool
	}{
		{"Jusuf.Lushaku@mkrs.example", true},
		{"jusuf.lushaku@MKRS.EXAMPLE", true},
		{"juſuf.lushaku@mkrs.example", false},      // the long s folds to s in Unicode only
		{"jusuf.lushaku@mkrs.exampl\u212a", false}, // nor is the Kelvin sign a k
		{"jusuf.lushaku+x@mkrs.example", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := o.HasEmail(tt.addr); got != tt.want {
			t.Errorf("HasEmail(%q) = %v, want %v", tt.addr, got, tt.want)
		}
	}
	if (Officer{}).HasEmail("") {
		t.Error("an officer without an address has the empty one")
	}
}
