package devserver

import (
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"

	"github.com/go-telegram/bot/models"
)

// maxUpload is the Bot API's limit on a file a bot uploads.
const maxUpload = 50 * 1000 * 1000

// sendDocument takes a document as Telegram does: uploaded as the
// multipart part "document" (its file name kept), or named by the file_id
// of a file Telegram has. The sent message carries the document, whose
// bytes Document gives back.
func (t *Telegram) sendDocument(w http.ResponseWriter, r *http.Request, form url.Values) {
	chat, err := strconv.ParseInt(form.Get("chat_id"), 10, 64)
	if err != nil {
		writeAnswer(w, apiAnswer{ErrorCode: 400, Description: "Bad Request: chat not found"})
		return
	}
	var doc models.Document
	var content []byte
	if id := form.Get("document"); id != "" {
		t.mu.Lock()
		f, ok := t.files[id]
		content = t.contents[f.FilePath]
		t.mu.Unlock()
		if !ok {
			writeAnswer(w, apiAnswer{ErrorCode: 400, Description: "Bad Request: wrong file identifier/HTTP URL specified"})
			return
		}
		doc = models.Document{FileID: f.FileID, FileUniqueID: f.FileUniqueID, FileSize: f.FileSize}
	} else {
		var fh []*multipart.FileHeader
		if r.MultipartForm != nil {
			fh = r.MultipartForm.File["document"]
		}
		if len(fh) == 0 {
			writeAnswer(w, apiAnswer{ErrorCode: 400, Description: "Bad Request: there is no document in the request"})
			return
		}
		if fh[0].Size > maxUpload {
			writeAnswer(w, apiAnswer{ErrorCode: 413, Description: "Request Entity Too Large"})
			return
		}
		f, err := fh[0].Open()
		if err == nil {
			content, err = io.ReadAll(f)
			_ = f.Close()
		}
		if err != nil {
			writeAnswer(w, apiAnswer{ErrorCode: 400, Description: "Bad Request: " + err.Error()})
			return
		}
		doc = models.Document{FileName: fh[0].Filename, MimeType: fh[0].Header.Get("Content-Type")}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if a, refused := t.refuse(chat); refused {
		writeAnswer(w, a)
		return
	}
	if doc.FileID == "" {
		t.nextFile++
		doc.FileID = fmt.Sprintf("sent_doc_%d", t.nextFile)
		doc.FileUniqueID = "u" + doc.FileID
		doc.FileSize = int64(len(content))
		path := fmt.Sprintf("documents/file_%d", t.nextFile)
		t.files[doc.FileID] = models.File{FileID: doc.FileID, FileUniqueID: doc.FileUniqueID, FileSize: doc.FileSize, FilePath: path}
		t.contents[path] = content
	}
	m := models.Message{ID: t.newMessageID(chat), From: &t.Me, Chat: chatOf(chat), Document: &doc, Caption: form.Get("caption")}
	t.sent[chat] = append(t.sent[chat], m)
	t.broadcast()
	writeAnswer(w, apiAnswer{OK: true, Result: m})
}

// Document returns the bytes of a file the fake holds by its file_id (one
// a bot sent, or one added with AddFileContent).
func (t *Telegram) Document(fileID string) ([]byte, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	f, ok := t.files[fileID]
	if !ok {
		return nil, false
	}
	return append([]byte(nil), t.contents[f.FilePath]...), true
}
