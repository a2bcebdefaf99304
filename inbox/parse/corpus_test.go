package parse

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"

	"sportel/inquiry"
)

// The corpus under testdata stands in for real mail: testdata/machine holds
// bounces, auto-replies, abuse reports, cloud services' notices and list
// managers' notices written after the formats the mail systems document
// (one directory per kind), testdata/human holds citizens' mail that looks
// a little like them. expect.tsv names, for every machine message, how the
// detector must recognise it.

const (
	machineCorpus = "testdata/machine"
	humanCorpus   = "testdata/human"
)

// corpusFiles lists the .eml files under dir, relative to dir.
func corpusFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(path, ".eml") {
			rel, err := filepath.Rel(dir, path)
			if err != nil {
				return err
			}
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatalf("list corpus %s: %v", dir, err)
	}
	return files
}

// readExpectations reads expect.tsv: file, tab, reason prefix.
func readExpectations(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(machineCorpus, "expect.tsv"))
	if err != nil {
		t.Fatalf("open expectations: %v", err)
	}
	defer f.Close()
	want := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		file, reason, ok := strings.Cut(line, "\t")
		if !ok || reason == "" {
			t.Fatalf("expect.tsv line %d: want file<TAB>reason, got %q", n, line)
		}
		if _, dup := want[file]; dup {
			t.Fatalf("expect.tsv line %d: %s listed twice", n, file)
		}
		want[file] = reason
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read expectations: %v", err)
	}
	return want
}

func readCorpusFile(t *testing.T, path string) []byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return raw
}

// TestMachineCorpus: every machine message is machine mail, for the
// reason expect.tsv names, and the header-only judgement never calls one
// a person's when Parse does not need the body to tell.
func TestMachineCorpus(t *testing.T) {
	want := readExpectations(t)
	files := corpusFiles(t, machineCorpus)
	if len(files) < 100 {
		t.Fatalf("machine corpus holds %d messages, want at least 100", len(files))
	}
	perKind := map[string]int{}
	detected := 0
	for _, file := range files {
		kind, _, _ := strings.Cut(file, "/")
		perKind[kind]++
		t.Run(file, func(t *testing.T) {
			reason, listed := want[file]
			if !listed {
				t.Fatalf("%s is not in expect.tsv", file)
			}
			m := Parse(readCorpusFile(t, filepath.Join(machineCorpus, file)), received, testOpts)
			if m.Automation != inquiry.Machine {
				t.Fatalf("Automation = %q (%s), want machine", m.Automation, m.AutomationReason)
			}
			detected++
			if !strings.HasPrefix(m.AutomationReason, reason) {
				t.Errorf("reason %q, want it to start with %q", m.AutomationReason, reason)
			}
			if m.SourceID == "" || len(m.Raw) == 0 {
				t.Errorf("source %q, %d raw bytes: the record would be lost", m.SourceID, len(m.Raw))
			}
		})
	}
	for file := range want {
		if !slices.Contains(files, file) {
			t.Errorf("expect.tsv lists %s, which is not in the corpus", file)
		}
	}
	t.Logf("machine corpus: %d messages, %d detected (%.1f %%), by kind %v",
		len(files), detected, 100*float64(detected)/float64(len(files)), perKind)
}

// TestHumanCorpus: no citizen's message is taken for machine mail, and
// each keeps the answer address it had.
func TestHumanCorpus(t *testing.T) {
	files := corpusFiles(t, humanCorpus)
	if len(files) < 30 {
		t.Fatalf("human corpus holds %d messages, want at least 30", len(files))
	}
	for _, file := range files {
		t.Run(file, func(t *testing.T) {
			raw := readCorpusFile(t, filepath.Join(humanCorpus, file))
			m := Parse(raw, received, testOpts)
			if m.Automation != inquiry.Human {
				t.Fatalf("Automation = %q (%s), want a person's mail", m.Automation, m.AutomationReason)
			}
			if m.ReplyAddress().Address == "" {
				t.Errorf("no answer address (From %q, Reply-To %v): the citizen would get no acknowledgement", m.From.Address, m.ReplyTo)
			}
			th, _ := (&parser{opts: testOpts.withDefaults()}).readTopHeader(raw)
			if got, reason := IsAutomated(mail.Header{Header: message.Header{Header: th}}, testOpts); got != inquiry.Human {
				t.Errorf("IsAutomated = %q (%s), want a person's mail", got, reason)
			}
		})
	}
}
