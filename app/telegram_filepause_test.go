package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"sportel/internal/devserver"
	"sportel/internal/testutil"
)

// telegram.file_timeout reaches the bot (a download that hangs is given up
// after it, not after the default 30 s), and sportel_telegram_file_downloads_paused
// says downloads pause while the file server does not answer.
func TestTelegramFileTimeoutAndPauseMetric(t *testing.T) {
	t.Parallel()
	s := newMemStack(t)
	metricsAddr := testutil.FreeAddr(t)
	s.cfg.Metrics.Listen = metricsAddr
	tg := devserver.StartTelegram("123456:file-pause-token", "dkp_pause_bot")
	t.Cleanup(tg.Close)
	tgCfg := botConfig(tg)
	tgCfg.FileTimeout = 400 * time.Millisecond
	s.cfg.Telegram = tgCfg
	_, stop := s.serve()
	defer stop()

	gauge := func(want string) func() (bool, error) {
		return func() (bool, error) {
			_, body, err := httpGet("http://" + metricsAddr + "/metrics")
			return err == nil && strings.Contains(body, "\nsportel_telegram_file_downloads_paused "+want+"\n"), nil
		}
	}
	if err := testutil.Poll(20*time.Second, gauge("0")); err != nil {
		t.Fatalf("sportel_telegram_file_downloads_paused 0 before any download: %v", err)
	}
	tg.AddFileContent(models.File{FileID: "scan"}, []byte("%PDF-1.4\n"))
	tg.SetDownloadDelay(time.Hour)
	arta := models.User{ID: 9201, FirstName: "Arta", LanguageCode: "sq"}
	tg.PushMessage(models.Message{From: &arta, Chat: models.Chat{ID: arta.ID, Type: models.ChatTypePrivate},
		Caption: "Kërkoj kopjen e vendimit në shtojcë.", Document: &models.Document{FileID: "scan", FileName: "vendimi.pdf"}})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := tg.WaitDrained(ctx); err != nil {
		t.Fatal(err)
	}
	if logs := s.logs.String(); !strings.Contains(logs, `reason="download: timed out after 400ms"`) {
		t.Errorf("the download was not given up after telegram.file_timeout:\n%s", logs)
	}
	if err := testutil.Poll(20*time.Second, gauge("1")); err != nil {
		t.Errorf("sportel_telegram_file_downloads_paused 1 after the file server hung: %v", err)
	}
}
