package mailer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"sportel/internal/testutil"
)

// wrote returns what the client of the proxy's last connection has
// written so far.
func (p *wireProxy) wrote() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.sent) == 0 {
		return nil
	}
	return bytes.Clone(p.sent[len(p.sent)-1].Bytes())
}

// WithPointOfNoReturn's hook is asked once, after the recipients were
// accepted, and before the end of the mail (BDAT 0 LAST, or DATA's final
// ".") is written: while it runs the server has not taken the mail in,
// however long it waits. A large message is written before the hook is
// asked, its end after; a small one (oneWriteMax) goes with its end once
// the hook said yes. Told yes, the mail goes as
// without the hook; told no, the send fails, temporarily, nothing is taken
// in, and the connection is not used again. A refused recipient never
// reaches it.
func TestPointOfNoReturn(t *testing.T) {
	refused := &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	tests := []struct {
		name      string
		rcptReply *smtp.SMTPError
		// answer is the hook's; cancel cancels the send's context first,
		// as the outbox's lease guard does when it cuts a send off.
		answer, cancel bool
		wantAsked      int
		// wantErr is in the send's error, or wantCode is its reply code;
		// neither: sent.
		wantErr  error
		wantCode int
	}{
		{"go on: sent", nil, true, false, 1, nil, 0},
		{"called off: nothing taken in", nil, false, false, 1, errCalledOff, 0},
		{"cut off: nothing taken in, the context's error", nil, false, true, 1, context.Canceled, 0},
		{"recipient refused: never asked", refused, true, false, 0, nil, 550},
	}
	for _, size := range []struct {
		name  string
		large bool
	}{{"small", false}, {"large", true}} {
		for _, chunked := range []bool{true, false} {
			var hidden []string
			end := []byte(lastChunk)
			if !chunked {
				hidden, end = []string{"CHUNKING\r\n"}, []byte("\r\n"+dataEnd)
			}
			for _, tt := range tests {
				t.Run(fmt.Sprintf("%s, chunked %v, %s", size.name, chunked, tt.name), func(t *testing.T) {
					be := &backend{rcptReply: tt.rcptReply}
					p := startProxy(t, startSMTP(t, be, nil, false), hidden...)
					mlr, err := New(Options{Addr: p.addr, Security: SecurityNone, Logger: testutil.DiscardLogger()})
					if err != nil {
						t.Fatal(err)
					}
					m := sampleMail()
					if size.large {
						m.Text = strings.Repeat("Një rresht teksti i gjatë për t'u dërguar.\n", oneWriteMax/40)
					}
					ctx, cancel := context.WithCancel(context.Background())
					defer cancel()
					asked := 0
					ctx = WithPointOfNoReturn(ctx, func() bool {
						asked++
						// Given time, a mail whose end went before this would
						// be taken in by now.
						deadline := time.Now().Add(100 * time.Millisecond)
						for time.Now().Before(deadline) {
							if n := len(be.mails()); n != 0 {
								t.Errorf("the server took the mail in before the point of no return was asked")
								break
							}
							if w := p.wrote(); bytes.Contains(w, end) {
								t.Errorf("the end of the mail %q was written before the point of no return was asked", end)
								break
							}
							time.Sleep(5 * time.Millisecond)
						}
						written := bytes.Contains(p.wrote(), []byte("Message-Id: <"+m.MessageID+">"))
						if size.large && !written {
							t.Errorf("the point of no return was asked before the large message was written")
						}
						if !size.large && written {
							t.Errorf("the small message was written before the point of no return was asked")
						}
						if tt.cancel {
							cancel()
						}
						return tt.answer
					})
					err = mlr.SendMail(ctx, m)
					mlr.Close()
					if asked != tt.wantAsked {
						t.Errorf("the hook was asked %d times, want %d", asked, tt.wantAsked)
					}
					streams := p.streams() // every connection over: the server is done with them
					got := be.mails()
					if tt.wantErr == nil && tt.wantCode == 0 {
						if err != nil {
							t.Fatal(err)
						}
						if len(got) != 1 || !bytes.Equal(got[0].Data, renderLike(t, m, got[0].Data)) {
							t.Fatalf("server took %d mails, want the rendered mail once", len(got))
						}
						if !bytes.HasSuffix(bytes.TrimSuffix(streams[0], []byte("QUIT\r\n")), end) {
							t.Errorf("the mail does not end with %q on the wire", end)
						}
						return
					}
					var se *SendError
					if !errors.As(err, &se) || tt.wantErr != nil && !errors.Is(err, tt.wantErr) || se.Code != tt.wantCode {
						t.Fatalf("send: %v, want a SendError with %v, reply code %d", err, tt.wantErr, tt.wantCode)
					}
					if wantPermanent := tt.rcptReply != nil; se.Permanent() != wantPermanent {
						t.Errorf("send: %v: permanent %v, want %v", err, se.Permanent(), wantPermanent)
					}
					if len(got) != 0 {
						t.Errorf("the server took in %d mails, want none", len(got))
					}
					if len(streams) != 1 || bytes.Contains(streams[0], end) {
						t.Errorf("%d connections, the end of the mail on the wire: %v; want one, without it", len(streams), len(streams) > 0 && bytes.Contains(streams[0], end))
					}
				})
			}
		}
	}
}
