package mailer

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"

	"sportel/inbox/parse"
	"sportel/inquiry"
	"sportel/internal/testutil"
)

// A citizen whose address has a quoted local part ("john doe"@example.org:
// RFC 5321 allows it and relays take it) is acknowledged at that address,
// as written: the mail is read by the parser, answered through the mailer,
// and reaches a go-smtp server with the local part quoted in RCPT TO and in
// To, one recipient however many specials the quotes hold.
func TestSendMailToQuotedLocalPart(t *testing.T) {
	tests := []struct {
		name     string
		from     string // the citizen's From header
		wantAddr string // as the parser and the server read it, unquoted
		wantRcpt string // the RCPT TO line's path
	}{
		{"space", `"john doe"@example.org`, "john doe@example.org", `"john doe"@example.org`},
		{"space, with a name", `John Doe <"john doe"@example.org>`, "john doe@example.org", `"john doe"@example.org`},
		{"quotes not needed are dropped", `"arta.k"@example.com`, "arta.k@example.com", "arta.k@example.com"},
		{"specials stay inside the quotes", `"a>, <b"@example.org`, "a>, <b@example.org", `"a>, <b"@example.org`},
		{"an escaped backslash", `"jo\\hn"@example.org`, `jo\hn@example.org`, `"jo\\hn"@example.org`},
		{"a leading dot", `".arta"@example.org`, ".arta@example.org", `".arta"@example.org`},
		{"quoted, at an IDN domain", `"john doe"@bücher.example`, "john doe@xn--bcher-kva.example", `"john doe"@xn--bcher-kva.example`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := "From: " + tt.from + "\r\nTo: dkp@kultura.example.gov\r\nSubject: Kërkesë\r\nMessage-ID: <q-1@example.org>\r\n" +
				"Content-Type: text/plain; charset=utf-8\r\n\r\nKërkoj kopjen e vendimit.\r\n"
			msg := parse.Parse([]byte(raw), time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC), parse.Options{})
			to := msg.ReplyAddress()
			if len(msg.ParseProblems) > 0 || to.Address == "" {
				t.Fatalf("parsed From %+v, problems %q", msg.From, msg.ParseProblems)
			}

			be := &backend{}
			proxy := startProxy(t, startSMTP(t, be, nil, false))
			mlr, err := New(Options{Addr: proxy.addr, Security: SecurityNone, HelloName: "sportel.example", Logger: testutil.DiscardLogger()})
			if err != nil {
				t.Fatal(err)
			}
			m := sampleMail()
			m.To = []inquiry.Address{to}
			if err := mlr.SendMail(context.Background(), m); err != nil {
				t.Fatalf("SendMail to %q: %v", to.Address, err)
			}
			mlr.Close()

			got := be.mails()
			if len(got) != 1 || !slices.Equal(got[0].To, []string{tt.wantAddr}) {
				t.Fatalf("server got %+v, want one mail to %q", got, tt.wantAddr)
			}
			wire := bytes.Join(proxy.streams(), nil)
			if want := "RCPT TO:<" + tt.wantRcpt + ">\r\n"; !bytes.Contains(wire, []byte(want)) {
				t.Errorf("the client wrote no %q:\n%s", want, head(wire))
			}
			mr, err := mail.CreateReader(bytes.NewReader(got[0].Data))
			if err != nil {
				t.Fatal(err)
			}
			if list, err := mr.Header.AddressList("To"); err != nil || len(list) != 1 || list[0].Address != tt.wantAddr {
				t.Errorf("To %q reads as %v (%v), want the one address %q", mr.Header.Get("To"), list, err, tt.wantAddr)
			}
		})
	}
}

// What cannot be sent safely is refused before anything is: a control
// character (a command or header line split, or a NUL), a quote that is
// not one well-formed quoted local part, a domain with specials. The
// refusal is permanent: no retry would change the address.
func TestSendMailRefusesUnsafeAddresses(t *testing.T) {
	tests := []struct {
		name, addr, want string
	}{
		{"CR LF", "john\r\ndoe@example.org", "control character"},
		{"command injection in a quoted local part", "\"john\r\nRCPT TO:<evil@example.net>\"@example.org", "control character"},
		{"header injection", "victim@example.org>\r\nBcc: evil@example.net", "control character"},
		{"bare LF", "john\ndoe@example.org", "control character"},
		{"NUL", "john\x00doe@example.org", "control character"},
		{"TAB (RFC 5321 quotes no TAB)", "john\tdoe@example.org", "control character"},
		{"DEL", "john\x7fdoe@example.org", "control character"},
		{"quote left open", `"john doe@example.org`, "unbalanced quotes"},
		{"escaped closing quote", `"john doe\"@example.org`, "unbalanced quotes"},
		{"text after the closing quote", `"john"doe@example.org`, "unbalanced quotes"},
		{"stray quote", `john doe"@example.org`, "quote inside"},
		{"empty quoted local part", `""@example.org`, "empty local part"},
		{"no local part", "@example.org", "not a mail address"},
		{"no domain", "john@", "not a mail address"},
		{"no at sign", "nobody", "not a mail address"},
		{"space in the domain", "john@exa mple.org", "in the domain"},
		{"bracket in the domain", "john@example.org>", "in the domain"},
		{"quote in the domain", `john@"example.org"`, "in the domain"},
		{"not UTF-8", "jo\xffhn@example.org", "not UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			be := &backend{}
			addr := startSMTP(t, be, nil, false)
			mlr, err := New(Options{Addr: addr, Security: SecurityNone, HelloName: "sportel.example", Logger: testutil.DiscardLogger()})
			if err != nil {
				t.Fatal(err)
			}
			defer mlr.Close()
			m := sampleMail()
			m.To = []inquiry.Address{{Name: "John Doe", Address: tt.addr}}
			err = mlr.SendMail(context.Background(), m)
			var se *SendError
			if !errors.As(err, &se) || !se.Permanent() || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("SendMail to %q: %v; want a permanent error naming %q", tt.addr, err, tt.want)
			}
			if n := be.sessionCount(); n != 0 {
				t.Errorf("%d sessions opened for a mail refused before sending", n)
			}
			// A Reply-To and a From are held to the same rule.
			m = sampleMail()
			m.ReplyTo = &inquiry.Address{Address: tt.addr}
			if _, err := Render(m, ""); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Render with Reply-To %q: %v; want an error naming %q", tt.addr, err, tt.want)
			}
		})
	}
}

// An address given as written, quotes and all, goes as the parser's
// unquoted form does.
func TestAddressForms(t *testing.T) {
	tests := []struct {
		in, unquoted, path string
	}{
		{"arta@example.org", "arta@example.org", "arta@example.org"},
		{"john doe@example.org", "john doe@example.org", `"john doe"@example.org`},
		{`"john doe"@example.org`, "john doe@example.org", `"john doe"@example.org`},
		{`"john\ doe"@example.org`, "john doe@example.org", `"john doe"@example.org`},
		{`"arta.k"@example.com`, "arta.k@example.com", "arta.k@example.com"},
		{`"a@b"@example.org`, "a@b@example.org", `"a@b"@example.org`},
		{"a@b@example.org", "a@b@example.org", `"a@b"@example.org`},
		{`"jo\\hn"@example.org`, `jo\hn@example.org`, `"jo\\hn"@example.org`},
		{"artë@example.org", "artë@example.org", "artë@example.org"},
		{"jöhn doe@example.org", "jöhn doe@example.org", `"jöhn doe"@example.org`},
		{"john..doe@example.org", "john..doe@example.org", `"john..doe"@example.org`},
		{"arta@[192.0.2.1]", "arta@[192.0.2.1]", "arta@[192.0.2.1]"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			unquoted, path, err := addressForms(tt.in)
			if err != nil || unquoted != tt.unquoted || path != tt.path {
				t.Errorf("addressForms(%q) = %q, %q, %v; want %q, %q", tt.in, unquoted, path, err, tt.unquoted, tt.path)
			}
		})
	}
}
