package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"sportel/inquiry"
	"sportel/internal/textsafe"
)

// maxMessageLen is Telegram's limit for one message, in UTF-16 code units
// (Telegram counts text the way JavaScript does).
const maxMessageLen = 4096

// SendChat sends one outbox chat job and returns "tg:<chat>:<message>" of
// the message that carries the buttons (the last part of a split text), so
// an officer's reply to it finds the ticket. It is outbox.ChatSender.
// The outbox records that one ref; each earlier part of a split text is
// tied to it in the bot's state (partKey), so a reply to any part works.
//
// A text split in parts that fails half way is sent again whole on retry;
// Telegram has no idempotency key to prevent that.
//
// A send's point of no return (noreturn.With in ctx, as the outbox sets
// it) is asked once the first sendMessage request has been written: a
// send cut off before that sends nothing, one past it is let finish, the
// later parts of a split text included (see sendNoReturn).
func (b *Bot) SendChat(ctx context.Context, m *inquiry.ChatMessage) (string, error) {
	if m == nil || m.ChatID == 0 {
		return "", &sendError{err: errors.New("no chat to send to"), permanent: true}
	}
	if strings.TrimSpace(m.Text) == "" {
		return "", &sendError{err: errors.New("empty text"), permanent: true}
	}
	var kb *models.InlineKeyboardMarkup
	var err error
	if len(m.Actions) > 0 {
		if kb, err = actionKeyboard(m.Ticket, m.Actions); err != nil {
			return "", &sendError{err: err, permanent: true}
		}
	}
	// The text quotes citizens (subjects, names, messages).
	parts := splitText(textsafe.Text(m.Text), maxMessageLen)
	var sent *models.Message
	var earlier []int
	noReturn := newSendNoReturn(ctx)
	for i, part := range parts {
		p := &tgbot.SendMessageParams{ChatID: m.ChatID, Text: part, LinkPreviewOptions: noPreview()}
		if i == 0 && m.ReplyToMsgID != 0 {
			p.ReplyParameters = &models.ReplyParameters{MessageID: m.ReplyToMsgID, AllowSendingWithoutReply: true}
		}
		if i == len(parts)-1 && kb != nil {
			p.ReplyMarkup = kb
		}
		reqCtx, done := noReturn.request(ctx)
		sent, err = b.api.SendMessage(reqCtx, p)
		if err = done(err); err != nil {
			return "", classifySendError(fmt.Sprintf("send to chat %d (part %d of %d)", m.ChatID, i+1, len(parts)), err)
		}
		if i < len(parts)-1 {
			earlier = append(earlier, sent.ID)
		}
	}
	ref := fmt.Sprintf("tg:%d:%d", sent.Chat.ID, sent.ID)
	for _, id := range earlier {
		// The text is out: failing here must not send it again. A reply to
		// the last part still finds the ticket.
		if err := b.state.SetState(ctx, partKey(sent.Chat.ID, id), ref); err != nil {
			b.log.Warn("record a part of a split message; a reply to it will not find the ticket", "chat_id", sent.Chat.ID, "message_id", id, "err", err)
		}
	}
	return ref, nil
}

// partKey is the state key that ties an earlier part of a split text to
// the ref of its last part.
func partKey(chat int64, msgID int) string {
	return fmt.Sprintf("%s%d:%d", keyPartPrefix, chat, msgID)
}

// replyRef is the ref an officer's reply to message msgID in chat answers:
// the message's own, or that of the last part of the text it belongs to.
func (b *Bot) replyRef(ctx context.Context, chat int64, msgID int) (string, error) {
	last, ok, err := b.state.GetState(ctx, partKey(chat, msgID))
	if err != nil {
		return "", fmt.Errorf("read the split message of %d:%d: %w", chat, msgID, err)
	}
	if ok && last != "" {
		return last, nil
	}
	return fmt.Sprintf("tg:%d:%d", chat, msgID), nil
}

// sendError tells the outbox whether to try again: a blocked bot or a chat
// that does not exist never heals; and whether the Bot API itself failed,
// the same for every chat (relay): the outbox then pauses every Telegram
// send rather than spend the job's attempts (outbox.RelayFault).
type sendError struct {
	op        string
	err       error
	permanent bool
	relay     bool
}

func (e *sendError) Error() string {
	if e.op == "" {
		return errText(e.err)
	}
	return e.op + ": " + errText(e.err)
}

// maxErrText is how much of a Bot API error is kept in a job's record and
// the log.
const maxErrText = 512

// errText is err's text, clipped: the library quotes an answer that is not
// the API's JSON whole (a proxy's HTML page of any size), and the outbox
// records the text on the job and logs it.
func errText(err error) string { return clipText(err.Error()) }

// clipText is s cut to maxErrText bytes, at a character's start.
func clipText(s string) string {
	if len(s) <= maxErrText {
		return s
	}
	cut := maxErrText
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s… (%d more bytes)", s[:cut], len(s)-cut)
}
func (e *sendError) Unwrap() error   { return e.err }
func (e *sendError) Permanent() bool { return e.permanent }

// RelayFault reports whether the Bot API, or the way to it, failed rather
// than the chat: Telegram out of reach (refused, reset, timing out, its
// name not found), an answer that is not the API's (a proxy's 502 page),
// a 5xx, a 429 (flood control, whose retry_after the outbox waits), or
// the token refused (401, 404: every request fails so until the
// configuration is fixed). Any other answer of the API is about the chat
// or the message (403 blocked, 400 chat not found) and says the API is up.
func (e *sendError) RelayFault() bool { return e.relay }

// rateLimited is Telegram's 429: the outbox waits at least RetryAfter.
type rateLimited struct {
	sendError
	after time.Duration
}

func (e *rateLimited) RetryAfter() time.Duration { return e.after }

func classifySendError(op string, err error) error {
	var tm *tgbot.TooManyRequestsError
	if errors.As(err, &tm) {
		return &rateLimited{sendError: sendError{op: op, err: err, relay: true}, after: time.Duration(tm.RetryAfter) * time.Second}
	}
	var mig *tgbot.MigrateError
	if errors.As(err, &mig) {
		return &sendError{op: op, err: fmt.Errorf("the group moved to chat %d; update the configuration: %w", mig.MigrateToChatID, err), permanent: true}
	}
	// 403: blocked by the user or never started; 400: chat not found, bad
	// markup. Neither changes by waiting.
	permanent := errors.Is(err, tgbot.ErrorForbidden) || errors.Is(err, tgbot.ErrorBadRequest)
	return &sendError{op: op, err: err, permanent: permanent, relay: !permanent && apiFault(err)}
}

// apiFault reports whether err, a failed Bot API request's, is the
// service's or the network's (sendError.RelayFault): no answer, an answer
// that is not the API's JSON, or one of its answers that says so. A
// request cut off (the outbox's lease guard, its send timeout) is one too:
// it says nothing of the API being up, and the outbox tells a cut apart.
func apiFault(err error) bool {
	// go-telegram/bot (raw_request.go) wraps the HTTP client's error (a
	// *url.Error), that of reading the answer (cut off, timing out), and
	// the JSON decoder's for a body that is not JSON.
	if _, ok := errors.AsType[net.Error](err); ok {
		return true
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	if _, ok := errors.AsType[*json.SyntaxError](err); ok {
		return true
	}
	return answeredFault(err)
}

// apiCode is the error code an answer of the Bot API gave in err, as
// go-telegram/bot words a code it has no error of its own for; 0 when err
// gives none.
func apiCode(err error) int {
	_, rest, ok := strings.Cut(err.Error(), "error response from telegram for method ")
	if !ok {
		return 0
	}
	_, rest, ok = strings.Cut(rest, ", ")
	if !ok {
		return 0
	}
	code, _, _ := strings.Cut(rest, " ")
	n, err := strconv.Atoi(code)
	if err != nil {
		return 0
	}
	return n
}

// splitText cuts s into parts of at most limit UTF-16 code units, at a
// paragraph, line or word break when there is one in the second half of a
// part, so long answers stay readable.
func splitText(s string, limit int) []string {
	var parts []string
	for utf16Len(s) > limit {
		cut := cutPoint(s, limit)
		part := strings.TrimRight(s[:cut], " \n")
		if part == "" {
			part = s[:cut]
		}
		parts = append(parts, part)
		s = strings.TrimLeft(s[cut:], " \n")
	}
	if s != "" || len(parts) == 0 {
		parts = append(parts, s)
	}
	return parts
}

// cutPoint is the byte index where the first part of s ends.
func cutPoint(s string, limit int) int {
	units, hard := 0, 0
	for i, r := range s {
		n := utf16.RuneLen(r)
		if n < 0 {
			n = 1
		}
		if units+n > limit {
			hard = i
			break
		}
		units += n
	}
	hard = letterStart(s, hard)
	head := s[:hard]
	for _, sep := range []string{"\n\n", "\n", " "} {
		if i := strings.LastIndex(head, sep); i >= len(head)/2 {
			return i + len(sep)
		}
	}
	if hard == 0 {
		_, size := utf8.DecodeRuneInString(s)
		return size
	}
	return hard
}

// letterStart moves a cut at byte i of s back to the start of the letter
// it falls in, as the reader sees letters: a letter and its combining
// accents, an emoji and its skin tone or variation selector, an emoji
// sequence held by joiners, the two halves of a flag. Cut inside one, a
// part began with a stray accent, and the flags after it paired up into
// other countries'. A letter longer than the whole part is cut all the same.
func letterStart(s string, i int) int {
	for j := i; j > 0; {
		if !insideLetter(s, j) {
			return j
		}
		_, size := utf8.DecodeLastRuneInString(s[:j])
		j -= size
	}
	return i
}

// insideLetter reports whether byte i of s, a rune's start, is inside a
// letter as the reader sees it rather than between two.
func insideLetter(s string, i int) bool {
	next, _ := utf8.DecodeRuneInString(s[i:])
	prev, _ := utf8.DecodeLastRuneInString(s[:i])
	switch {
	case i == 0 || i == len(s):
		return false
	case unicode.Is(unicode.M, next), unicode.Is(unicode.Variation_Selector, next),
		next == zwj, prev == zwj, next >= 0x1f3fb && next <= 0x1f3ff, next >= 0xe0020 && next <= 0xe007f:
		return true
	case regionalIndicator(next) && regionalIndicator(prev):
		// Flags pair off from the start of a run: an odd count before i
		// leaves one half waiting for the next.
		n := 0
		for j := i; j > 0; {
			r, size := utf8.DecodeLastRuneInString(s[:j])
			if !regionalIndicator(r) {
				break
			}
			n++
			j -= size
		}
		return n%2 == 1
	}
	return false
}

// zwj is the zero-width joiner, which holds an emoji sequence together.
const zwj = '\u200d'

func regionalIndicator(r rune) bool { return r >= 0x1f1e6 && r <= 0x1f1ff }

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if k := utf16.RuneLen(r); k > 0 {
			n += k
		} else {
			n++
		}
	}
	return n
}

// SendChatFile sends one file to chat as a document (sendDocument, a
// multipart upload), its name kept as far as it is safe to show; it is
// outbox.ChatFileSender. A send's point of no return (noreturn.With in
// ctx) is asked once the request has been written, as for SendChat: the
// outbox records each file sent, so each request of a job has a point of
// its own.
func (b *Bot) SendChatFile(ctx context.Context, chatID int64, f inquiry.Attachment) error {
	if chatID == 0 {
		return &sendError{err: errors.New("no chat to send to"), permanent: true}
	}
	name := textsafe.FileName(f.Name)
	if name == "" {
		name = "dokument"
	}
	p := &tgbot.SendDocumentParams{
		ChatID:   chatID,
		Document: &models.InputFileUpload{Filename: name, Data: bytes.NewReader(f.Content)},
	}
	reqCtx, done := newSendNoReturn(ctx).request(ctx)
	_, err := b.api.SendDocument(reqCtx, p)
	if err = done(err); err != nil {
		return classifyFileError(fmt.Sprintf("send file %q to chat %d", name, chatID), err, true)
	}
	return nil
}

// SendChatFileID sends to chat a file Telegram keeps, by its file id (an
// officer's document or photo, which this bot received): sendPhoto for a
// photo, sendDocument for anything else, nothing downloaded or uploaded.
// It is outbox.ChatFileIDSender, with SendChatFile's point of no return.
func (b *Bot) SendChatFileID(ctx context.Context, chatID int64, f inquiry.ChatFile) error {
	if chatID == 0 {
		return &sendError{err: errors.New("no chat to send to"), permanent: true}
	}
	if f.FileID == "" {
		return &sendError{err: fmt.Errorf("file %q has no Telegram file id", f.Name), permanent: true}
	}
	file := &models.InputFileString{Data: f.FileID}
	reqCtx, done := newSendNoReturn(ctx).request(ctx)
	var err error
	if f.Kind == inquiry.ChatPhoto {
		_, err = b.api.SendPhoto(reqCtx, &tgbot.SendPhotoParams{ChatID: chatID, Photo: file})
	} else {
		_, err = b.api.SendDocument(reqCtx, &tgbot.SendDocumentParams{ChatID: chatID, Document: file})
	}
	if err = done(err); err != nil {
		return classifyFileError(fmt.Sprintf("send %s %q to chat %d", or(string(f.Kind), "document"), textsafe.FileName(f.Name), chatID), err, false)
	}
	return nil
}

// classifyFileError is classifySendError for a file's request, where
// Telegram's 413 (the file too large for a bot to send) is for good too;
// the library gives it no error of its own, only its text. An upload (the
// file's bytes in the request) that fails once under way, or meets an
// answer that is not the API's (a proxy's 413 page), may fail for its
// size: that is the job's failure, spending its attempts as before, not
// the API's, which would pause every Telegram send while that one job
// probed it for ever. Only a connection that could not be made is.
func classifyFileError(op string, err error, upload bool) error {
	if strings.Contains(err.Error(), ", 413 ") {
		return &sendError{op: op, err: err, permanent: true}
	}
	e := classifySendError(op, err)
	if se, ok := errors.AsType[*sendError](e); ok && upload && se.relay && !answeredFault(err) && !dialFault(err) {
		se.relay = false
	}
	return e
}

// answeredFault reports whether err is an answer of the Bot API itself
// that says it fails: a 5xx (go-telegram/bot gives its code as text only,
// apiCode), or the token refused. A 429 has an error of its own.
func answeredFault(err error) bool {
	return errors.Is(err, tgbot.ErrorUnauthorized) || errors.Is(err, tgbot.ErrorNotFound) || apiCode(err) >= 500
}

// dialFault reports whether err says no connection to the Bot API could
// be made: nothing of the request went.
func dialFault(err error) bool {
	if _, ok := errors.AsType[*net.DNSError](err); ok {
		return true
	}
	op, ok := errors.AsType[*net.OpError](err)
	return ok && op.Op == "dial"
}
