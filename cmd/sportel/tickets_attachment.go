package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"sportel/inbox/parse"
	"sportel/inquiry"
	"sportel/internal/textsafe"
	"sportel/store"
)

// attachmentFileMode: an attachment is a citizen's document, often with
// personal data; only the operator who saved it may read it.
const attachmentFileMode = 0o600

// ticketAttachment lists a ticket's attachments (pos is NUMBER), numbered
// from 1 across its record in order, or writes the one pos[1] names to out.
func ticketAttachment(ctx context.Context, st store.Reader, pos []string, out string, force bool, e *env, loc *time.Location) error {
	number := strings.ToUpper(pos[0])
	t, ok, err := st.TicketByNumber(ctx, number)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("no ticket %s", number)
	}
	entries, err := st.Entries(ctx, t.ID)
	if err != nil {
		return err
	}
	type item struct {
		at    inquiry.Attachment
		entry inquiry.Entry
	}
	var items []item
	for _, en := range entries {
		// Mail's files are read back from its raw mail, kept once.
		for _, at := range parse.EntryAttachments(en) {
			items = append(items, item{at, en})
		}
	}
	if len(pos) == 1 {
		if len(items) == 0 {
			_, err := fmt.Fprintf(e.stdout, "%s has no attachments\n", t.Number)
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "INDEX\tRECEIVED\tFROM\tNAME\tTYPE\tSIZE")
		for i, it := range items {
			size := strconv.FormatInt(it.at.Size, 10)
			switch {
			case len(it.at.Content) == 0:
				size += " (not kept)"
			case it.at.Truncated:
				size += fmt.Sprintf(" (%d kept)", len(it.at.Content))
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", i+1, it.entry.CreatedAt.In(loc).Format("2006-01-02 15:04"),
				clip(it.entry.Author, 30), clip(textsafe.FileName(it.at.Name), 50), textsafe.Line(it.at.ContentType), size)
		}
		return tw.Flush()
	}
	n, err := strconv.Atoi(pos[1])
	if err != nil || n < 1 || n > len(items) {
		return usageError{fmt.Sprintf("INDEX %q: %s has %d attachments, numbered from 1 (run without INDEX to list them)", pos[1], t.Number, len(items))}
	}
	at := items[n-1].at
	if len(at.Content) == 0 {
		why := ""
		if at.FileID != "" {
			// The bot downloads a citizen's files as they come; one it
			// could not (or one from before it did) has only its id.
			why = fmt.Sprintf(": the bot did not get it from Telegram when the message came (too large, the download failed, "+
				"or it came before Sportel kept Telegram files; the daemon's log says why under \"telegram file not kept\"); "+
				"Telegram file id %s", textsafe.Line(at.FileID))
		}
		return fmt.Errorf("attachment %d of %s (%s) was not kept in the store%s", n, t.Number, textsafe.FileName(at.Name), why)
	}
	if err := writeAttachment(out, force, at.Content, e.stdout); err != nil {
		return err
	}
	if at.Truncated {
		fmt.Fprintf(e.stderr, "sportel tickets attachment: only the first %d of %d bytes were kept\n", len(at.Content), at.Size)
	}
	if out != "-" {
		fmt.Fprintf(e.stderr, "wrote %s (%d bytes) to %s\n", textsafe.FileName(at.Name), len(at.Content), out)
	}
	return nil
}

// writeAttachment writes content to the file out ("-": stdout), created
// 0600. An existing file is kept unless force; overwritten, it is made 0600.
func writeAttachment(out string, force bool, content []byte, stdout io.Writer) error {
	if out == "-" {
		_, err := stdout.Write(content)
		return err
	}
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(out, flags, attachmentFileMode)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s exists: give another file, or --force to overwrite it", out)
	}
	if err != nil {
		return fmt.Errorf("write attachment: %w", err)
	}
	// A file that was there keeps its mode through O_TRUNC. Only a file:
	// --force on /dev/null, as root, must not make it root's alone.
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("write attachment: %w", err)
	}
	regular := fi.Mode().IsRegular()
	if regular {
		if err := f.Chmod(attachmentFileMode); err != nil {
			f.Close()
			return fmt.Errorf("write attachment: %w", err)
		}
	}
	// A file cut short (a full disk) would pass for the citizen's file:
	// it goes, and the error says so.
	_, err = f.Write(content)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		if regular {
			_ = os.Remove(out)
		}
		return fmt.Errorf("write attachment %s: %w", out, err)
	}
	return nil
}
