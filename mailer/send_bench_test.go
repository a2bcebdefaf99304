package mailer

import (
	"context"
	"io"
	"net"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"sportel/internal/testutil"
)

// discardBackend is a go-smtp server that reads every message and keeps
// none, so a benchmark can send many.
type discardBackend struct{}

func (discardBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return discardSession{}, nil }

type discardSession struct{}

func (discardSession) Mail(string, *smtp.MailOptions) error { return nil }
func (discardSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (discardSession) Data(r io.Reader) error {
	_, err := io.Copy(io.Discard, r)
	return err
}
func (discardSession) Reset()        {}
func (discardSession) Logout() error { return nil }

// BenchmarkSendMail sends an acknowledgement and a notification carrying a
// 200 KB file through the mailer to a go-smtp server on loopback (a plain
// local relay, as the realistic benchmarks use), one after another over the
// kept connection. cpu-µs/send is the process's CPU time per mail, client
// and server together, which the machine's other load changes least.
//
//	go test -run XXX -bench SendMail ./mailer/
func BenchmarkSendMail(b *testing.B) {
	srv := smtp.NewServer(discardBackend{})
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.MaxMessageBytes = 64 << 20
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go srv.Serve(ln)
	b.Cleanup(func() { srv.Close() })
	for _, tt := range benchMails() {
		// As the outbox sends: with a point of no return to pass, which
		// writes the end of the mail on its own.
		for _, hooked := range []bool{false, true} {
			name := tt.name
			if hooked {
				name += "/point_of_no_return"
			}
			b.Run(name, func(b *testing.B) {
				mlr, err := New(Options{Addr: ln.Addr().String(), Security: SecurityNone, Logger: testutil.DiscardLogger()})
				if err != nil {
					b.Fatal(err)
				}
				defer mlr.Close()
				ctx := context.Background()
				if hooked {
					ctx = WithPointOfNoReturn(ctx, func() bool { return true })
				}
				if err := mlr.SendMail(ctx, tt.mail); err != nil { // connect outside the timing
					b.Fatal(err)
				}
				start := testutil.ProcessCPU()
				n := 0
				for b.Loop() {
					if err := mlr.SendMail(ctx, tt.mail); err != nil {
						b.Fatal(err)
					}
					n++
				}
				b.ReportMetric(float64((testutil.ProcessCPU()-start).Microseconds())/float64(n), "cpu-µs/send")
			})
		}
	}
}
