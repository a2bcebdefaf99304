package config

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// telegram.file_timeout bounds one file's download, which the bot's update
// loop waits for: it must be positive, and not so long that the chats
// behind a file wait minutes.
func TestTelegramFileTimeout(t *testing.T) {
	const refused = "telegram.file_timeout: must be longer than 0s and at most 5m0s"
	tests := []struct {
		name    string
		line    string
		want    time.Duration
		wantErr string
	}{
		{"absent: the default", "", 30 * time.Second, ""},
		{"shorter", "  file_timeout: 10s\n", 10 * time.Second, ""},
		{"the longest", "  file_timeout: 5m\n", 5 * time.Minute, ""},
		{"zero", "  file_timeout: 0s\n", 0, refused},
		{"negative", "  file_timeout: -1s\n", 0, refused},
		{"too long", "  file_timeout: 6m\n", 0, refused},
		{"not a duration", "  file_timeout: half a minute\n", 0, "telegram.file_timeout:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := parseTelegramLines(t, tt.line, tt.wantErr)
			if cfg == nil {
				return
			}
			if got := cfg.Telegram.FileTimeout; got != tt.want {
				t.Errorf("file_timeout = %v, want %v", got, tt.want)
			}
		})
	}
}

// A reload names a changed file_timeout, as every telegram key, among the
// settings that need a restart (the bot is built once, with its options).
func TestTelegramFileTimeoutChangeIsNamed(t *testing.T) {
	parse := func(line string) *Config {
		t.Helper()
		cfg, err := Parse(doc(map[string]string{"telegram": "telegram:\n  token: ${TG_TOKEN}\n" + line}), testEnv())
		if err != nil {
			t.Fatalf("parse:\n%v", err)
		}
		return cfg
	}
	if got, want := Changed(parse(""), parse("  file_timeout: 10s\n")), []string{"telegram.file_timeout"}; !slices.Equal(got, want) {
		t.Errorf("Changed = %q, want %q", got, want)
	}
	if got := Changed(parse(""), parse("  file_timeout: 30s\n")); len(got) != 0 {
		t.Errorf("the default written out is named changed: %q", got)
	}
}

// telegram.max_upload_bytes is what the Bot API behind the bot takes:
// Telegram's 50 MB unless set, up to a local Bot API server's 2000 MB.
func TestTelegramMaxUploadBytes(t *testing.T) {
	const refused = "telegram.max_upload_bytes: must be more than 0 and at most 2000MB"
	tests := []struct {
		name    string
		line    string
		want    int64
		wantErr string
	}{
		{"absent: Telegram's own limit", "", 50 * 1000 * 1000, ""},
		{"a local Bot API server's", "  api_url: https://tg-bot-api.mkrs.example\n  max_upload_bytes: 2000MB\n", 2000 * 1000 * 1000, ""},
		{"over 50MB from Telegram's own", "  max_upload_bytes: 51MB\n", 0, "telegram.max_upload_bytes: Telegram's own Bot API"},
		{"lower", "  max_upload_bytes: 10MiB\n", 10 * MiB, ""},
		{"zero", "  max_upload_bytes: 0\n", 0, refused},
		{"over a local server's", "  max_upload_bytes: 2GiB\n", 0, refused},
		{"not a size", "  max_upload_bytes: fifty\n", 0, "telegram.max_upload_bytes:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := parseTelegramLines(t, tt.line, tt.wantErr)
			if cfg == nil {
				return
			}
			if got := cfg.Telegram.MaxUploadBytes; got != tt.want {
				t.Errorf("max_upload_bytes = %d, want %d", got, tt.want)
			}
		})
	}
}

// parseTelegramLines parses a configuration whose telegram section has a
// token and lines. With wantErr it checks that a problem starting so is
// reported and returns nil; otherwise it returns the configuration.
func parseTelegramLines(t *testing.T, lines, wantErr string) *Config {
	t.Helper()
	cfg, err := Parse(doc(map[string]string{"telegram": "telegram:\n  token: ${TG_TOKEN}\n" + lines}), testEnv())
	if wantErr != "" {
		var errs Errors
		if !errors.As(err, &errs) || !hasLinePrefix(strings.Split(err.Error(), "\n"), wantErr) {
			t.Fatalf("Parse: %v, want a problem starting %q", err, wantErr)
		}
		return nil
	}
	if err != nil {
		t.Fatalf("Parse:\n%v", err)
	}
	return cfg
}
