package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-message/mail"
	tgbot "github.com/go-telegram/bot"

	"sportel/inbox/parse"
	"sportel/inquiry"
	"sportel/internal/textsafe"
)

// The files a citizen sends are part of what they sent, and the ticket's
// record must keep them (the law on access to public documents): a
// Telegram file id is only a handle on Telegram's copy. So the bot
// downloads each file as the message comes and makes the message's raw a
// MIME message of its text and its files, kept as a mail's raw is: the
// entry records each file's name, type and size, the raw its bytes, once,
// and every reader of mail's files (the officers' notification mail, the
// web workspace, `sportel tickets attachment`) reads these the same way.
//
// A file that cannot be kept (too large, or the download fails) never
// costs the message: it is filed with the file recorded as not kept
// (Truncated, without bytes, with its file id) and the reason in the log.
// The download is tried once, within FileTimeout, since the update loop
// waits for it; an update the desk failed keeps what its downloads gave
// for its next try (updatefiles.go), and while the file server does not
// answer downloads are not tried at all (filebreaker.go).

const (
	// botAPIFileLimit is the largest file the Bot API lets a bot download.
	botAPIFileLimit = 20 << 20
	// defaultMaxRawBytes is mail.max_raw_bytes' default.
	defaultMaxRawBytes = 25 << 20
	defaultFileTimeout = 30 * time.Second
	// partOverhead is more than a file part's header and boundary take.
	partOverhead = 1024
	// textOverhead is more than the record's header, its text part's
	// header and the closing boundary take.
	textOverhead = 2048
)

func (b *Bot) maxFileBytes() int64 {
	if n := b.opts.MaxFileBytes; n > 0 && n < botAPIFileLimit {
		return n
	}
	return botAPIFileLimit
}

func (b *Bot) maxRawBytes() int64 {
	if n := b.opts.MaxRawBytes; n > 0 {
		return n
	}
	return defaultMaxRawBytes
}

func (b *Bot) fileTimeout() time.Duration {
	if d := b.opts.FileTimeout; d > 0 {
		return d
	}
	return defaultFileTimeout
}

// keepFiles downloads the files msg names by Telegram file id and makes
// msg.Raw the record of the message with those it could keep. Kept files
// come first in msg.Attachments, with their bytes and no file id, in the
// order of the raw's parts (readers pair them by index); files not kept
// follow, marked Truncated, with their file id and no bytes. It fails only
// when a shutdown cuts a download off: the file is fetched when the update
// comes again, not recorded as lost.
func (b *Bot) keepFiles(ctx context.Context, msg *inquiry.Message) error {
	if len(msg.Attachments) == 0 {
		return nil
	}
	held := updateFilesOf(ctx)
	var kept, lost []inquiry.Attachment
	notKept := func(a inquiry.Attachment, reason string) {
		b.log.Warn("telegram file not kept", "source", msg.SourceID, "file_id", a.FileID,
			"name", a.Name, "size", a.Size, "reason", reason)
		a.Content, a.Truncated = nil, true
		lost = append(lost, a)
	}
	// What the raw may still take; the text may grow threefold as
	// quoted-printable.
	room := b.maxRawBytes() - textOverhead - 3*int64(len(msg.Text))
	for _, a := range msg.Attachments {
		if a.FileID == "" {
			notKept(a, "no Telegram file id")
			continue
		}
		r := b.fetchFile(ctx, held, a, room)
		if r.cut {
			return fmt.Errorf("keep the files of %s: cut off by the shutdown: %s", msg.SourceID, r.reason)
		}
		if r.reason != "" {
			notKept(a, r.reason)
			continue
		}
		a.Content, a.Size = r.content, int64(len(r.content))
		room -= encodedSize(a.Size)
		kept = append(kept, a)
	}
	if len(kept) > 0 {
		raw, recorded, err := recordMessage(msg, kept)
		if err == nil && int64(len(raw)) > b.maxRawBytes() {
			err = fmt.Errorf("the record is %d bytes, over mail.max_raw_bytes (%d)", len(raw), b.maxRawBytes())
		}
		if err != nil {
			b.log.Error("telegram message's files could not be recorded", "source", msg.SourceID, "err", err)
			for _, a := range kept {
				notKept(a, "could not be recorded: "+err.Error())
			}
			kept = nil
		} else {
			msg.Raw, kept = raw, recorded
			b.log.Info("telegram files kept", "source", msg.SourceID, "files", len(kept), "raw_bytes", len(raw))
		}
	}
	msg.Attachments = append(kept, lost...)
	return nil
}

// fetchResult is what fetching one file gave: its bytes, or why not.
type fetchResult struct {
	content []byte
	reason  string
	// cut: a shutdown ended the download; the update must come again.
	cut bool
}

// fetchFile gives a's file, of at most MaxFileBytes and of no more than
// fits in room bytes of raw: from held when this update fetched it on an
// earlier try, else downloaded unless the breaker says the file server is
// not answering.
func (b *Bot) fetchFile(ctx context.Context, held *updateFiles, a inquiry.Attachment, room int64) fetchResult {
	fileLimit := b.maxFileBytes()
	tooLarge := func(size int64) string {
		if size > fileLimit {
			return fmt.Sprintf("%d bytes, over the %d a file may have (mail.max_attachment_bytes, at most the Bot API's 20 MB)", size, fileLimit)
		}
		return fmt.Sprintf("%d bytes, more than the message's record can still take (mail.max_raw_bytes)", size)
	}
	limit := min(fileLimit, decodedCapacity(room))
	if a.Size > limit {
		// Telegram says the size before the download: not fetched at all.
		return fetchResult{reason: tooLarge(a.Size)}
	}
	if r, ok := held.get(a.FileID); ok {
		if int64(len(r.content)) > limit {
			return fetchResult{reason: tooLarge(int64(len(r.content)))}
		}
		b.log.Debug("telegram file fetched on an earlier try of this update", "file_id", a.FileID, "bytes", len(r.content))
		return r
	}
	allowed, probe := b.breaker.allow()
	if !allowed {
		// Not held: a retry after the pause may fetch it.
		return fetchResult{reason: reasonBreakerOpen}
	}
	content, reason, fault := b.download(ctx, held.shutdown(), a, limit, tooLarge)
	cut := reason != "" && (ctx.Err() != nil || held.shutdown().Err() != nil)
	switch {
	case cut:
		b.breaker.abandon(probe)
		return fetchResult{reason: reason, cut: true}
	case fault:
		b.breaker.failed(probe, reason)
	default:
		b.breaker.answered(probe)
	}
	r := fetchResult{content: content, reason: reason}
	held.put(a.FileID, r)
	return r
}

// download fetches a's file by getFile and its download link within
// FileTimeout, and ends it when stop does; reason says why it did not, and
// fault whether that speaks of the file server (a timeout, a connection
// error, a 5xx) rather than of this one file.
func (b *Bot) download(ctx, stop context.Context, a inquiry.Attachment, limit int64, tooLarge func(int64) string) (content []byte, reason string, fault bool) {
	fctx, cancel := context.WithTimeout(ctx, b.fileTimeout())
	defer cancel()
	// The handling context outlives a shutdown by a grace meant for the
	// desk's commit; nothing is committed before the files are in, so a
	// download does not hold the stop: the update comes again.
	defer context.AfterFunc(stop, cancel)()
	f, err := b.api.GetFile(fctx, &tgbot.GetFileParams{FileID: a.FileID})
	if err != nil {
		return nil, "getFile: " + b.describe(fctx, err), !answeredAbout(err)
	}
	if f.FileSize > limit {
		return nil, tooLarge(f.FileSize), false
	}
	if f.FilePath == "" {
		return nil, "getFile gave no file path", false
	}
	// The link holds the token: it is never logged, and errors naming it
	// are scrubbed (describe).
	req, err := http.NewRequestWithContext(fctx, http.MethodGet, b.api.FileDownloadLink(f), nil)
	if err != nil {
		return nil, "download: " + b.describe(fctx, err), false
	}
	resp, err := b.files.Do(req)
	if err != nil {
		return nil, "download: " + b.describe(fctx, err), true
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		// A 4xx is about this file (gone, too big); a 5xx about the server.
		return nil, fmt.Sprintf("download: HTTP %d", resp.StatusCode), resp.StatusCode >= 500
	}
	if resp.ContentLength > limit {
		return nil, tooLarge(resp.ContentLength), false
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, "download: " + b.describe(fctx, err), true
	}
	if int64(len(body)) > limit {
		return nil, tooLarge(int64(len(body))), false
	}
	if f.FileSize > 0 && int64(len(body)) != f.FileSize {
		return nil, fmt.Sprintf("download: %d bytes came, getFile said %d", len(body), f.FileSize), false
	}
	return body, "", false
}

// answeredAbout reports whether err is the Bot API's answer about the
// request (a 4xx such as an unknown file id or a file too big): the server
// answered. Anything else (a timeout, a connection error, a 5xx, an answer
// that is not the API's JSON) says it is not answering.
func answeredAbout(err error) bool {
	var tooMany *tgbot.TooManyRequestsError
	var migrate *tgbot.MigrateError
	return errors.Is(err, tgbot.ErrorBadRequest) || errors.Is(err, tgbot.ErrorForbidden) ||
		errors.Is(err, tgbot.ErrorUnauthorized) || errors.Is(err, tgbot.ErrorNotFound) ||
		errors.Is(err, tgbot.ErrorConflict) || errors.As(err, &tooMany) || errors.As(err, &migrate)
}

// describe is err for the log: a timeout said as one, and never the bot
// token (the download link and the API's URLs hold it).
func (b *Bot) describe(fctx context.Context, err error) string {
	if errors.Is(fctx.Err(), context.DeadlineExceeded) {
		return "timed out after " + b.fileTimeout().String()
	}
	s := b.scrub(err).Error()
	if b.opts.Token != "" {
		s = strings.ReplaceAll(s, b.opts.Token, "***")
	}
	// Clipped after the token is out: a cut could leave part of it.
	return clipText(s)
}

// encodedSize is more than a file of n bytes takes in the raw: base64 in
// lines of 76 characters, and its part's header.
func encodedSize(n int64) int64 {
	chars := (n + 2) / 3 * 4
	return chars + 2*(chars/76+1) + partOverhead
}

// decodedCapacity is the largest file whose encodedSize fits in room.
func decodedCapacity(room int64) int64 {
	room -= partOverhead + 2
	if room <= 0 {
		return 0
	}
	// 57 bytes make a line of 76 characters and its line break.
	return room / 78 * 57
}

// recordMessage writes msg's text and the files kept as one MIME message,
// as a mail keeps a citizen's text and files, and reads its files back as
// every reader will: they are returned as recorded (the reader's name,
// type and size, with the bytes), and must come back byte for byte.
func recordMessage(msg *inquiry.Message, files []inquiry.Attachment) ([]byte, []inquiry.Attachment, error) {
	// go-message writes header fields last-added first.
	fields := [][2]string{
		{"Date", msg.ReceivedAt.Format(time.RFC1123Z)},
		{"Subject", mime.QEncoding.Encode("utf-8", textsafe.Line("Telegram: "+msg.From.Name))},
		{"X-Sportel-Source", msg.SourceID},
		{"X-Telegram-Chat-Id", strconv.FormatInt(msg.ChatID, 10)},
		{"X-Telegram-Message-Id", strconv.Itoa(msg.ChatMsgID)},
		{"X-Telegram-User-Id", strconv.FormatInt(msg.UserID, 10)},
		{"Mime-Version", "1.0"},
	}
	var h mail.Header
	for i := len(fields) - 1; i >= 0; i-- {
		h.Add(fields[i][0], fields[i][1])
	}
	var buf bytes.Buffer
	mw, err := mail.CreateWriter(&buf, h) // multipart/mixed
	if err != nil {
		return nil, nil, fmt.Errorf("record %s: %w", msg.SourceID, err)
	}
	if msg.Text != "" {
		var ih mail.InlineHeader
		ih.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
		tw, err := mw.CreateSingleInline(ih)
		if err != nil {
			return nil, nil, fmt.Errorf("record %s: text: %w", msg.SourceID, err)
		}
		if err := writeAndClose(tw, []byte(msg.Text)); err != nil {
			return nil, nil, fmt.Errorf("record %s: text: %w", msg.SourceID, err)
		}
	}
	for i, a := range files {
		var ah mail.AttachmentHeader
		mediaType, params, err := mime.ParseMediaType(a.ContentType)
		if err != nil || strings.HasPrefix(mediaType, "multipart/") || strings.HasPrefix(mediaType, "message/") {
			// A part of those types would be read as parts or as a quoted
			// mail, not as this file.
			mediaType, params = "application/octet-stream", nil
		}
		if cs := strings.ToLower(params["charset"]); cs != "" && cs != "utf-8" && cs != "us-ascii" {
			params = nil // go-message refuses to label other charsets
		}
		ah.SetContentType(mediaType, params)
		ah.Set("Content-Transfer-Encoding", "base64")
		name := textsafe.FileName(a.Name)
		if name == "" {
			name = fmt.Sprintf("file-%d", i+1)
		}
		ah.SetFilename(name)
		// Which Telegram file it was, for the record.
		ah.Set("X-Telegram-File-Id", a.FileID)
		aw, err := mw.CreateAttachment(ah)
		if err != nil {
			return nil, nil, fmt.Errorf("record %s: file %d: %w", msg.SourceID, i+1, err)
		}
		if err := writeAndClose(aw, a.Content); err != nil {
			return nil, nil, fmt.Errorf("record %s: file %d: %w", msg.SourceID, i+1, err)
		}
	}
	if err := mw.Close(); err != nil {
		return nil, nil, fmt.Errorf("record %s: %w", msg.SourceID, err)
	}
	raw := buf.Bytes()
	// As the readers read a stored raw: nothing was cut, nothing may be.
	limit := int64(len(raw)) + 1
	read := parse.Attachments(raw, parse.Options{MaxAttachmentBytes: limit, MaxRawBytes: limit})
	if len(read) != len(files) {
		return nil, nil, fmt.Errorf("record %s: %d files read back, %d written", msg.SourceID, len(read), len(files))
	}
	for i := range read {
		if read[i].Truncated || !bytes.Equal(read[i].Content, files[i].Content) {
			return nil, nil, fmt.Errorf("record %s: file %d does not read back as written", msg.SourceID, i+1)
		}
	}
	return raw, read, nil
}

func writeAndClose(w io.WriteCloser, b []byte) error {
	if _, err := w.Write(b); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}
