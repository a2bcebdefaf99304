package bot_test

import (
	"io"
	"net/http"
	"testing"

	"sportel/inquiry"
	"sportel/outbox"
)

// The outbox pauses every Telegram send on a fault of the Bot API or the
// way to it (outbox.RelayFault), and fails or retries the job on any
// other error, as before. A chat's refusal is the API answering. An
// upload (a file's bytes) met by a page that is not the API's may be
// refused for its size (a proxy's 413): that is the job's, or one big
// file would hold every Telegram send behind it.
func TestChatSendRelayFaults(t *testing.T) {
	html := func(code int) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(code)
			_, _ = io.WriteString(w, "<html><body><h1>"+http.StatusText(code)+"</h1></body></html>")
		}
	}
	tests := []struct {
		name           string
		method         string // sendMessage (SendChat) or sendDocument (SendChatFile)
		answer         http.HandlerFunc
		relay, forGood bool
	}{
		{"502 page from a proxy", "sendMessage", html(http.StatusBadGateway), true, false},
		{"500 from Telegram", "sendMessage", answerJSON(`{"ok":false,"error_code":500,"description":"Internal Server Error"}`), true, false},
		{"502 from Telegram", "sendMessage", answerJSON(`{"ok":false,"error_code":502,"description":"Bad Gateway"}`), true, false},
		{"429 flood control", "sendMessage", answerJSON(`{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}`), true, false},
		{"401 token refused", "sendMessage", answerJSON(`{"ok":false,"error_code":401,"description":"Unauthorized"}`), true, false},
		{"connection dropped unanswered", "sendMessage", hangUp, true, false},
		{"403 blocked by the user", "sendMessage", answerJSON(`{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}`), false, true},
		{"400 chat not found", "sendMessage", answerJSON(`{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}`), false, true},
		{"502 from Telegram to an upload", "sendDocument", answerJSON(`{"ok":false,"error_code":502,"description":"Bad Gateway"}`), true, false},
		{"413 page from a proxy to an upload", "sendDocument", html(http.StatusRequestEntityTooLarge), false, false},
		{"upload's connection dropped unanswered", "sendDocument", hangUp, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p *apiProxy
			f := newFixture(t, setup{opts: proxied(&p, t), noRun: true})
			p.answerNext(tt.method, tt.answer)
			var err error
			if tt.method == "sendDocument" {
				err = f.bot.SendChatFile(f.ctx, john.ID, inquiry.Attachment{Name: "vendimi.pdf", ContentType: "application/pdf", Content: []byte("%PDF-1.7")})
			} else {
				_, err = f.bot.SendChat(f.ctx, &inquiry.ChatMessage{ChatID: john.ID, Text: "DKP-2026-000001"})
			}
			if err == nil {
				t.Fatal("sent, want an error")
			}
			if got := outbox.RelayFault(err); got != tt.relay {
				t.Errorf("RelayFault %v, want %v (%v)", got, tt.relay, err)
			}
			if got := outbox.Permanent(err); got != tt.forGood {
				t.Errorf("Permanent %v, want %v (%v)", got, tt.forGood, err)
			}
		})
	}
}

// hangUp closes the request's connection without an answer.
func hangUp(w http.ResponseWriter, _ *http.Request) {
	c, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		_ = c.Close()
	}
}
