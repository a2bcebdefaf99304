package parse

import (
	"testing"
	"time"
)

func TestUnflow(t *testing.T) {
	tests := []struct {
		name, in string
		delSp    bool
		want     string
	}{
		{"a wrapped line", "#extend 10 dokumentet janë në arkivin e Prizrenit dhe duhen kërkuar në \ndosjet e vitit 2019\nMe respekt,", false,
			"#extend 10 dokumentet janë në arkivin e Prizrenit dhe duhen kërkuar në dosjet e vitit 2019\nMe respekt,"},
		{"a wrap before a word that looks like a command", "Për çdo pyetje shkruani në subjektin e mesazhit \n#urgent\n", false,
			"Për çdo pyetje shkruani në subjektin e mesazhit #urgent\n"},
		{"DelSp", "abc \ndef", true, "abcdef"},
		{"the signature separator is not a wrap", "Tekst\n-- \nJusuf", false, "Tekst\n-- \nJusuf"},
		{"quotes join within their depth", "> a b \n> c\n>> d \n>> e\nf", false, "> a b c\n>> d e\nf"},
		{"space-stuffed lines", " From here\n >not a quote", false, "From here\n>not a quote"},
		{"fixed lines stay", "one\ntwo\n\nthree", false, "one\ntwo\n\nthree"},
	}
	for _, tt := range tests {
		if got := unflow(tt.in, tt.delSp); got != tt.want {
			t.Errorf("%s: unflow(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

// A format=flowed mail comes out with its wrapped lines joined.
func TestFlowedMailIsUnwrapped(t *testing.T) {
	raw := "From: jusuf.lushaku@mkrs.example\r\nSubject: Re: x\r\nMessage-ID: <f@x>\r\n" +
		"Content-Type: text/plain; charset=UTF-8; format=flowed\r\n\r\n" +
		"#extend 10 dokumentet janë në arkiv dhe duhen kërkuar në \r\ndosjet e vitit 2019\r\n"
	m := Parse([]byte(raw), time.Now(), Options{})
	if want := "#extend 10 dokumentet janë në arkiv dhe duhen kërkuar në dosjet e vitit 2019"; m.Text != want {
		t.Errorf("text %q, want %q", m.Text, want)
	}
}
