package inbox

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/emersion/go-imap/v2"
)

// Mailbox names in the configuration use "/" for "one level down", whatever
// the server uses. Servers differ: go-imap's and Dovecot's usual set-up use
// "/", Dovecot with Maildir++ and Courier use "." and keep every mailbox
// under the personal namespace "INBOX.", and refuse names with "/" in them.
// So the watcher asks the server and builds the names it uses from that.

// Hierarchy is how a server names mailboxes.
type Hierarchy struct {
	// Delim separates levels (LIST "" ""); 0 when the server has none.
	Delim rune
	// Prefix is the personal namespace's prefix (NAMESPACE), e.g.
	// "INBOX."; usually empty.
	Prefix string
}

// ServerName is the server's name for a configured mailbox name. INBOX is
// INBOX on every server; any other name goes under the personal
// namespace, unless it names it already ("INBOX/Sportel" with prefix
// "INBOX.").
func (h Hierarchy) ServerName(configured string) (string, error) {
	levels := strings.Split(configured, "/")
	for _, l := range levels {
		if l == "" {
			return "", fmt.Errorf("mailbox %q: empty level (write levels as Parent/Child)", configured)
		}
		if strings.ContainsAny(l, "*%") {
			return "", fmt.Errorf("mailbox %q: * and %% are IMAP wildcards", configured)
		}
		if h.Delim != 0 && h.Delim != '/' && strings.ContainsRune(l, h.Delim) {
			return "", fmt.Errorf("mailbox %q: %q is this server's level separator, so it cannot be part of a name; write levels with /",
				configured, string(h.Delim))
		}
	}
	// INBOX is case-insensitive (RFC 3501 5.1), also as a parent.
	if strings.EqualFold(levels[0], "INBOX") {
		levels[0] = "INBOX"
	}
	if len(levels) == 1 && levels[0] == "INBOX" {
		return "INBOX", nil
	}
	if h.Delim == 0 && len(levels) > 1 {
		return "", fmt.Errorf("mailbox %q: the server keeps no levels of mailboxes; use a name without /", configured)
	}
	name := strings.Join(levels, string(h.Delim))
	if h.Prefix == "" || hasPrefixFold(name, h.Prefix) {
		return name, nil
	}
	return h.Prefix + name, nil
}

// hasPrefixFold is strings.HasPrefix with INBOX, where a namespace's
// prefix starts with it, compared case-insensitively.
func hasPrefixFold(name, prefix string) bool {
	if len(prefix) >= 5 && strings.EqualFold(prefix[:5], "INBOX") && len(name) >= 5 {
		return strings.EqualFold(name[:5], prefix[:5]) && strings.HasPrefix(name[5:], prefix[5:])
	}
	return strings.HasPrefix(name, prefix)
}

// mailboxes are the server's names for the configured mailboxes.
type mailboxes struct {
	hierarchy                      Hierarchy
	watched, processed, quarantine string
}

// MailboxError is a configured mailbox the server will not let Sportel use:
// it refused to create or select it, or its name cannot be made on this
// server. Retrying cannot help until someone changes the configuration or
// the server, so before the watcher has once opened the mailbox, Run ends
// with it instead of retrying.
type MailboxError struct {
	Role       string // watched, processed or quarantine
	Configured string // the name as configured, levels separated by "/"
	Name       string // the server's name for it; "" when none could be made
	Op         string // name, create or select
	Err        error
}

func (e *MailboxError) Error() string {
	if e.Op == "name" {
		// Hierarchy.ServerName's errors name the mailbox already.
		return fmt.Sprintf("%s %v", e.Role, e.Err)
	}
	where := fmt.Sprintf("%s mailbox %q", e.Role, e.Configured)
	if e.Name != "" && e.Name != e.Configured {
		where += fmt.Sprintf(" (on the server %q)", e.Name)
	}
	return fmt.Sprintf("%s: the server refused to %s it: %v", where, e.Op, e.Err)
}

func (e *MailboxError) Unwrap() error { return e.Err }

// permanent reports whether err is the server's lasting refusal, as
// opposed to a broken connection or a refusal that says to try later.
func permanent(err error) bool {
	var imapErr *imap.Error
	if !errors.As(err, &imapErr) {
		return false
	}
	switch imapErr.Code {
	case imap.ResponseCodeUnavailable, imap.ResponseCodeInUse, imap.ResponseCodeServerBug,
		imap.ResponseCodeLimit:
		return false
	}
	return true
}

// hierarchy asks the server for its level separator (LIST "" "") and, when
// it can tell, its personal namespace's prefix (NAMESPACE).
func (w *Watcher) hierarchy(ctx context.Context, s *session) (Hierarchy, error) {
	var h Hierarchy
	if err := s.await(ctx, `list "" ""`, func() error {
		list, err := s.c.List("", "", nil).Collect()
		if err != nil {
			return err
		}
		if len(list) > 0 {
			h.Delim = list[0].Delim
		}
		return nil
	}); err != nil {
		return Hierarchy{}, err
	}
	if !s.c.Caps().Has(imap.CapNamespace) {
		return h, nil
	}
	if err := s.await(ctx, "namespace", func() error {
		ns, err := s.c.Namespace().Wait()
		if err != nil {
			return err
		}
		if len(ns.Personal) > 0 {
			h.Prefix = ns.Personal[0].Prefix
		}
		return nil
	}); err != nil {
		return Hierarchy{}, err
	}
	return h, nil
}

// resolve learns the server's hierarchy and names the configured mailboxes
// on it. When only a name cannot be made, the hierarchy is returned with
// the *MailboxError.
func (w *Watcher) resolve(ctx context.Context, s *session) (mailboxes, error) {
	h, err := w.hierarchy(ctx, s)
	if err != nil {
		return mailboxes{}, err
	}
	mb := mailboxes{hierarchy: h}
	for _, b := range []struct {
		role, configured string
		name             *string
	}{
		{"watched", w.opts.Mailbox, &mb.watched},
		{"processed", w.opts.ProcessedMailbox, &mb.processed},
		{"quarantine", w.opts.QuarantineMailbox, &mb.quarantine},
	} {
		*b.name, err = h.ServerName(b.configured)
		if err != nil {
			return mailboxes{hierarchy: h}, &MailboxError{Role: b.role, Configured: b.configured, Op: "name", Err: err}
		}
	}
	return mb, nil
}
