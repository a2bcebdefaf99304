package app

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"sportel/config"
	"sportel/inquiry"
	"sportel/internal/testutil"
	"sportel/store/sqlite"
)

// historyMail is a mail from sender written long before Sportel came.
func historyMail(sender, subject string) []byte {
	return inboundMail{
		from:      sender,
		subject:   subject,
		messageID: strings.ReplaceAll(sender, "@", ".") + "@mail.example.org",
		body:      "Përshëndetje, kërkoj informacion për buxhetin e vitit 2019.",
	}.raw()
}

// acknowledged lists the recipients of every acknowledgement sent.
func (s *stack) acknowledged() []string {
	var to []string
	for _, m := range s.wireMails() {
		if m.kind() == "ack" {
			to = append(to, m.envelopeTo...)
		}
	}
	slices.Sort(to)
	return to
}

// Through `sportel run`'s wiring, on a mailbox with history: with
// imap.first_start new nobody who wrote before the first start is
// acknowledged and their mail stays in INBOX; mail arriving afterwards is
// filed and acknowledged as usual. With all, everyone is.
func TestE2EFirstStart(t *testing.T) {
	old := []string{"old1@example.org", "old2@example.org", "old3@example.org"}
	fresh := []string{"new1@example.org", "new2@example.org"}
	tests := []struct {
		setting   string
		wantAcked []string
		wantLeft  int // in INBOX at the end
	}{
		{config.FirstStartNew, fresh, len(old)},
		{config.FirstStartAll, append(slices.Clone(old), fresh...), 0},
	}
	for _, tt := range tests {
		t.Run(tt.setting, func(t *testing.T) {
			s := newMemStack(t)
			s.cfg.IMAP.FirstStart = tt.setting
			for i, from := range old {
				s.append(historyMail(from, fmt.Sprintf("Kërkesë e vjetër %d", i+1)))
			}
			a, stop := s.serve()
			defer stop()
			// The new mail comes once the daemon has read the mailbox and
			// saved where it stands (a watcher built alike names the key).
			w, err := a.newWatcher()
			if err != nil {
				t.Fatal(err)
			}
			testutil.Eventually(t, "a checkpoint for INBOX", 10*time.Second, func() (bool, error) {
				v, _, err := a.store.LoadCheckpoint(context.Background(), w.CheckpointKey())
				return v != 0, err
			})
			for i, from := range fresh {
				s.append(historyMail(from, fmt.Sprintf("Kërkesë e re %d", i+1)))
			}
			want := len(tt.wantAcked)
			testutil.Eventually(t, fmt.Sprintf("%d mails filed and acknowledged", want), 20*time.Second, func() (bool, error) {
				pending, err := a.store.ListJobs(context.Background(), inquiry.JobPending, 1)
				// At least: more is judged below. Mail is taken in in UID
				// order, so the old would come before the new.
				return s.countOrZero(processedBox) >= want && len(pending) == 0 && len(s.acknowledged()) >= want, err
			})
			slices.Sort(tt.wantAcked)
			if got := s.acknowledged(); !slices.Equal(got, tt.wantAcked) {
				t.Errorf("acknowledged %v, want %v", got, tt.wantAcked)
			}
			if n, err := a.store.CountTickets(context.Background()); err != nil || n != want {
				t.Errorf("%d tickets (err %v), want %d", n, err, want)
			}
			if n := s.count("INBOX"); n != tt.wantLeft {
				t.Errorf("INBOX holds %d, want %d", n, tt.wantLeft)
			}
			said := strings.Contains(s.logs.String(), "3 messages already in INBOX are left as they are (imap.first_start: new)")
			if said != (tt.setting == config.FirstStartNew) {
				t.Errorf("log says the history is left: %v, with first_start %s", said, tt.setting)
			}
		})
	}
}

// check-config --connect says what the next start does with the mail in
// the watched mailbox, reading the store without changing it.
func TestCheckFirstStart(t *testing.T) {
	tests := []struct {
		name    string
		setting string
		// store prepares the configured store file: nil leaves none.
		store func(t *testing.T, path, key string, uidValidity uint32)
		want  string
	}{
		{"never started, all", config.FirstStartAll, nil,
			"3 messages are in INBOX, which Sportel has not read yet: with imap.first_start: all each becomes a ticket and is acknowledged at the first start"},
		{"never started, new", config.FirstStartNew, nil,
			"3 messages are in INBOX, which Sportel has not read yet: with imap.first_start: new they are left as they are and only mail arriving afterwards is taken in at the first start"},
		{"store without a checkpoint", config.FirstStartNew, func(t *testing.T, path, _ string, _ uint32) {
			st := openSQLite(t, path)
			st.Close()
		}, "which Sportel has not read yet: with imap.first_start: new they are left"},
		{"checkpoint", config.FirstStartAll, func(t *testing.T, path, key string, v uint32) {
			st := openSQLite(t, path)
			defer st.Close()
			if err := st.SaveCheckpoint(context.Background(), key, v, 2); err != nil {
				t.Fatal(err)
			}
		}, "3 messages are in INBOX; Sportel has read it up to UID 2 and goes on from there (imap.first_start changes nothing now)"},
		{"mailbox made anew", config.FirstStartNew, func(t *testing.T, path, key string, v uint32) {
			st := openSQLite(t, path)
			defer st.Close()
			if err := st.SaveCheckpoint(context.Background(), key, v+7, 90); err != nil {
				t.Fatal(err)
			}
		}, "3 messages are in INBOX, made anew since Sportel last read it (UIDVALIDITY "},
		{"mailbox restored from a backup", config.FirstStartNew, func(t *testing.T, path, key string, v uint32) {
			st := openSQLite(t, path)
			defer st.Close()
			if err := st.SaveCheckpoint(context.Background(), key, v, 90); err != nil {
				t.Fatal(err)
			}
		}, "3 messages are in INBOX, which gives out UIDs again that Sportel has passed (it read up to UID 90, the next is 4: restored from a backup?): the next start reads all of them again"},
		{"unreadable store", config.FirstStartAll, func(t *testing.T, path, _ string, _ uint32) {
			if err := os.WriteFile(path, []byte("not a database"), 0o600); err != nil {
				t.Fatal(err)
			}
		}, "the store could not be read ("},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newMemStack(t)
			s.cfg.IMAP.FirstStart = tt.setting
			for i := range 3 {
				s.append(historyMail(fmt.Sprintf("w%d@example.org", i), "waiting"))
			}
			rep, err := CheckIMAP(context.Background(), s.cfg, s.logs.Logger(slog.LevelInfo))
			if err != nil {
				t.Fatalf("CheckIMAP: %v", err)
			}
			if tt.store != nil {
				tt.store(t, s.cfg.Store.DSN, rep.CheckpointKey, rep.UIDValidity)
			}
			before := storeFile(t, s.cfg.Store.DSN)
			first := CheckFirstStart(context.Background(), s.cfg, rep)
			if first == nil {
				t.Fatal("no first-start report")
			}
			if got := first.String(); !strings.Contains(got, tt.want) {
				t.Errorf("report\n %s\nwant it to contain\n %s", got, tt.want)
			}
			if after := storeFile(t, s.cfg.Store.DSN); after != before {
				t.Errorf("store file %s after the check, %s before: it was written", after, before)
			}
		})
	}
}

func openSQLite(t *testing.T, path string) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	return st
}

// storeFile is the store's database file as it stands: its size and a
// hash of its bytes ("none" when there is none). SQLite's read-only open
// of a WAL database may make the -wal and -shm files beside it, as
// `sportel tickets` does; the database itself must not change.
func storeFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "none"
	}
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%d bytes, sha256 %x", len(data), sha256.Sum256(data))
}
