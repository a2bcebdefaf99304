package main

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sportel/app"
	"sportel/config"
	"sportel/inbox/parse"
	"sportel/inquiry"
	"sportel/internal/pgtest"
	"sportel/internal/testutil"
)

// cluster is this package's private PostgreSQL, started by the first test
// that needs it and stopped by TestMain.
var cluster = pgtest.New()

func TestMain(m *testing.M) { os.Exit(cluster.Main(m)) }

// Each subcommand's --help has its own usage line and lists its own flags
// only.
func TestTicketsSubcommandHelp(t *testing.T) {
	cases := []struct {
		sub     string
		usage   string
		want    []string
		notWant []string
	}{
		{"list", "Usage: sportel tickets list [flags]\n", []string{"-text", "-state", "-officer", "-all", "-db", "-dsn", "-json"}, []string{"-outcome", "-force", "-off"}},
		{"show", "Usage: sportel tickets show [flags] NUMBER\n", []string{"-json", "-db", "-dsn", "-config"}, []string{"-state", "-officer", "-text", "-all", "-outcome"}},
		{"attachment", "Usage: sportel tickets attachment [flags] NUMBER [INDEX]\n", []string{"-o ", "-force", "-db"}, []string{"-json", "-state"}},
		{"note", "Usage: sportel tickets note [flags] NUMBER TEXT...\n", []string{"-config"}, []string{"-db", "-json", "-state"}},
		{"close", "Usage: sportel tickets close [flags] NUMBER OUTCOME [GROUND]\n", []string{"-outcome", "-ground", "-in-answer", "-note", "partly_granted"}, []string{"-db", "-state", "-off"}},
		{"urgent", "Usage: sportel tickets urgent [flags] NUMBER\n", []string{"-off"}, []string{"-ground", "-json"}},
		{"retry-failed", "Usage: sportel tickets retry-failed [flags] JOB_ID... | --all\n", []string{"-all"}, []string{"-json", "-state"}},
	}
	for _, c := range cases {
		t.Run(c.sub, func(t *testing.T) {
			code, out, errOut := runCmd(t, "", nil, "tickets", c.sub, "--help")
			help := out + errOut
			if code != 0 || !strings.Contains(help, c.usage) {
				t.Fatalf("exit %d, help %q; want exit 0 and %q", code, help, c.usage)
			}
			for _, w := range c.want {
				if !strings.Contains(help, w) {
					t.Errorf("help lacks %q:\n%s", w, help)
				}
			}
			for _, w := range c.notWant {
				if strings.Contains(help, "  "+w+"\n") || strings.Contains(help, "  "+w+" ") {
					t.Errorf("help lists another subcommand's %q:\n%s", w, help)
				}
			}
		})
	}
	if code, _, errOut := runCmd(t, "", nil, "tickets", "bogus"); code != 2 || !strings.Contains(errOut, `unknown subcommand "bogus"`) {
		t.Errorf("unknown subcommand: exit %d, %q", code, errOut)
	}
}

// fileForCLI files two tickets through the desk: one with two attachments,
// both with words to search for.
func fileForCLI(t *testing.T, cfg *config.Config) {
	t.Helper()
	ctx := context.Background()
	a, err := app.Open(ctx, cfg, testutil.DiscardLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	msgs := []*inquiry.Message{
		{Channel: inquiry.ChannelEmail, SourceID: "mail:c1@x|arben@example.net|h", MessageID: "c1@x",
			From: inquiry.Address{Address: "arben@example.net"}, Subject: "Kërkesë për dokument",
			Text: "Kërkoj kopjen e kontratës për renovimin e stadiumit. Pres përgjigjen tuaj.", ReceivedAt: at,
			Attachments: []inquiry.Attachment{
				{Name: "autorizim.pdf", ContentType: "application/pdf", Size: 9, Content: []byte("%PDF-1.4\n")},
				{Name: "../../etc/letër.txt", ContentType: "text/plain", Size: 6, Content: []byte("letër\n")},
			}},
		{Channel: inquiry.ChannelEmail, SourceID: "mail:c2@x|vjosa@drita.example|h", MessageID: "c2@x",
			From: inquiry.Address{Address: "vjosa@drita.example"}, Subject: "Intervistë me ministrin",
			Text: "Jam gazetare e portalit Drita. Kërkojmë një intervistë për buxhetin e sportit.", ReceivedAt: at.Add(time.Hour)},
	}
	for _, m := range msgs {
		if _, err := a.Desk().Handle(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
}

func TestTicketsTextNoteAttachment(t *testing.T) {
	path, vars, cfg := openTicketsConfig(t)
	fileForCLI(t, cfg)
	t.Setenv("SUDO_USER", "ana")
	db := cfg.Store.DSN
	dir := t.TempDir()
	saved := filepath.Join(dir, "autorizim.pdf")
	existing := filepath.Join(dir, "there.txt")
	if err := os.WriteFile(existing, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	const first, second = "DKP-2026-000001", "DKP-2026-000002"
	steps := []struct {
		name    string
		args    []string
		code    int
		want    []string
		notWant []string
	}{
		{"text folded", []string{"tickets", "list", "--db", db, "--text", "kerkoj kontrates"}, 0, []string{first}, []string{second}},
		{"text by prefix", []string{"tickets", "list", "--db", db, "--text", "INTERVIS"}, 0, []string{second}, []string{first}},
		{"text, no match", []string{"tickets", "list", "--db", db, "--text", "teatri"}, 0, []string{"NUMBER"}, []string{first, second}},
		{"text with the configuration", []string{"tickets", "list", "--config", path, "--text", "pergjigjen"}, 0, []string{first}, []string{second}},
		{"text in JSON", []string{"tickets", "list", "--db", db, "--json", "--text", "buxhetin"}, 0, []string{`"number": "` + second}, []string{first}},
		{"unknown officer without configuration", []string{"tickets", "list", "--db", db, "--officer", "nobody"}, 2, []string{`unknown officer "nobody"`}, nil},
		{"known officer without configuration", []string{"tickets", "list", "--db", db, "--officer", "jusuf"}, 0, []string{first}, nil},
		{"note", []string{"tickets", "note", strings.ToLower(first), "Thirra", "qytetarin", "--config", path}, 0, []string{first + ": note added by cli:ana"}, nil},
		{"note is on the record", []string{"tickets", "show", first, "--db", db}, 0, []string{"note  cli:ana\nThirra qytetarin"}, nil},
		{"note is searched", []string{"tickets", "list", "--db", db, "--text", "thirra"}, 0, []string{first}, []string{second}},
		{"note wants text", []string{"tickets", "note", first, "--config", path}, 2, []string{"want NUMBER TEXT"}, nil},
		{"note on a missing ticket", []string{"tickets", "note", "DKP-2026-000099", "x", "--config", path}, 1, []string{"no ticket DKP-2026-000099"}, nil},
		{"attachments listed", []string{"tickets", "attachment", first, "--db", db}, 0, []string{"INDEX", "1 ", "autorizim.pdf", "application/pdf", "2 ", "letër.txt"}, []string{"../"}},
		{"no attachments", []string{"tickets", "attachment", second, "--db", db}, 0, []string{second + " has no attachments"}, nil},
		{"attachment saved", []string{"tickets", "attachment", first, "1", "-o", saved, "--db", db}, 0, []string{"wrote autorizim.pdf (9 bytes) to " + saved}, nil},
		{"no overwrite", []string{"tickets", "attachment", first, "1", "-o", saved, "--db", db}, 1, []string{saved + " exists", "--force"}, nil},
		{"overwrite with --force", []string{"tickets", "attachment", first, "2", "-o", existing, "--force", "--db", db}, 0, []string{"to " + existing}, nil},
		{"to standard output", []string{"tickets", "attachment", first, "2", "-o", "-", "--config", path}, 0, []string{"letër\n"}, nil},
		{"index out of range", []string{"tickets", "attachment", first, "3", "-o", filepath.Join(dir, "x"), "--db", db}, 2, []string{"has 2 attachments"}, nil},
		{"index without -o", []string{"tickets", "attachment", first, "1", "--db", db}, 2, []string{"-o FILE"}, nil},
		{"-o without index", []string{"tickets", "attachment", first, "-o", filepath.Join(dir, "y"), "--db", db}, 2, []string{"need an INDEX"}, nil},
		{"--db and --dsn", []string{"tickets", "list", "--db", db, "--dsn", "host=x"}, 2, []string{"not both"}, nil},
		{"report by --db", []string{"report", "inbox", "--from", "2026-12-01", "--to", "2026-12-31", "--db", db}, 0, []string{"2"}, nil},
		{"report without secrets", []string{"report", "access-documents", "--year", "2026", "--config", path}, 0, []string{"2026"}, nil},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			env := vars
			if !strings.Contains(strings.Join(s.args, " "), "note") {
				env = map[string]string{} // reading needs no secrets
			}
			code, out, errOut := runCmd(t, "", env, s.args...)
			all := out + errOut
			ok := code == s.code
			for _, w := range s.want {
				ok = ok && strings.Contains(all, w)
			}
			for _, w := range s.notWant {
				ok = ok && !strings.Contains(out, w)
			}
			if !ok {
				t.Errorf("%v: exit %d, output %q %q; want exit %d with %q, without %q", s.args, code, out, errOut, s.code, s.want, s.notWant)
			}
		})
	}
	for _, f := range []struct {
		path, content string
	}{{saved, "%PDF-1.4\n"}, {existing, "letër\n"}} {
		b, err := os.ReadFile(f.path)
		fi, statErr := os.Stat(f.path)
		if err != nil || statErr != nil || string(b) != f.content || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %q, %v, mode %v; want %q, 0600", f.path, b, err, fi.Mode().Perm(), f.content)
		}
	}
}

// Reading commands never create, upgrade or write a database.
func TestReadingCommandsLeaveTheStoreAlone(t *testing.T) {
	_, _, cfg := openTicketsConfig(t)
	fileForCLI(t, cfg)
	db := cfg.Store.DSN
	raw, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`DELETE FROM schema_version WHERE version = (SELECT MAX(version) FROM schema_version)`); err != nil {
		t.Fatal(err)
	}
	version := func() int {
		var v int
		if err := raw.QueryRow(`SELECT MAX(version) FROM schema_version`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	older := version()
	missing := filepath.Join(t.TempDir(), "nowhere.db")
	for _, args := range [][]string{
		{"tickets", "list", "--db", db},
		{"tickets", "show", "DKP-2026-000001", "--db", db},
		{"tickets", "attachment", "DKP-2026-000001", "--db", db},
		{"report", "inbox", "--from", "2026-12-01", "--db", db},
	} {
		code, _, errOut := runCmd(t, "", nil, args...)
		if code != 1 || !strings.Contains(errOut, "is older than this program's") {
			t.Errorf("%v on an older schema: exit %d, %q; want exit 1 saying so", args, code, errOut)
		}
		missingArgs := append(append([]string{}, args[:len(args)-1]...), missing)
		code, _, errOut = runCmd(t, "", nil, missingArgs...)
		if code != 1 || !strings.Contains(errOut, "no database at "+missing) {
			t.Errorf("%v: exit %d, %q; want exit 1 naming the missing file", missingArgs, code, errOut)
		}
	}
	if v := version(); v != older {
		t.Errorf("schema version %d after the reading commands, want %d (untouched)", v, older)
	}
	raw.Close()
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("a reading command created %s (%v)", missing, err)
	}
}

// On PostgreSQL the reading commands take --dsn, or the configuration's
// store; the writing ones the configuration.
func TestTicketsPostgres(t *testing.T) {
	dsn := cluster.Database(t)
	path, vars, cfg := openTicketsConfig(t)
	sqlitePath := cfg.Store.DSN
	cfg.Store.Driver, cfg.Store.DSN = "postgres", dsn
	fileForCLI(t, cfg)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	old := "driver: sqlite\n  dsn: " + sqlitePath + "\n"
	if !strings.Contains(string(data), old) {
		t.Fatalf("no SQLite store section in %s", data)
	}
	data = []byte(strings.Replace(string(data), old, "driver: postgres\n  dsn: \""+dsn+"\"\n", 1))
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "a.pdf")
	steps := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"tickets", "list", "--dsn", dsn, "--text", "kerkoj"}, 0, "DKP-2026-000001"},
		{[]string{"tickets", "list", "--config", path, "--text", "intervis"}, 0, "DKP-2026-000002"},
		{[]string{"tickets", "note", "DKP-2026-000002", "Foli", "me", "redaksinë", "--config", path}, 0, "note added"},
		{[]string{"tickets", "show", "DKP-2026-000002", "--dsn", dsn}, 0, "Foli me redaksinë"},
		{[]string{"tickets", "attachment", "DKP-2026-000001", "1", "-o", out, "--dsn", dsn}, 0, "wrote autorizim.pdf"},
		{[]string{"report", "inbox", "--from", "2026-12-01", "--to", "2026-12-31", "--dsn", dsn}, 0, "2"},
		{[]string{"tickets", "list", "--state", "bogus", "--dsn", dsn}, 2, `unknown state "bogus"`},
	}
	for _, s := range steps {
		code, o, e := runCmd(t, "", vars, s.args...)
		if code != s.code || !strings.Contains(o+e, s.want) {
			t.Errorf("%v: exit %d, %q %q; want exit %d with %q", s.args, code, o, e, s.code, s.want)
		}
	}
}

// classify needs a secret only for the LLM classifier, which sends the text
// away; the built-in one answers without any.
func TestClassifySecrets(t *testing.T) {
	text := "Kërkoj kopjen e kontratës për renovimin e stadiumit."
	path := ticketsConfig(t)
	if code, out, errOut := runCmd(t, text, map[string]string{}, "classify", "--config", path, "-"); code != 0 || !strings.Contains(out, "document_request") {
		t.Errorf("built-in classifier without the secrets: exit %d, %q %q", code, out, errOut)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("classifier:\n  kind: openai\n  openai:\n    base_url: http://127.0.0.1:1/v1\n    model: m\n    api_key: ${SPORTEL_TEST_LLM_KEY}\n")
	f.Close()
	if code, _, errOut := runCmd(t, text, map[string]string{}, "classify", "--config", path, "-"); code == 0 || !strings.Contains(errOut, "classifier.openai.api_key: not available") {
		t.Errorf("LLM classifier without its key: exit %d, %q; want an error naming the key", code, errOut)
	}
}

// A mail's record keeps its files' names and sizes, their bytes stay in
// the raw mail (kept once): the command lists them as kept and saves them
// from there.
func TestAttachmentOfMailIsReadFromItsRawMail(t *testing.T) {
	_, _, cfg := openTicketsConfig(t)
	ctx := context.Background()
	a, err := app.Open(ctx, cfg, testutil.DiscardLogger())
	if err != nil {
		t.Fatal(err)
	}
	raw := "From: Arben Krasniqi <arben@example.net>\r\n" +
		"To: komunikimi@mkrs.example\r\n" +
		"Subject: =?utf-8?q?K=C3=ABrkes=C3=AB_p=C3=ABr_dokument?=\r\n" +
		"Message-ID: <real-1@example.net>\r\n" +
		"Date: Tue, 01 Dec 2026 10:00:00 +0100\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nKërkoj kopjen e kontratës për renovimin e stadiumit.\r\n" +
		"--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=autorizim.pdf\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n" +
		"--b--\r\n"
	m := parse.Parse([]byte(raw), time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), parse.Options{})
	if len(m.Attachments) != 1 || len(m.Raw) == 0 {
		t.Fatalf("parsed %d attachments, raw %d bytes", len(m.Attachments), len(m.Raw))
	}
	if d, err := a.Desk().Handle(ctx, m); err != nil || d != inquiry.Filed {
		t.Fatalf("handle: %s, %v", d, err)
	}
	a.Close()

	code, out, errOut := runCmd(t, "", nil, "tickets", "attachment", "DKP-2026-000001", "--db", cfg.Store.DSN)
	if code != 0 || !strings.Contains(out, "autorizim.pdf") || strings.Contains(out, "not kept") {
		t.Errorf("list: exit %d\n%s%s", code, out, errOut)
	}
	saved := filepath.Join(t.TempDir(), "autorizim.pdf")
	code, out, errOut = runCmd(t, "", nil, "tickets", "attachment", "DKP-2026-000001", "1", "-o", saved, "--db", cfg.Store.DSN)
	got, _ := os.ReadFile(saved)
	if code != 0 || string(got) != "%PDF-1.4\n" {
		t.Errorf("saving the citizen's PDF: exit %d, file %q; want exit 0 and the PDF's bytes\n%s%s", code, got, out, errOut)
	}
}
