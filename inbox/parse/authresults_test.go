package parse

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// A mail's Authentication-Results come with it, the topmost (the last
// server's) first and unfolded, for the desk to believe only the ones the
// ministry's server wrote; a sender's pile of them below is cut.
func TestAuthResults(t *testing.T) {
	many := strings.Repeat("Authentication-Results: forged.example; dkim=pass header.d=mkrs.example\r\n", 40)
	kept := []string{"mx.mkrs.example; dmarc=fail header.from=mkrs.example"}
	for len(kept) < maxAuthResults {
		kept = append(kept, "forged.example; dkim=pass header.d=mkrs.example")
	}
	tests := []struct {
		name, header string
		want         []string
	}{
		{"none", "", nil},
		{"topmost first, unfolded",
			"Authentication-Results: imap.mkrs.example; none\r\nReceived: from mx.mkrs.example\r\n" +
				"Authentication-Results: mx.mkrs.example;\r\n\tdkim=pass header.d=mkrs.example;\r\n\tdmarc=pass header.from=mkrs.example\r\n" +
				"authentication-results: mx.evil.example; dmarc=pass header.from=mkrs.example\r\n",
			[]string{"imap.mkrs.example; none", "mx.mkrs.example; dkim=pass header.d=mkrs.example; dmarc=pass header.from=mkrs.example",
				"mx.evil.example; dmarc=pass header.from=mkrs.example"}},
		{"a sender's pile cut below the server's own",
			"Authentication-Results: mx.mkrs.example; dmarc=fail header.from=mkrs.example\r\n" + many,
			kept},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := tt.header + "From: Zamira Ahmeti <zamira.ahmeti@mkrs.example>\r\nTo: komunikimi@mkrs.example\r\nSubject: Fwd: x\r\n" +
				"Message-ID: <ar@mkrs.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nTekst.\r\n"
			m := Parse([]byte(raw), time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC), Options{})
			if !reflect.DeepEqual(m.AuthResults, tt.want) {
				t.Errorf("AuthResults:\n%s\nwant\n%s", show(m.AuthResults), show(tt.want))
			}
		})
	}
}

func show(v []string) string {
	var b strings.Builder
	for i, s := range v {
		fmt.Fprintf(&b, "  %d: %q\n", i, s)
	}
	return b.String()
}
