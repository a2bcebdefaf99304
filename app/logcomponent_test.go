package app

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sportel/bot"
	"sportel/config"
	"sportel/inquiry"
	"sportel/internal/devserver"
	"sportel/internal/testutil"
)

// TestLogLinesNameOneComponent: the packages that name themselves in their
// logs (the LLM classifier, the mailer, the Telegram bot) are given the
// daemon's logger as it is, so each of their lines has one component. A
// second one repeats the key: in log.format json an object with the key
// twice, whose value depends on the reader.
func TestLogLinesNameOneComponent(t *testing.T) {
	smtpSrv, err := devserver.StartSMTP()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { smtpSrv.Close() })
	// An endpoint that fails, so the classifier logs its fallback.
	llmSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
	}))
	t.Cleanup(llmSrv.Close)
	const token = "123456:component-test-token"
	tg := devserver.StartTelegram(token, "sportel_bot")
	t.Cleanup(tg.Close)

	text := fmt.Sprintf(testConfig, "127.0.0.1:1", publicAddress, smtpSrv.Addr, filepath.Join(t.TempDir(), "sportel.db")) +
		fmt.Sprintf("classifier:\n  kind: openai\n  openai:\n    base_url: %s/v1\n    model: m\n    timeout: 2s\n", llmSrv.URL) +
		fmt.Sprintf("telegram:\n  token: ${TG_TOKEN}\n  api_url: %s\n", tg.URL)
	cfg, err := config.Parse([]byte(text), func(name string) (string, bool) {
		switch name {
		case imapPasswordEnv:
			return "pw", true
		case "TG_TOKEN":
			return token, true
		}
		return "", false
	})
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		log  func(t *testing.T, log *slog.Logger)
		want string // the component the package names itself
	}{
		{"llm classifier", func(t *testing.T, log *slog.Logger) {
			cls, err := NewClassifier(cfg, log)
			if err != nil {
				t.Fatal(err)
			}
			m := &inquiry.Message{Channel: inquiry.ChannelEmail, SourceID: "mail:1", Subject: "Kërkesë", Text: "Kërkoj kontratën e stadiumit."}
			if _, err := cls.Classify(context.Background(), m); err != nil {
				t.Fatal(err)
			}
		}, "llm_classifier"},
		{"mailer", func(t *testing.T, log *slog.Logger) {
			m, err := newMailer(cfg, log)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			mail := &inquiry.Mail{
				MessageID: "component-test@mkrs.example",
				Date:      time.Now(),
				From:      inquiry.Address{Address: publicAddress},
				To:        []inquiry.Address{{Address: "citizen@example.org"}},
				Subject:   "test",
				Text:      "test\n",
			}
			if err := m.SendMail(context.Background(), mail); err != nil {
				t.Fatal(err)
			}
		}, "mailer"},
		{"telegram bot", func(t *testing.T, log *slog.Logger) {
			a := &App{cfg: cfg, log: log}
			a.live.start(cfg, nil)
			if _, err := bot.New(context.Background(), a.botOptions(), nil, nil); err != nil {
				t.Fatal(err)
			}
		}, "telegram"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs := testutil.NewLogBuffer(t)
			tt.log(t, slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
			lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
			if len(lines) == 0 || lines[0] == "" {
				t.Fatal("nothing was logged")
			}
			for _, line := range lines {
				if n := strings.Count(line, `"component":`); n != 1 {
					t.Errorf("%d component keys in %s", n, line)
				}
				var rec struct{ Component string }
				if err := json.Unmarshal([]byte(line), &rec); err != nil {
					t.Fatalf("log line %s: %v", line, err)
				}
				if rec.Component != tt.want {
					t.Errorf("component %q, want %q: %s", rec.Component, tt.want, line)
				}
			}
		})
	}
}
