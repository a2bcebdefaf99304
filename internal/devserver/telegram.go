package devserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-telegram/bot/models"
)

// Telegram is a fake Telegram Bot API on loopback. It speaks the real JSON
// shapes (every call is POST /bot<token>/<method> with form values, every
// answer {"ok":...}) so the real go-telegram/bot client and Sportel's own
// getUpdates loop run against it unchanged; files' contents are served at
// /file/bot<token>/<file_path> (AddFileContent). It keeps every call it served,
// queues updates the way Telegram does (an update is dropped only once a
// getUpdates asks for a higher offset) and can be told to fail.
type Telegram struct {
	URL   string
	Token string
	Me    models.User

	srv *httptest.Server

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced on every change: a broadcast
	updates  []queuedUpdate
	nextUpd  int64
	calls    []TelegramCall
	sent     map[int64][]models.Message
	nextMsg  map[int64]int
	started  map[int64]bool
	blocked  map[int64]bool
	failures map[string][]TelegramFailure
	// failing, when set, answers every call (SetFailing).
	failing  *TelegramFailure
	conflict bool
	// down drops every connection unanswered, as an unreachable API does.
	down  bool
	files map[string]models.File
	// contents are the files' bytes by file_path, served for download at
	// /file/bot<token>/<file_path> as Telegram serves them.
	contents map[string][]byte
	// downloadDelay holds every download this long before it answers.
	downloadDelay time.Duration
	nextFile      int
	// polls is how many getUpdates are in progress; maxPolls the most at
	// once so far (Telegram allows one per bot).
	polls, maxPolls int
}

// TelegramCall is one request the fake served.
type TelegramCall struct {
	Method string
	Form   url.Values
	At     time.Time
}

// TelegramFailure is an error answer to inject: ErrorCode 429 with
// RetryAfter, 403, 400, 409 and so on.
type TelegramFailure struct {
	ErrorCode   int
	Description string
	RetryAfter  int
}

// StartTelegram serves a bot named username on 127.0.0.1.
func StartTelegram(token, username string) *Telegram {
	t := &Telegram{
		Token:    token,
		Me:       models.User{ID: 7000001, IsBot: true, FirstName: "Sportel", Username: username, CanJoinGroups: true},
		changed:  make(chan struct{}),
		nextUpd:  1,
		sent:     make(map[int64][]models.Message),
		nextMsg:  make(map[int64]int),
		started:  make(map[int64]bool),
		blocked:  make(map[int64]bool),
		failures: make(map[string][]TelegramFailure),
		files:    make(map[string]models.File),
		contents: make(map[string][]byte),
	}
	t.srv = httptest.NewServer(http.HandlerFunc(t.serve))
	t.URL = t.srv.URL
	return t
}

// Close stops the server.
func (t *Telegram) Close() { t.srv.Close() }

// broadcast wakes everyone waiting for a change; t.mu must be held.
func (t *Telegram) broadcast() {
	close(t.changed)
	t.changed = make(chan struct{})
}

// Push queues an update as Telegram would deliver it and returns its id.
// A private message from a user also counts as that user having started
// the bot, as it does on Telegram.
func (t *Telegram) Push(u models.Update) int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	if u.ID == 0 {
		u.ID = t.nextUpd
	}
	t.nextUpd = max(t.nextUpd, u.ID+1)
	for _, m := range []*models.Message{u.Message, u.EditedMessage} {
		if m == nil {
			continue
		}
		if m.Date == 0 {
			m.Date = int(time.Now().Unix())
		}
		if m.ID == 0 {
			m.ID = t.newMessageID(m.Chat.ID)
		}
		if m.Chat.Type == models.ChatTypePrivate {
			t.started[m.Chat.ID] = true
		}
	}
	raw, err := json.Marshal(u)
	if err != nil {
		panic(fmt.Sprintf("devserver: encode update %d: %v", u.ID, err))
	}
	t.updates = append(t.updates, queuedUpdate{id: u.ID, raw: raw})
	t.broadcast()
	return u.ID
}

// queuedUpdate is an update as getUpdates will send it: JSON, so that a
// test can queue one the bot's model cannot decode (PushRaw).
type queuedUpdate struct {
	id  int64
	raw json.RawMessage
}

// PushRaw queues an update given as its JSON object, as Telegram would
// send it even where it differs from the library's model (a field of
// another type, a kind of update the model does not know), and returns
// its id. Its update_id is set to the next id, whatever it held.
func (t *Telegram) PushRaw(object string) int64 {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal([]byte(object), &fields); err != nil {
		panic(fmt.Sprintf("devserver: PushRaw: not a JSON object: %v", err))
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	id := t.nextUpd
	t.nextUpd++
	fields["update_id"] = json.RawMessage(strconv.FormatInt(id, 10))
	raw, err := json.Marshal(fields)
	if err != nil {
		panic(fmt.Sprintf("devserver: PushRaw: %v", err))
	}
	t.updates = append(t.updates, queuedUpdate{id: id, raw: raw})
	t.broadcast()
	return id
}

func (t *Telegram) newMessageID(chat int64) int {
	t.nextMsg[chat]++
	return t.nextMsg[chat]
}

// PushText queues a private text message from user and returns the message
// as delivered. A leading /command gets its bot_command entity.
func (t *Telegram) PushText(from models.User, text string) models.Message {
	m := models.Message{From: &from, Chat: models.Chat{ID: from.ID, Type: models.ChatTypePrivate, FirstName: from.FirstName}, Text: text}
	return t.PushMessage(m)
}

// PushMessage queues m (its Date, ID and command entity are filled in when
// missing) and returns it as delivered.
func (t *Telegram) PushMessage(m models.Message) models.Message {
	if strings.HasPrefix(m.Text, "/") && len(m.Entities) == 0 {
		cmd, _, _ := strings.Cut(m.Text, " ")
		m.Entities = []models.MessageEntity{{Type: models.MessageEntityTypeBotCommand, Offset: 0, Length: utf16Len(cmd)}}
	}
	u := models.Update{Message: &m}
	t.Push(u)
	return m
}

// PushCallback queues a button press by from on the message msg.
func (t *Telegram) PushCallback(from models.User, msg models.Message, data string) int64 {
	t.mu.Lock()
	id := fmt.Sprintf("cb%d", t.nextUpd)
	t.mu.Unlock()
	return t.Push(models.Update{CallbackQuery: &models.CallbackQuery{
		ID: id, From: from, Data: data, ChatInstance: "ci",
		Message: models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeMessage, Message: &msg},
	}})
}

// MarkStarted records that user pressed Start, so the bot may write to them.
func (t *Telegram) MarkStarted(userID int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.started[userID] = true
}

// Block makes chat answer every send with 403, as when a user blocks the bot.
func (t *Telegram) Block(chat int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.blocked[chat] = true
}

// FailNext makes the next call of method fail with f (queued in order).
func (t *Telegram) FailNext(method string, f TelegramFailure) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.failures[method] = append(t.failures[method], f)
}

// SetFailing makes every call fail with f while f is not nil, as a Bot
// API that answers 500s or 502s for a while does (after any FailNext).
func (t *Telegram) SetFailing(f *TelegramFailure) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.failing = f
}

// SetConflict makes getUpdates answer 409, as when another process polls
// the same token.
func (t *Telegram) SetConflict(on bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.conflict = on
}

// SetDown makes the API unreachable while on: every request, and every
// long poll in progress, has its connection closed without an answer.
func (t *Telegram) SetDown(on bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.down = on
	t.broadcast()
}

// hangUp closes the request's connection without an answer.
func hangUp(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if c, _, err := hj.Hijack(); err == nil {
			_ = c.Close()
			return
		}
	}
	// No connection to take over: the nearest thing is a proxy's error.
	http.Error(w, "bad gateway", http.StatusBadGateway)
}

// AddFile makes a file known to getFile.
func (t *Telegram) AddFile(f models.File) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.files[f.FileID] = f
}

// AddFileContent makes a file known to getFile and its content
// downloadable at /file/bot<token>/<file_path>, and returns the file as
// getFile answers it: a missing FilePath is made up, a zero FileSize is
// the content's. A FileSize set may differ from the content's, as a
// message may claim another size than the file has.
func (t *Telegram) AddFileContent(f models.File, content []byte) models.File {
	t.mu.Lock()
	defer t.mu.Unlock()
	if f.FilePath == "" {
		t.nextFile++
		f.FilePath = fmt.Sprintf("documents/file_%d", t.nextFile)
	}
	if f.FileSize == 0 {
		f.FileSize = int64(len(content))
	}
	if f.FileUniqueID == "" {
		f.FileUniqueID = "u" + f.FileID
	}
	t.files[f.FileID] = f
	t.contents[f.FilePath] = append([]byte(nil), content...)
	return f
}

// SetDownloadDelay holds every later download d before it is answered
// (or until the client gives up), as a slow link does.
func (t *Telegram) SetDownloadDelay(d time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.downloadDelay = d
}

// Calls returns the calls of method served so far ("" for all).
func (t *Telegram) Calls(method string) []TelegramCall {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []TelegramCall
	for _, c := range t.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// Sent returns the messages the bot sent to chat, in order.
func (t *Telegram) Sent(chat int64) []models.Message {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]models.Message(nil), t.sent[chat]...)
}

// Pending is how many updates were not yet confirmed by a higher offset.
func (t *Telegram) Pending() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.updates)
}

// WaitSent waits until chat has received a message for which match is true
// and returns it.
func (t *Telegram) WaitSent(ctx context.Context, chat int64, match func(models.Message) bool) (models.Message, error) {
	for {
		t.mu.Lock()
		for _, m := range t.sent[chat] {
			if match(m) {
				t.mu.Unlock()
				return m, nil
			}
		}
		ch := t.changed
		t.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return models.Message{}, fmt.Errorf("wait for a message to chat %d: %w", chat, ctx.Err())
		}
	}
}

// WaitCalls waits until at least n calls of method were served.
func (t *Telegram) WaitCalls(ctx context.Context, method string, n int) ([]TelegramCall, error) {
	for {
		t.mu.Lock()
		ch := t.changed
		t.mu.Unlock()
		if c := t.Calls(method); len(c) >= n {
			return c, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return t.Calls(method), fmt.Errorf("wait for %d %s calls: %w", n, method, ctx.Err())
		}
	}
}

// WaitDrained waits until every pushed update was confirmed.
func (t *Telegram) WaitDrained(ctx context.Context) error {
	for {
		t.mu.Lock()
		n, ch := len(t.updates), t.changed
		t.mu.Unlock()
		if n == 0 {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("wait for %d updates to be confirmed: %w", n, ctx.Err())
		}
	}
}

type apiAnswer struct {
	OK          bool            `json:"ok"`
	Result      any             `json:"result,omitempty"`
	ErrorCode   int             `json:"error_code,omitempty"`
	Description string          `json:"description,omitempty"`
	Parameters  *apiRetryParams `json:"parameters,omitempty"`
}

type apiRetryParams struct {
	RetryAfter int `json:"retry_after,omitempty"`
}

func (t *Telegram) serve(w http.ResponseWriter, r *http.Request) {
	if path, ok := strings.CutPrefix(r.URL.Path, "/file/bot"); ok {
		t.download(w, r, path)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	token, method, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 {
		writeAnswer(w, apiAnswer{ErrorCode: 404, Description: "Not Found"})
		return
	}
	if token != t.Token {
		writeAnswer(w, apiAnswer{ErrorCode: 401, Description: "Unauthorized"})
		return
	}
	form, err := readForm(r)
	if err != nil {
		writeAnswer(w, apiAnswer{ErrorCode: 400, Description: "Bad Request: " + err.Error()})
		return
	}
	t.mu.Lock()
	if t.down {
		t.mu.Unlock()
		hangUp(w)
		return
	}
	t.calls = append(t.calls, TelegramCall{Method: method, Form: form, At: time.Now()})
	t.broadcast()
	if f, ok := t.takeFailure(method); ok {
		t.mu.Unlock()
		writeAnswer(w, failureAnswer(f))
		return
	}
	if f := t.failing; f != nil {
		t.mu.Unlock()
		writeAnswer(w, failureAnswer(*f))
		return
	}
	t.mu.Unlock()

	switch method {
	case "getMe":
		writeAnswer(w, apiAnswer{OK: true, Result: t.Me})
	case "deleteWebhook", "setMyCommands":
		writeAnswer(w, apiAnswer{OK: true, Result: true})
	case "getUpdates":
		t.getUpdates(w, r, form)
	case "sendMessage":
		t.sendMessage(w, form)
	case "answerCallbackQuery":
		// Telegram takes 0-200 characters; counted here strictly, in UTF-16
		// units, as it counts a message's text.
		if utf16Len(form.Get("text")) > 200 {
			writeAnswer(w, apiAnswer{ErrorCode: 400, Description: "Bad Request: MESSAGE_TOO_LONG"})
			return
		}
		writeAnswer(w, apiAnswer{OK: true, Result: true})
	case "editMessageReplyMarkup", "editMessageText":
		t.editMessage(w, method, form)
	case "sendChatAction":
		t.sendChatAction(w, form)
	case "getChat":
		t.getChat(w, form)
	case "getFile":
		t.getFile(w, form)
	case "sendDocument":
		t.sendDocument(w, r, form)
	case "sendPhoto":
		t.sendPhoto(w, r, form)
	default:
		writeAnswer(w, apiAnswer{ErrorCode: 404, Description: "Not Found: method not found"})
	}
}

// takeFailure pops an injected failure for method; t.mu must be held.
func (t *Telegram) takeFailure(method string) (TelegramFailure, bool) {
	q := t.failures[method]
	if len(q) == 0 {
		return TelegramFailure{}, false
	}
	t.failures[method] = q[1:]
	return q[0], true
}

func failureAnswer(f TelegramFailure) apiAnswer {
	a := apiAnswer{ErrorCode: f.ErrorCode, Description: f.Description}
	if f.RetryAfter > 0 {
		a.Parameters = &apiRetryParams{RetryAfter: f.RetryAfter}
	}
	if a.Description == "" {
		a.Description = http.StatusText(f.ErrorCode)
	}
	return a
}

// MaxConcurrentPolls is the most getUpdates requests that were in
// progress at once: more than one means two pollers shared the token, which
// real Telegram refuses with 409.
func (t *Telegram) MaxConcurrentPolls() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.maxPolls
}

func (t *Telegram) getUpdates(w http.ResponseWriter, r *http.Request, form url.Values) {
	t.mu.Lock()
	t.polls++
	t.maxPolls = max(t.maxPolls, t.polls)
	t.mu.Unlock()
	defer func() {
		t.mu.Lock()
		t.polls--
		t.mu.Unlock()
	}()
	offset, _ := strconv.ParseInt(form.Get("offset"), 10, 64)
	timeout, _ := strconv.Atoi(form.Get("timeout"))
	limit, _ := strconv.Atoi(form.Get("limit"))
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	deadline := time.NewTimer(time.Duration(timeout) * time.Second)
	defer deadline.Stop()
	for {
		t.mu.Lock()
		if t.down {
			t.mu.Unlock()
			hangUp(w)
			return
		}
		if t.conflict {
			t.mu.Unlock()
			writeAnswer(w, apiAnswer{ErrorCode: 409, Description: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"})
			return
		}
		// An offset confirms every update before it, as on Telegram.
		if offset > 0 {
			kept := t.updates[:0]
			for _, u := range t.updates {
				if u.id >= offset {
					kept = append(kept, u)
				}
			}
			if len(kept) != len(t.updates) {
				t.updates = kept
				t.broadcast()
			}
		}
		if len(t.updates) > 0 {
			out := make([]json.RawMessage, 0, min(limit, len(t.updates)))
			for _, u := range t.updates[:min(limit, len(t.updates))] {
				out = append(out, u.raw)
			}
			t.mu.Unlock()
			writeAnswer(w, apiAnswer{OK: true, Result: out})
			return
		}
		ch := t.changed
		t.mu.Unlock()
		select {
		case <-ch:
		case <-deadline.C:
			writeAnswer(w, apiAnswer{OK: true, Result: []models.Update{}})
			return
		case <-r.Context().Done():
			return
		}
	}
}

func (t *Telegram) sendMessage(w http.ResponseWriter, form url.Values) {
	chat, err := strconv.ParseInt(form.Get("chat_id"), 10, 64)
	if err != nil {
		writeAnswer(w, apiAnswer{ErrorCode: 400, Description: "Bad Request: chat not found"})
		return
	}
	text := form.Get("text")
	if strings.TrimSpace(text) == "" {
		writeAnswer(w, apiAnswer{ErrorCode: 400, Description: "Bad Request: message text is empty"})
		return
	}
	if utf16Len(text) > 4096 {
		writeAnswer(w, apiAnswer{ErrorCode: 400, Description: "Bad Request: message is too long"})
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if a, refused := t.refuse(chat); refused {
		writeAnswer(w, a)
		return
	}
	m := models.Message{
		ID: t.newMessageID(chat), From: &t.Me, Date: int(time.Now().Unix()),
		Chat: chatOf(chat), Text: text,
	}
	if rp := form.Get("reply_parameters"); rp != "" {
		var p models.ReplyParameters
		if err := json.Unmarshal([]byte(rp), &p); err != nil {
			writeAnswer(w, apiAnswer{ErrorCode: 400, Description: "Bad Request: can't parse reply parameters"})
			return
		}
		m.ReplyToMessage = &models.Message{ID: p.MessageID, Chat: m.Chat}
	}
	if rm := form.Get("reply_markup"); rm != "" {
		kb, err := parseKeyboard(rm)
		if err != nil {
			writeAnswer(w, apiAnswer{ErrorCode: 400, Description: "Bad Request: " + err.Error()})
			return
		}
		m.ReplyMarkup = kb
	}
	t.sent[chat] = append(t.sent[chat], m)
	t.broadcast()
	writeAnswer(w, apiAnswer{OK: true, Result: m})
}

// refuse answers as Telegram does for a chat the bot may not write to;
// t.mu must be held.
func (t *Telegram) refuse(chat int64) (apiAnswer, bool) {
	switch {
	case t.blocked[chat]:
		return apiAnswer{ErrorCode: 403, Description: "Forbidden: bot was blocked by the user"}, true
	case chat > 0 && !t.started[chat]:
		return apiAnswer{ErrorCode: 403, Description: "Forbidden: bot can't initiate conversation with a user"}, true
	}
	return apiAnswer{}, false
}

// parseKeyboard checks an inline keyboard the way Telegram does: callback
// data at most 64 bytes, and every button needs an action.
func parseKeyboard(raw string) (*models.InlineKeyboardMarkup, error) {
	var kb models.InlineKeyboardMarkup
	if err := json.Unmarshal([]byte(raw), &kb); err != nil {
		return nil, fmt.Errorf("can't parse reply keyboard markup JSON object")
	}
	for _, row := range kb.InlineKeyboard {
		for _, b := range row {
			if len(b.CallbackData) > 64 {
				return nil, errors.New("BUTTON_DATA_INVALID")
			}
			if b.CallbackData == "" && b.URL == "" {
				return nil, errors.New("BUTTON_COPY_TEXT_INVALID")
			}
		}
	}
	return &kb, nil
}

func (t *Telegram) editMessage(w http.ResponseWriter, method string, form url.Values) {
	chat, _ := strconv.ParseInt(form.Get("chat_id"), 10, 64)
	id, _ := strconv.Atoi(form.Get("message_id"))
	var kb *models.InlineKeyboardMarkup
	if rm := form.Get("reply_markup"); rm != "" {
		var err error
		if kb, err = parseKeyboard(rm); err != nil {
			writeAnswer(w, apiAnswer{ErrorCode: 400, Description: "Bad Request: " + err.Error()})
			return
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for i, m := range t.sent[chat] {
		if m.ID != id {
			continue
		}
		if method == "editMessageReplyMarkup" && sameMarkup(m.ReplyMarkup, kb) {
			// As Telegram: an edit that changes nothing is refused.
			writeAnswer(w, apiAnswer{ErrorCode: 400, Description: "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"})
			return
		}
		m.ReplyMarkup = kb
		if method == "editMessageText" {
			m.Text = form.Get("text")
		}
		m.EditDate = int(time.Now().Unix())
		t.sent[chat][i] = m
		t.broadcast()
		writeAnswer(w, apiAnswer{OK: true, Result: m})
		return
	}
	writeAnswer(w, apiAnswer{ErrorCode: 400, Description: "Bad Request: message to edit not found"})
}

// sameMarkup reports whether two inline keyboards show the same buttons;
// none and an empty one are the same.
func sameMarkup(a, b *models.InlineKeyboardMarkup) bool {
	rows := func(kb *models.InlineKeyboardMarkup) string {
		if kb == nil || len(kb.InlineKeyboard) == 0 {
			return "[]"
		}
		j, _ := json.Marshal(kb.InlineKeyboard)
		return string(j)
	}
	return rows(a) == rows(b)
}

func (t *Telegram) sendChatAction(w http.ResponseWriter, form url.Values) {
	chat, err := strconv.ParseInt(form.Get("chat_id"), 10, 64)
	if err != nil {
		writeAnswer(w, apiAnswer{ErrorCode: 400, Description: "Bad Request: chat not found"})
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if a, refused := t.refuse(chat); refused {
		writeAnswer(w, a)
		return
	}
	writeAnswer(w, apiAnswer{OK: true, Result: true})
}

func (t *Telegram) getChat(w http.ResponseWriter, form url.Values) {
	chat, err := strconv.ParseInt(form.Get("chat_id"), 10, 64)
	if err != nil {
		writeAnswer(w, apiAnswer{ErrorCode: 400, Description: "Bad Request: chat not found"})
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if chat > 0 && !t.started[chat] {
		writeAnswer(w, apiAnswer{ErrorCode: 400, Description: "Bad Request: chat not found"})
		return
	}
	c := chatOf(chat)
	writeAnswer(w, apiAnswer{OK: true, Result: models.ChatFullInfo{ID: c.ID, Type: c.Type, Title: c.Title}})
}

func (t *Telegram) getFile(w http.ResponseWriter, form url.Values) {
	t.mu.Lock()
	f, ok := t.files[form.Get("file_id")]
	t.mu.Unlock()
	if !ok {
		writeAnswer(w, apiAnswer{ErrorCode: 400, Description: "Bad Request: invalid file_id"})
		return
	}
	writeAnswer(w, apiAnswer{OK: true, Result: f})
}

// download serves a file's content as Telegram does at
// /file/bot<token>/<file_path>: the bytes with 200, or a JSON error with
// its HTTP status. Each download is a call of method "download" whose form
// holds the file_path, and FailNext("download", ...) fails the next one
// with the failure's ErrorCode as the HTTP status.
func (t *Telegram) download(w http.ResponseWriter, r *http.Request, rest string) {
	token, path, ok := strings.Cut(rest, "/")
	if !ok || token != t.Token {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		writeAnswer(w, apiAnswer{ErrorCode: 401, Description: "Unauthorized"})
		return
	}
	t.mu.Lock()
	if t.down {
		t.mu.Unlock()
		hangUp(w)
		return
	}
	t.calls = append(t.calls, TelegramCall{Method: "download", Form: url.Values{"file_path": {path}}, At: time.Now()})
	t.broadcast()
	f, failing := t.takeFailure("download")
	content, known := t.contents[path]
	delay := t.downloadDelay
	t.mu.Unlock()
	if delay > 0 {
		timer := time.NewTimer(delay)
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-r.Context().Done():
			return
		}
	}
	switch {
	case failing:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(f.ErrorCode)
		writeAnswer(w, failureAnswer(f))
	case !known:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		writeAnswer(w, apiAnswer{ErrorCode: 404, Description: "Not Found"})
	default:
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Length", strconv.Itoa(len(content)))
		_, _ = w.Write(content)
	}
}

// chatOf guesses a chat's type from its id, as Telegram numbers them:
// users positive, groups negative.
func chatOf(id int64) models.Chat {
	if id > 0 {
		return models.Chat{ID: id, Type: models.ChatTypePrivate}
	}
	return models.Chat{ID: id, Type: models.ChatTypeSupergroup, Title: "group"}
}

// readForm reads a multipart (go-telegram/bot) or urlencoded body.
func readForm(r *http.Request) (url.Values, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "multipart/form-data" {
		// getMe without parameters sends an empty multipart body; that is
		// no error, just no fields.
		if err := r.ParseMultipartForm(32 << 20); err != nil && !strings.Contains(err.Error(), "EOF") {
			return nil, err
		}
		if r.MultipartForm != nil {
			return url.Values(r.MultipartForm.Value), nil
		}
		return url.Values{}, nil
	}
	if err := r.ParseForm(); err != nil {
		return nil, err
	}
	return r.PostForm, nil
}

func writeAnswer(w http.ResponseWriter, a apiAnswer) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(a)
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}
