package devserver

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// The fake serves a file as Telegram does: getFile names its path, and
// the library's download link fetches its bytes; a wrong token, an
// unknown path and an injected failure answer with their HTTP status.
func TestTelegramServesFileDownloads(t *testing.T) {
	tg := StartTelegram("42:secret", "files_bot")
	defer tg.Close()
	content := []byte("%PDF-1.7\r\n\x00\xff binary")
	tg.AddFileContent(models.File{FileID: "doc"}, content)
	tg.AddFile(models.File{FileID: "gone", FilePath: "documents/gone.pdf", FileSize: 10})

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	api, err := tgbot.New(tg.Token, tgbot.WithServerURL(tg.URL), tgbot.WithSkipGetMe())
	if err != nil {
		t.Fatal(err)
	}
	f, err := api.GetFile(ctx, &tgbot.GetFileParams{FileID: "doc"})
	if err != nil {
		t.Fatal(err)
	}
	if f.FilePath == "" || f.FileSize != int64(len(content)) {
		t.Fatalf("getFile answered %+v: want a path and the size %d", f, len(content))
	}
	gone, err := api.GetFile(ctx, &tgbot.GetFileParams{FileID: "gone"})
	if err != nil {
		t.Fatal(err)
	}

	get := func(link string) (int, []byte) {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, link, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, body
	}
	tests := []struct {
		name   string
		link   string
		fail   int
		status int
		body   []byte
	}{
		{"the file", api.FileDownloadLink(f), 0, http.StatusOK, content},
		{"a wrong token", tg.URL + "/file/bot41:other/" + f.FilePath, 0, http.StatusUnauthorized, nil},
		{"a path Telegram no longer has", api.FileDownloadLink(gone), 0, http.StatusNotFound, nil},
		{"an injected failure", api.FileDownloadLink(f), http.StatusInternalServerError, http.StatusInternalServerError, nil},
		{"the file after the failure", api.FileDownloadLink(f), 0, http.StatusOK, content},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.fail != 0 {
				tg.FailNext("download", TelegramFailure{ErrorCode: tt.fail})
			}
			status, body := get(tt.link)
			if status != tt.status || (tt.body != nil && !bytes.Equal(body, tt.body)) {
				t.Errorf("status %d, %d bytes; want %d and %d bytes", status, len(body), tt.status, len(tt.body))
			}
		})
	}
	// Every download is a call, the wrong token's aside.
	if n := len(tg.Calls("download")); n != len(tests)-1 {
		t.Errorf("%d download calls, want %d", n, len(tests)-1)
	}

	// A slow download holds the answer; a client that gives up is let go.
	tg.SetDownloadDelay(time.Minute)
	short, cancelShort := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancelShort()
	req, err := http.NewRequestWithContext(short, http.MethodGet, api.FileDownloadLink(f), nil)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("a delayed download answered %d at once", resp.StatusCode)
	}
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
		t.Errorf("delayed download: %v after %v; want the client's deadline", err, time.Since(start))
	}
}
