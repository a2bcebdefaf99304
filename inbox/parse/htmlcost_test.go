package parse

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
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
