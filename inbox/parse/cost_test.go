package parse

import (
	"bytes"
	"fmt"
	"math"
	"runtime"
	"strings"
	"testing"

	"sportel/inquiry"
)

// hostileHTML are HTML mails of about size bytes whose markup, not their
// text, is the bulk: each element is a node of a parse tree.
func hostileHTML(size int) map[string]string {
	rep := func(s string) string { return strings.Repeat(s, size/len(s)) }
	return map[string]string{
		"paragraphs":   rep("<p>a"),
		"line breaks":  rep("<br>"),
		"nested divs":  rep("<div>"),
		"nested lists": rep("<ul><li>"),
		"links":        rep(`<a href="x">y</a>`),
		"cells":        rep("<td>z"),
		"entities":     rep("&amp;&#x41;&nbsp;"),
		"one line":     rep("a"),
	}
}

func htmlMail(body string) []byte {
	return []byte("From: a@example.org\r\nSubject: html\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + body)
}

// allocated is the bytes f allocates.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// An HTML mail made of hundreds of thousands of elements costs memory (and
// so time) in proportion to its size, not the tens of times its size a
// parse tree of every element costs: 25 MiB of "<p>a" held gigabytes
// and took seconds.
func TestHTMLCostIsBounded(t *testing.T) {
	const size = 2 << 20
	for name, body := range hostileHTML(size) {
		t.Run(name, func(t *testing.T) {
			raw := htmlMail(body)
			var text string
			n := allocated(func() { text = Parse(raw, received, testOpts).Text })
			// Reading plain text costs about a dozen times its size
			// (decoding, rendering, tidying); a tree of its elements cost
			// up to seventy.
			if n > 24*uint64(len(raw)) {
				t.Errorf("parsing %d bytes allocated %d bytes (%.0f times)", len(raw), n, float64(n)/float64(len(raw)))
			}
			t.Logf("%.1f times, text %d bytes", float64(n)/float64(len(raw)), len(text))
		})
	}
}

// HTML with too many tags for a tree is still read whole: its words, line
// breaks, list items and links' targets, without scripts and styles.
func TestHeavyHTMLKeepsTheWords(t *testing.T) {
	const unit = `<style>p{}</style><p>Përshëndetje <b>zotëri</b></p><ul><li>një</li><li>dy</li></ul>` +
		`<a href="https://example.org/v">vendimi</a><script>bad()</script><br><img alt="logo"><table><tr><td>a</td><td>b</td></tr></table>`
	var b strings.Builder
	for i := 0; b.Len() < 40*maxTreeTags; i++ {
		fmt.Fprintf(&b, "<div>%d</div>%s", i, unit)
	}
	m := Parse(htmlMail(b.String()), received, testOpts)
	wantProblem(t, m, "read without its structure")
	for _, want := range []string{"0\n\nPërshëndetje zotëri\n\n- një\n- dy\n\nvendimi (https://example.org/v)\n[logo]\n\na b\n\n1\n"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("text lacks %q:\n%.400s", want, m.Text)
		}
	}
	for _, bad := range []string{"bad()", "p{}"} {
		if strings.Contains(m.Text, bad) {
			t.Errorf("text holds %q", bad)
		}
	}
}

// BenchmarkHostileHTML is the cost of HTML mails of 4 MiB made of
// elements, entities or one long line.
func BenchmarkHostileHTML(b *testing.B) {
	for name, body := range hostileHTML(4 << 20) {
		raw := htmlMail(body)
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			b.ReportAllocs()
			for b.Loop() {
				Parse(raw, received, testOpts)
			}
		})
	}
}

// A header of hundreds of thousands of fields, the message's or a part's,
// is read only up to maxHeaderBytes: each field cost about a microsecond
// and some hundred bytes, so 16 MiB of them took seconds. What comes after
// it is still read.
func TestLongHeadersAreCut(t *testing.T) {
	fields := strings.Repeat("X-A: b\r\n", (2<<20)/8)
	cases := []struct {
		name, raw, problem string
	}{
		{"message header", "From: a@example.org\r\nSubject: s\r\n" + fields + "\r\nthe text\r\n", "header of"},
		{"part header", "From: a@example.org\r\nSubject: s\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n" + fields +
			"\r\nthe text\r\n--b\r\nContent-Type: text/plain\r\n\r\nsecond part\r\n--b--\r\n", "part header(s)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			raw := []byte(tc.raw)
			var m *inquiry.Message
			n := allocated(func() { m = Parse(raw, received, testOpts) })
			// The header kept, of maxHeaderBytes, costs some 16 MB
			// itself; the whole 2 MiB cost 65 times its size.
			if n > 12*uint64(len(raw)) {
				t.Errorf("parsing %d bytes allocated %d bytes (%.0f times)", len(raw), n, float64(n)/float64(len(raw)))
			}
			wantProblem(t, m, tc.problem)
			if m.From.Address != "a@example.org" || m.Subject != "s" || !strings.Contains(m.Text, "the text") {
				t.Errorf("From %q, Subject %q, Text %q", m.From.Address, m.Subject, m.Text)
			}
			if strings.Contains(tc.name, "part") && !strings.Contains(m.Text, "second part") {
				t.Errorf("the part after the long header is lost: %q", m.Text)
			}
		})
	}
}

// Only a delimiter line starts a part's header: a line of a part's text
// that begins like one, followed by a long text, is kept whole.
func TestCutPartHeadersOnlyAfterDelimiters(t *testing.T) {
	long := strings.Repeat("fjalë\r\n", maxHeaderBytes/4)
	body := "--b\r\nContent-Type: text/plain\r\n\r\n--bis\r\n" + long + "x--b\r\n" + long + "\r\n--b--\r\n"
	if got, n := cutPartHeaders([]byte(body), "b"); n != 0 || string(got) != body {
		t.Errorf("cut %d headers of a body with none too long", n)
	}
	body = "--b \r\n" + long + "\r\ntext\r\n--b--\r\n"
	got, n := cutPartHeaders([]byte(body), "b")
	if n != 1 || len(got) > maxHeaderBytes+40 || !strings.HasSuffix(string(got), "\r\n\r\ntext\r\n--b--\r\n") {
		t.Errorf("cut %d headers; %d bytes left ending %q", n, len(got), got[max(len(got)-30, 0):])
	}
}

// BenchmarkLongHeaders is the cost of 4 MiB of header fields, in the
// message's header or a part's.
func BenchmarkLongHeaders(b *testing.B) {
	fields := strings.Repeat("X-A: b\r\n", (4<<20)/8)
	for name, raw := range map[string]string{
		"message": "From: a@example.org\r\n" + fields + "\r\ntext\r\n",
		"part":    "From: a@example.org\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n" + fields + "\r\ntext\r\n--b--\r\n",
	} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			b.ReportAllocs()
			for b.Loop() {
				Parse([]byte(raw), received, testOpts)
			}
		})
	}
}

// A base64 file is decoded straight from the buffer its part is read
// into: parsing costs about its decoded size, where a copy of its encoded
// form came first and cost as much again and more.
func TestEncodedFileIsNotCopiedBeforeDecoding(t *testing.T) {
	file := make([]byte, 300_000)
	for i := range file {
		file[i] = byte(i * 7)
	}
	raw := []byte("From: a@example.org\r\nSubject: s\r\nMessage-ID: <f@x>\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain\r\n\r\nKërkesa.\r\n" +
		"--b\r\nContent-Type: application/pdf; name=k.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		b64(file) + "\r\n--b--\r\n")
	var m *inquiry.Message
	// The least of some runs, each right after a parse that left its
	// scratch buffer in the pool, as a daemon's steady parsing does: one
	// that finds none there (another processor's, dropped at random under
	// the race detector, or by two collections) grows its own. No
	// collection is forced in between (allocated does): when one is under
	// way, forcing another drops the pool, and on a loaded machine with
	// -race every run then missed it.
	least := uint64(math.MaxUint64)
	for range 10 {
		Parse(raw, received, testOpts)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		m = Parse(raw, received, testOpts)
		runtime.ReadMemStats(&after)
		least = min(least, after.TotalAlloc-before.TotalAlloc)
	}
	if len(m.Attachments) != 1 || !bytes.Equal(m.Attachments[0].Content, file) {
		t.Fatalf("attachments %s", describeAtts(m.Attachments))
	}
	if least > uint64(len(file))*3/2 {
		t.Errorf("parsing a file of %d bytes (%d in the mail) allocated %d bytes", len(file), len(raw), least)
	}
}
