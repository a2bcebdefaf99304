package mailer

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-smtp"

	"sportel/inquiry"
	"sportel/internal/testutil"
)

// A citizen at an internationalised domain (arta@bücher.example) is
// reachable without SMTPUTF8: the domain goes as its A-label, in the
// envelope and in the header alike, so a relay without SMTPUTF8 takes the
// mail instead of failing it for good. Only a local part that is not ASCII
// needs SMTPUTF8 (TestNoSMTPUTF8IsPermanent).
func TestInternationalDomainNeedsNoSMTPUTF8(t *testing.T) {
	tests := []struct {
		name      string
		to        inquiry.Address
		wantRcpt  string
		wantError string // "" sent
	}{
		{"IDN domain", inquiry.Address{Name: "Arta", Address: "arta@bücher.example"}, "arta@xn--bcher-kva.example", ""},
		{"IDN domain in capitals", inquiry.Address{Address: "arta@BÜCHER.example"}, "arta@xn--bcher-kva.example", ""},
		{"Cyrillic domain", inquiry.Address{Address: "info@пример.срб"}, "info@xn--e1afmkfd.xn--90a3ac", ""},
		{"ASCII", inquiry.Address{Address: "arta@example.org"}, "arta@example.org", ""},
		{"local part not ASCII", inquiry.Address{Address: "artë@bücher.example"}, "", "SMTPUTF8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			be := &backend{}
			addr := startSMTPWith(t, be, nil, false, func(s *smtp.Server) { s.EnableSMTPUTF8 = false })
			mlr, err := New(Options{Addr: addr, Security: SecurityNone, HelloName: "sportel.example", Logger: testutil.DiscardLogger()})
			if err != nil {
				t.Fatal(err)
			}
			defer mlr.Close()
			m := sampleMail()
			m.To = []inquiry.Address{tt.to}
			err = mlr.SendMail(context.Background(), m)
			if tt.wantError != "" {
				var se *SendError
				if !errors.As(err, &se) || !se.Permanent() || !strings.Contains(err.Error(), tt.wantError) {
					t.Fatalf("SendMail: %v, want a permanent error naming %s", err, tt.wantError)
				}
				return
			}
			if err != nil {
				t.Fatalf("SendMail: %v", err)
			}
			got := be.mails()
			if len(got) != 1 || !slices.Equal(got[0].To, []string{tt.wantRcpt}) {
				t.Fatalf("server got %+v, want one mail to %s", got, tt.wantRcpt)
			}
			header, _, _ := bytes.Cut(got[0].Data, []byte("\r\n\r\n"))
			if !isASCII(string(header)) {
				t.Errorf("header is not ASCII:\n%s", header)
			}
			mr, err := mail.CreateReader(bytes.NewReader(got[0].Data))
			if err != nil {
				t.Fatal(err)
			}
			if to, _ := mr.Header.AddressList("To"); len(to) != 1 || to[0].Address != tt.wantRcpt || to[0].Name != tt.to.Name {
				t.Errorf("To %v, want %q <%s>", to, tt.to.Name, tt.wantRcpt)
			}
		})
	}
}
