package bot

import (
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
)

func TestAlbumHoldReady(t *testing.T) {
	part := func(id int64, chat int64, group, caption string) fetched {
		return fetched{Update: models.Update{ID: id, Message: &models.Message{ID: int(id), Chat: models.Chat{ID: chat}, MediaGroupID: group, Caption: caption,
			Document: &models.Document{FileID: "f"}}}}
	}
	text := func(id int64) fetched {
		return fetched{Update: models.Update{ID: id, Message: &models.Message{ID: int(id), Chat: models.Chat{ID: 7}, Text: "Përshëndetje"}}}
	}
	t0 := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		updates []fetched
		seenAt  time.Duration // how long before now the trailing album was first seen; <0: never
		want    int
	}{
		{"nothing", nil, -1, 0},
		{"no album", []fetched{text(1), text(2)}, -1, 2},
		{"a bare album at the end waits", []fetched{text(1), part(2, 7, "g", ""), part(3, 7, "g", "")}, -1, 1},
		{"still within its wait", []fetched{part(2, 7, "g", ""), part(3, 7, "g", "")}, albumWait / 2, 0},
		{"its wait is over", []fetched{part(2, 7, "g", ""), part(3, 7, "g", "")}, albumWait, 2},
		{"its caption came", []fetched{part(4, 7, "g", "Kërkoj kontratën"), part(2, 7, "g", ""), part(3, 7, "g", "")}, albumWait / 2, 3},
		{"an album followed by a message is complete", []fetched{part(2, 7, "g", ""), text(3)}, -1, 2},
		{"another chat's album at the end", []fetched{part(2, 7, "g", ""), part(3, 8, "h", "")}, -1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := albumHold{}
			if tt.seenAt >= 0 {
				last := tt.updates[len(tt.updates)-1].Message
				h["7:"+last.MediaGroupID] = t0.Add(-tt.seenAt)
			}
			if got := h.ready(tt.updates, t0); got != tt.want {
				t.Errorf("ready = %d, want %d", got, tt.want)
			}
		})
	}
}
