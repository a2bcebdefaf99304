package devserver

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/go-telegram/bot/models"
)

// sendPhoto takes a photo named by the file_id of a file Telegram has, as
// a bot re-sends one it received (an upload is not needed by Sportel, and
// is refused). The sent message carries the photo under that file id.
func (t *Telegram) sendPhoto(w http.ResponseWriter, _ *http.Request, form url.Values) {
	chat, err := strconv.ParseInt(form.Get("chat_id"), 10, 64)
	if err != nil {
		writeAnswer(w, apiAnswer{ErrorCode: 400, Description: "Bad Request: chat not found"})
		return
	}
	id := form.Get("photo")
	if id == "" {
		writeAnswer(w, apiAnswer{ErrorCode: 400, Description: "Bad Request: there is no photo in the request"})
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	f, ok := t.files[id]
	if !ok {
		writeAnswer(w, apiAnswer{ErrorCode: 400, Description: "Bad Request: wrong file identifier/HTTP URL specified"})
		return
	}
	if a, refused := t.refuse(chat); refused {
		writeAnswer(w, a)
		return
	}
	m := models.Message{ID: t.newMessageID(chat), From: &t.Me, Chat: chatOf(chat), Caption: form.Get("caption"),
		Photo: []models.PhotoSize{{FileID: f.FileID, FileUniqueID: f.FileUniqueID, FileSize: int(f.FileSize)}}}
	t.sent[chat] = append(t.sent[chat], m)
	t.broadcast()
	writeAnswer(w, apiAnswer{OK: true, Result: m})
}
