package main

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sportel/app"
	"sportel/inquiry"
	"sportel/internal/testutil"
)

// A Telegram file the bot could not download is listed as not kept and,
// asked for, refused with why and its Telegram file id; nothing is written.
func TestTicketsAttachmentTelegramFileNotKept(t *testing.T) {
	_, _, cfg := openTicketsConfig(t)
	ctx := context.Background()
	a, err := app.Open(ctx, cfg, testutil.DiscardLogger())
	if err != nil {
		t.Fatal(err)
	}
	// As the bot files a message whose file it could not keep.
	m := &inquiry.Message{Channel: inquiry.ChannelTelegram, SourceID: "tg:9101:7", ChatID: 9101, ChatMsgID: 7, UserID: 9101,
		From: inquiry.Address{Name: "Arta"}, Text: "Kërkoj kopjen e vendimit në foto.", ReceivedAt: time.Now(),
		Attachments: []inquiry.Attachment{{FileID: "AgACAgQAAxkBAAIB", Name: "photo.jpg", ContentType: "image/jpeg", Size: 30 << 20, Truncated: true}}}
	if _, err := a.Desk().Handle(ctx, m); err != nil {
		t.Fatal(err)
	}
	a.Close()
	const number = "DKP-2026-000001"
	db := cfg.Store.DSN
	out := filepath.Join(t.TempDir(), "photo.jpg")
	tests := []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"listed as not kept", []string{"tickets", "attachment", number, "--db", db}, 0,
			[]string{"photo.jpg", "image/jpeg", "31457280 (not kept)"}},
		{"refused with why and the file id", []string{"tickets", "attachment", number, "1", "-o", out, "--db", db}, 1,
			[]string{"attachment 1 of " + number + " (photo.jpg) was not kept in the store",
				"the bot did not get it from Telegram", `"telegram file not kept"`, "Telegram file id AgACAgQAAxkBAAIB"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCmd(t, "", nil, tt.args...)
			all := stdout + stderr
			if code != tt.code {
				t.Errorf("exit %d, want %d: %q", code, tt.code, all)
			}
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("output lacks %q:\n%s", w, all)
				}
			}
		})
	}
	if _, err := os.Stat(out); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s was written for a file not kept (stat: %v)", out, err)
	}
}
