package inbox

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"sportel/inquiry"
)

// Memory is bounded by looking before fetching: the sizes of the new mail
// come first (RFC822.SIZE, a few bytes each), then the bodies in batches
// bounded by bytes as well as by count. Mail over MaxRawBytes is never read
// whole: its header and the start of its text are enough to file it, and the
// whole mail stays on the server in the quarantine mailbox.
const (
	// previewHeaderBytes and previewTextBytes are what is read of mail too
	// large to fetch whole: a header is a few KB, the first text part
	// usually comes within the first few KB of the body.
	previewHeaderBytes = 256 << 10
	previewTextBytes   = 64 << 10
)

// listed is a message the listing found, with its size on the server.
type listed struct {
	uid  imap.UID
	size int64
	// deleted: the message is flagged \Deleted (by another client, or by
	// a move of ours cut off before its expunge). It is taken in all the
	// same: a clerk's delete flag is no answer to the citizen.
	deleted bool
}

// fetched is a message read from the server (whole, or, when tooLarge, its
// header and the start of its text) and parsed. m is nil when the server
// sent no body.
type fetched struct {
	uid      imap.UID
	m        *inquiry.Message
	tooLarge bool
	deleted  bool // flagged \Deleted when its size was looked up
	// refused is the server's answer when it would not give the message
	// whole (what was read is its header and first text part, or nothing).
	refused string
}

// fetchedBatch is one batch of messages read from the server.
type fetchedBatch struct {
	msgs []fetched
	err  error
}

func (w *Watcher) tooLarge(f listed) bool { return f.size > w.opts.MaxRawBytes }

// parsedFactor is what a message takes in memory once fetched and parsed,
// per byte read: the raw mail, which the message keeps, and beside it what
// parsing decodes from it: attachments (at most their encoded size) and the
// text (capped; of about the size of its encoded part).
const parsedFactor = 2

// cost is what a message takes in memory once fetched and parsed.
func (w *Watcher) cost(f listed) int64 {
	if w.tooLarge(f) {
		return parsedFactor * (previewHeaderBytes + previewTextBytes)
	}
	return parsedFactor * f.size
}

func (w *Watcher) batchCost(b []listed) int64 {
	var n int64
	for _, f := range b {
		n += w.cost(f)
	}
	return n
}

// plan splits msgs into batches of at most BatchSize messages and
// BatchBytes bytes; a message larger than the budget makes a batch alone.
func (w *Watcher) plan(msgs []listed) [][]listed {
	var batches [][]listed
	var cur []listed
	var bytes int64
	for _, f := range msgs {
		c := w.cost(f)
		if len(cur) > 0 && (len(cur) == w.opts.BatchSize || bytes+c > w.opts.BatchBytes) {
			batches = append(batches, cur)
			cur, bytes = nil, 0
		}
		cur = append(cur, f)
		bytes += c
	}
	if len(cur) > 0 {
		batches = append(batches, cur)
	}
	return batches
}

// list returns the mail above the checkpoint, ascending by UID, with each
// message's size and flags: one UID FETCH of "n:*", streamed, in place of a
// search and a size lookup of what it found (on the in-memory server the two
// took 16-19 ms for 1,000 mails, the FETCH alone 4-5 ms, at every start of a
// backlog). Mail flagged \Deleted is among it: another client's delete flag
// (a clerk's "mark as deleted", set while Sportel was down) is no lawful
// answer to a request, and mail the listing left out was passed by the
// checkpoint and forgotten. What Sportel flagged itself, in a move cut off
// before its expunge, the desk knows again (Duplicate), and settle expunges
// it without a second copy; settle must know which mail is flagged.
func (w *Watcher) list(ctx context.Context, s *session) ([]listed, error) {
	var since imap.UIDSet
	since.AddRange(s.lastUID+1, 0) // 0 is "*"
	var out []listed
	err := s.awaitProgress(ctx, fmt.Sprintf("list uid %d:*", s.lastUID+1), func(progress func()) error {
		cmd := s.c.Fetch(since, &imap.FetchOptions{UID: true, RFC822Size: true, Flags: true})
		for {
			msg := cmd.Next()
			if msg == nil {
				break
			}
			m, err := msg.Collect()
			if err != nil {
				cmd.Close()
				return err
			}
			// "n:*" always matches the highest UID, even when it is below n.
			if m.UID > s.lastUID {
				out = append(out, listed{uid: m.UID, size: m.RFC822Size, deleted: flagged(m.Flags, imap.FlagDeleted)})
			}
			progress()
		}
		return cmd.Close()
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b listed) int { return cmp.Compare(a.uid, b.uid) })
	// A server that answers a message twice (it may, with an unsolicited
	// FETCH for a flag change) lists it once.
	out = slices.CompactFunc(out, func(a, b listed) bool { return a.uid == b.uid })
	return out, nil
}

// flagged reports whether flags hold flag; flags are case-insensitive.
func flagged(flags []imap.Flag, flag imap.Flag) bool {
	return slices.ContainsFunc(flags, func(f imap.Flag) bool { return strings.EqualFold(string(f), string(flag)) })
}

// wholeMessage is BODY.PEEK[]: fetching must not set \Seen. Matching a
// fetched section compares fields, so a fresh value works as the key.
func wholeMessage() *imap.FetchItemBodySection { return &imap.FetchItemBodySection{Peek: true} }

// previewHeader and previewText are BODY.PEEK[HEADER]<0.n> and
// BODY.PEEK[TEXT]<0.n>: the parts of a too-large message that are read.
func previewHeader() *imap.FetchItemBodySection {
	return &imap.FetchItemBodySection{Peek: true, Specifier: imap.PartSpecifierHeader,
		Partial: &imap.SectionPartial{Offset: 0, Size: previewHeaderBytes}}
}

func previewText() *imap.FetchItemBodySection {
	return &imap.FetchItemBodySection{Peek: true, Specifier: imap.PartSpecifierText,
		Partial: &imap.SectionPartial{Offset: 0, Size: previewTextBytes}}
}

// fetchBatch reads the given messages, in UID order: whole when they fit
// MaxRawBytes, otherwise only their header and the start of their text,
// and parses them. Each is parsed as it arrives, on a goroutine of its own:
// the server's answer is read at the pace it comes, so the connection is
// free again (for the moves of the batch before) as soon as it is read,
// and a batch fetched ahead is ready to hand over when its turn comes.
func (w *Watcher) fetchBatch(ctx context.Context, s *session, batch []listed) ([]fetched, error) {
	var whole, large []imap.UID
	sizes := make(map[imap.UID]int64, len(batch))
	deleted := make(map[imap.UID]bool)
	for _, f := range batch {
		sizes[f.uid] = f.size
		if f.deleted {
			deleted[f.uid] = true
		}
		if w.tooLarge(f) {
			large = append(large, f.uid)
		} else {
			whole = append(whole, f.uid)
		}
	}
	type job struct {
		f    *fetched
		raw  []byte
		date time.Time
	}
	jobs := make(chan job, len(batch))
	parsed := make(chan struct{})
	go func() {
		defer close(parsed)
		for j := range jobs {
			refused := j.f.refused
			*j.f = w.parse(s, j.f.uid, j.raw, j.date, sizes[j.f.uid], j.f.tooLarge && refused == "")
			if refused != "" && j.f.m != nil {
				// Read in part: kept whole on the server, in quarantine.
				j.f.refused, j.f.tooLarge = refused, true
				w.markPartial(s, j.f.m, "the mail server would not give the whole message ("+refused+")")
				w.log.Warn("the mail server would not give a message whole: read in part, kept on the server",
					"uid", uint32(j.f.uid), "answer", refused, "kept_in", j.f.m.KeptIn)
			}
		}
	}()
	var got []*fetched
	taken := make(map[imap.UID]bool, len(batch))
	take := func(uid imap.UID, raw []byte, date time.Time, tooLarge bool, refused string) {
		f := &fetched{uid: uid, tooLarge: tooLarge, refused: refused}
		got = append(got, f)
		taken[uid] = true
		jobs <- job{f, raw, date}
	}
	// A message given without what was asked of it is not taken: it is
	// read again alone (readRefused), as one not given at all.
	takeWhole := func(m *imapclient.FetchMessageBuffer) error {
		if raw := m.FindBodySection(wholeMessage()); raw != nil {
			take(m.UID, raw, m.InternalDate, false, "")
		}
		return nil
	}
	takePreview := func(refused string) func(m *imapclient.FetchMessageBuffer) error {
		return func(m *imapclient.FetchMessageBuffer) error {
			if header := m.FindBodySection(previewHeader()); header != nil {
				take(m.UID, joinPreview(header, m.FindBodySection(previewText())), m.InternalDate, true, refused)
			}
			return nil
		}
	}
	preview := []*imap.FetchItemBodySection{previewHeader(), previewText()}
	// readRefused reads, one by one, the messages a FETCH the server
	// answered NO did not give (Microsoft 365 "could not be converted to
	// an RFC-822 compatible format", Dovecot a damaged mail file): whole if
	// it gives them now, else their header and first text part, else
	// nothing but a record that it would not. Each is then taken in and
	// kept in the quarantine mailbox, and the mail around it goes on; left
	// unread, it was fetched again and again and stopped the mailbox.
	readRefused := func(uids []imap.UID) error {
		for _, uid := range uids {
			if taken[uid] {
				continue
			}
			// Mail over MaxRawBytes is never read whole, not even alone.
			sections, takeIt := []*imap.FetchItemBodySection{wholeMessage()}, takeWhole
			if sizes[uid] > w.opts.MaxRawBytes {
				sections, takeIt = preview, takePreview("")
			}
			err := w.fetch(ctx, s, []imap.UID{uid}, sections, takeIt)
			answer, isRefusal := refusal(err)
			if err == nil && taken[uid] {
				continue
			}
			if err != nil && !isRefusal {
				return err
			}
			// Refused, or OK and nothing of it (or not its body):
			// expunged (or moved) by another client since the listing,
			// which is no mail of ours to lose (a server may refuse a
			// fetch naming it: NO [EXPUNGEISSUED]), or a server that
			// will not or cannot give it.
			there, err := w.stillThere(ctx, s, uid)
			if err != nil {
				return err
			}
			if !there {
				w.log.Warn("a message listed in the mailbox was gone before it could be read: another client expunged or moved it",
					"uid", uint32(uid), "answer", answer)
				continue
			}
			if !isRefusal {
				answer = "the server answered OK and gave nothing of it"
			}
			err = w.fetch(ctx, s, []imap.UID{uid}, preview, takePreview(answer))
			if _, again := refusal(err); err != nil && !again {
				return err
			}
			if !taken[uid] {
				take(uid, unreadableMail(uid, answer), time.Now(), true, answer)
			}
		}
		return nil
	}
	// A message the FETCH answered OK without giving is read alone too:
	// else the checkpoint passed it, and it stayed in the mailbox unread,
	// for good.
	fetchAll := func() error {
		if len(whole) > 0 {
			err := w.fetch(ctx, s, whole, []*imap.FetchItemBodySection{wholeMessage()}, takeWhole)
			if _, isRefusal := refusal(err); isRefusal || err == nil {
				err = readRefused(whole)
			}
			if err != nil {
				return err
			}
		}
		if len(large) > 0 {
			err := w.fetch(ctx, s, large, preview, takePreview(""))
			if _, isRefusal := refusal(err); isRefusal || err == nil {
				err = readRefused(large)
			}
			if err != nil {
				return err
			}
			w.count(func(st *Stats) { st.TooLarge += uint64(len(large)) })
		}
		return nil
	}
	err := fetchAll()
	close(jobs)
	<-parsed
	if err != nil {
		return nil, err
	}
	out := make([]fetched, len(got))
	for i, f := range got {
		out[i] = *f
		out[i].deleted = deleted[f.uid]
	}
	slices.SortFunc(out, func(a, b fetched) int { return cmp.Compare(a.uid, b.uid) })
	w.count(func(st *Stats) { st.Fetched += uint64(len(out)) })
	return out, nil
}

// stillThere reports whether the watched mailbox still holds uid.
func (w *Watcher) stillThere(ctx context.Context, s *session, uid imap.UID) (bool, error) {
	var there bool
	err := s.await(ctx, fmt.Sprintf("look up uid %d", uid), func() error {
		msgs, err := s.c.Fetch(imap.UIDSetNum(uid), &imap.FetchOptions{UID: true}).Collect()
		there = slices.ContainsFunc(msgs, func(m *imapclient.FetchMessageBuffer) bool { return m.UID == uid })
		return err
	})
	return there, err
}

// parse makes a fetched message of what was read of it. A missing body (raw
// nil) leaves m nil, which stops takeIn at this message.
func (w *Watcher) parse(s *session, uid imap.UID, raw []byte, date time.Time, size int64, tooLarge bool) fetched {
	f := fetched{uid: uid, tooLarge: tooLarge}
	if raw == nil {
		return f
	}
	f.m = w.message(s, uid, raw, date)
	f.m.Size = size
	if tooLarge {
		w.markTooLarge(s, f.m, size)
	}
	return f
}

// fetch runs one UID FETCH of sections and hands each message to take.
func (w *Watcher) fetch(ctx context.Context, s *session, uids []imap.UID, sections []*imap.FetchItemBodySection,
	take func(*imapclient.FetchMessageBuffer) error) error {
	set := imap.UIDSetNum(uids...)
	return s.awaitProgress(ctx, "fetch uids "+set.String(), func(progress func()) error {
		cmd := s.c.Fetch(set, &imap.FetchOptions{UID: true, InternalDate: true, BodySection: sections})
		for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
			buf, err := w.collect(msg, progress)
			if err != nil {
				// Not drained (see collect): the connection is broken,
				// and closing it ends the command.
				s.c.Close()
				return fmt.Errorf("read message: %w", err)
			}
			if err := take(buf); err != nil {
				cmd.Close() // a fetch must be drained or closed, or the connection stalls
				return fmt.Errorf("read message: %w", err)
			}
			progress()
		}
		return cmd.Close()
	})
}

// collect reads one fetched message as msg.Collect does, except that each
// body section is read into one buffer of the size the server announced
// for it rather than into one grown (and copied) while it is read. A size
// beyond anything the watcher asks for is not trusted: that section is
// read as it comes. progress is called as the bytes come: a large mail on
// a slow link may take longer than CommandTimeout, and is cut off only
// when the link falls silent (else it was cut off at every try, and
// intake stopped at it for good).
func (w *Watcher) collect(msg *imapclient.FetchMessageData, progress func()) (*imapclient.FetchMessageBuffer, error) {
	buf := &imapclient.FetchMessageBuffer{SeqNum: msg.SeqNum}
	limit := max(w.opts.MaxRawBytes, previewHeaderBytes+previewTextBytes)
	for item := msg.Next(); item != nil; item = msg.Next() {
		switch item := item.(type) {
		case imapclient.FetchItemDataUID:
			buf.UID = item.UID
		case imapclient.FetchItemDataInternalDate:
			buf.InternalDate = item.Time
		case imapclient.FetchItemDataBodySection:
			var lit imap.LiteralReader
			if item.Literal != nil {
				lit = progressReader{item.Literal, progress}
			}
			b, err := readLiteral(lit, limit)
			if err != nil {
				// The connection broke under the literal. go-imap lets
				// its reader go on as soon as a read of the literal
				// fails, yet reads the literal again when the message or
				// the command is drained: that read raced with the
				// reader on the connection's buffer (the race detector
				// found it; a torn buffer can panic). So nothing drains
				// it: the caller closes the connection instead.
				return nil, err
			}
			buf.BodySection = append(buf.BodySection, imapclient.FetchBodySectionBuffer{Section: item.Section, Bytes: b})
		}
	}
	return buf, nil
}

// progressReader calls progress after each read that got bytes.
type progressReader struct {
	imap.LiteralReader
	progress func()
}

func (r progressReader) Read(p []byte) (int, error) {
	n, err := r.LiteralReader.Read(p)
	if n > 0 {
		r.progress()
	}
	return n, err
}

// readLiteral reads lit whole (nil when there is none): into one buffer of
// its announced size when that is at most limit, else as it comes.
func readLiteral(lit imap.LiteralReader, limit int64) ([]byte, error) {
	if lit == nil {
		return nil, nil
	}
	n := lit.Size()
	if n < 0 || n > limit {
		return io.ReadAll(lit)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(lit, b); err != nil {
		return nil, err
	}
	return b, nil
}

// joinPreview makes a message of a header and the start of its text. A
// header cut short by the preview gets the blank line that ends it, so the
// text is not read as header lines.
func joinPreview(header, text []byte) []byte {
	raw := make([]byte, 0, len(header)+len(text)+4)
	raw = append(raw, header...)
	if !bytes.HasSuffix(header, []byte("\r\n\r\n")) && !bytes.HasSuffix(header, []byte("\n\n")) {
		if !bytes.HasSuffix(raw, []byte("\n")) {
			raw = append(raw, "\r\n"...)
		}
		raw = append(raw, "\r\n"...)
	}
	return append(raw, text...)
}

// refusal reports whether err is the server's NO or BAD to a command, and
// its text: the connection is fine, the server will not do it.
func refusal(err error) (string, bool) {
	var imapErr *imap.Error
	if errors.As(err, &imapErr) {
		text := imapErr.Text
		if text == "" {
			text = string(imapErr.Type)
		}
		return text, true
	}
	return "", false
}

// unreadableMail stands for a message the server gives nothing of: a
// header that says so, so that it is recorded, set aside and its officer
// can look for it on the server by its UID.
func unreadableMail(uid imap.UID, answer string) []byte {
	return []byte(fmt.Sprintf("Subject: (a message the mail server would not give: UID %d)\r\nX-Sportel-Server-Answer: %s\r\n\r\n",
		uint32(uid), strings.Map(func(r rune) rune {
			if r < ' ' || r == 0x7f {
				return ' '
			}
			return r
		}, answer)))
}
