package parse

import (
	"net/url"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// htmlToText renders HTML mail as plain text a person can read: paragraphs
// and line breaks as newlines, list items as lines, links as "text (url)",
// with scripts, styles and the head left out.
func htmlToText(s string) string { return renderHTML(s, false) }

// htmlImagesText is htmlToText with each image shown by a cid: reference
// written as a line of its own, "[cid:CONTENT-ID] ALT": where in the text
// the writer put it (their words, their signature, the quoted mail).
func htmlImagesText(s string) string { return renderHTML(s, true) }

func renderHTML(s string, cidMarks bool) string {
	if heavyHTML(s) {
		return tokensToText(s, cidMarks)
	}
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		// html.Parse fails only when its reader does; a strings.Reader never does.
		return ""
	}
	w := &textWriter{cidMarks: cidMarks}
	w.node(doc)
	return tidyText(w.b.String())
}

type listState struct {
	ordered bool
	next    int
}

type textWriter struct {
	b         strings.Builder
	newlines  int  // newlines owed before the next text
	space     bool // a space owed before the next text
	lineStart bool
	pre       int
	lists     []listState
	cellInRow int
	// cidMarks writes images shown by cid: as "[cid:ID]" lines.
	cidMarks bool
}

// image writes an <img>: its alt text, or with cidMarks a line naming the
// Content-ID it shows.
func (w *textWriter) image(src, alt string) {
	if id, ok := cidOf(src); ok && w.cidMarks {
		// The alt text after it: what a client may write for the image
		// in a plain-text version.
		w.block(1)
		w.text(strings.TrimSpace("[cid:" + id + "] " + strings.Join(strings.Fields(alt), " ")))
		w.block(1)
		return
	}
	if alt = strings.TrimSpace(alt); alt != "" {
		w.text(" [" + alt + "] ")
	}
}

// cidOf returns the Content-ID a "cid:" URL names (RFC 2392: URL-encoded,
// without the angle brackets).
func cidOf(src string) (string, bool) {
	src = strings.TrimSpace(src)
	if len(src) < 5 || !strings.EqualFold(src[:4], "cid:") {
		return "", false
	}
	id := src[4:]
	if u, err := url.PathUnescape(id); err == nil {
		id = u
	}
	id = strings.Trim(strings.TrimSpace(id), "<>")
	return id, id != ""
}

// block asks for n line breaks before whatever comes next.
func (w *textWriter) block(n int) {
	if n > w.newlines {
		w.newlines = n
	}
	w.space = false
}

func (w *textWriter) flushBreaks() {
	if w.newlines > 0 && w.b.Len() > 0 {
		for range w.newlines {
			w.b.WriteByte('\n') // not strings.Repeat: an allocation a paragraph
		}
		w.lineStart = true
		w.space = false
	}
	w.newlines = 0
}

func (w *textWriter) text(s string) {
	if w.pre > 0 {
		if s == "" {
			return
		}
		w.flushBreaks()
		w.b.WriteString(strings.ReplaceAll(s, "\r", ""))
		w.lineStart = strings.HasSuffix(s, "\n")
		return
	}
	for _, r := range s {
		if unicode.IsSpace(r) || r == '\u00a0' {
			if w.b.Len() > 0 && !w.lineStart {
				w.space = true
			}
			continue
		}
		w.flushBreaks()
		if w.space && !w.lineStart {
			w.b.WriteByte(' ')
		}
		w.space = false
		w.lineStart = false
		w.b.WriteRune(r)
	}
}

func (w *textWriter) children(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.node(c)
	}
}

func (w *textWriter) node(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		w.text(n.Data)
		return
	case html.DocumentNode:
		w.children(n)
		return
	case html.ElementNode:
	default:
		return // comments, doctypes
	}
	switch n.DataAtom {
	case atom.Script, atom.Style, atom.Head, atom.Title, atom.Template, atom.Noscript:
		return
	case atom.Br:
		w.newlines++
		w.space = false
		if w.b.Len() == 0 {
			w.newlines = 0
		}
		return
	case atom.Hr:
		w.block(2)
		return
	case atom.Img:
		w.image(attr(n, "src"), attr(n, "alt"))
		return
	case atom.A:
		w.link(n)
		return
	case atom.Pre:
		w.block(2)
		w.pre++
		w.children(n)
		w.pre--
		w.block(2)
		return
	case atom.Ul, atom.Ol:
		// A list stands apart from the text around it; a nested one only
		// starts a new line.
		gap := 2
		if len(w.lists) > 0 {
			gap = 1
		}
		w.lists = append(w.lists, listState{ordered: n.DataAtom == atom.Ol, next: 1})
		w.block(gap)
		w.children(n)
		w.lists = w.lists[:len(w.lists)-1]
		w.block(gap)
		return
	case atom.Li:
		w.block(1)
		marker := "- "
		if k := len(w.lists); k > 0 && w.lists[k-1].ordered {
			marker = strconv.Itoa(w.lists[k-1].next) + ". "
			w.lists[k-1].next++
		}
		w.flushBreaks()
		w.b.WriteString(strings.Repeat("  ", max(len(w.lists)-1, 0)) + marker)
		w.lineStart = true
		w.children(n)
		w.block(1)
		return
	case atom.Tr:
		w.block(1)
		w.cellInRow = 0
		w.children(n)
		w.block(1)
		return
	case atom.Td, atom.Th:
		if w.cellInRow > 0 {
			w.space = true
		}
		w.cellInRow++
		w.children(n)
		return
	case atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Blockquote, atom.Table, atom.Dl:
		w.block(2)
		w.children(n)
		w.block(2)
		return
	case atom.Div, atom.Section, atom.Article, atom.Header, atom.Footer, atom.Address, atom.Form,
		atom.Center, atom.Caption, atom.Figure, atom.Dt, atom.Dd, atom.Main, atom.Nav, atom.Aside, atom.Fieldset:
		w.block(1)
		w.children(n)
		w.block(1)
		return
	}
	w.children(n)
}

// link writes a link's text followed by its target, unless the target adds
// nothing (same as the text, a page anchor, or script).
func (w *textWriter) link(n *html.Node) {
	start := w.b.Len()
	w.children(n)
	w.linkTarget(start, strings.TrimSpace(attr(n, "href")))
}

// linkTarget writes a link's target after its text, written since start.
func (w *textWriter) linkTarget(start int, href string) {
	lower := strings.ToLower(href)
	if href == "" || strings.HasPrefix(href, "#") || strings.HasPrefix(lower, "javascript:") {
		return
	}
	shown := strings.TrimSpace(w.b.String()[start:])
	target := href
	if strings.HasPrefix(lower, "mailto:") {
		target = href[len("mailto:"):]
	}
	if shown == target || shown == href || strings.TrimSuffix(shown, "/") == strings.TrimSuffix(target, "/") {
		return
	}
	if shown == "" {
		w.text(" " + href + " ")
		return
	}
	w.text(" (" + href + ")")
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

// tidyText normalizes line ends, trims trailing blanks on each line, keeps
// at most one empty line in a row, and trims the whole. It writes the text
// once, line by line, where replacing line ends, splitting and joining
// copied it four times: every text part passes through here.
func tidyText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	blank := 0
	for first := true; ; first = false {
		line, rest, more := s, "", false
		if i := strings.IndexAny(s, "\r\n"); i >= 0 {
			line, rest, more = s[:i], s[i+1:], true
			if s[i] == '\r' && strings.HasPrefix(rest, "\n") {
				rest = rest[1:]
			}
		}
		line = strings.TrimRight(line, " \t\u00a0")
		if line == "" {
			blank++
		} else {
			blank = 0
		}
		if blank <= 1 {
			if !first {
				b.WriteByte('\n')
			}
			b.WriteString(line)
		}
		if !more {
			break
		}
		s = rest
	}
	return strings.TrimSpace(b.String())
}

// maxTreeTags bounds the tags of HTML read as a tree. Each element is a
// node of some hundred bytes, so a mail of nothing but "<p>a" cost some
// seventy times its size and seconds; real mail, newsletters included,
// has a few thousand tags.
const maxTreeTags = 50_000

// heavyHTML reports whether s has more tags than are read as a tree ('<'
// counts them closely enough).
func heavyHTML(s string) bool {
	return strings.Count(s, "<") > maxTreeTags
}

// tokensToText is htmlToText for HTML with too many tags to read as a
// tree: token by token, in one pass and little memory, with line breaks
// for the block elements and links' targets as the tree gives them, but
// not the nesting (list numbers and indents) the tree knows.
func tokensToText(s string, cidMarks bool) string {
	z := html.NewTokenizer(strings.NewReader(s))
	w := &textWriter{cidMarks: cidMarks}
	linkStart, href := -1, ""
	skip := false // inside a script, style or title: the tokenizer gives its text whole
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			// The end: a strings.Reader does not fail.
			return tidyText(w.b.String())
		case html.TextToken:
			if !skip {
				w.text(string(z.Text()))
			}
			continue
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
		default:
			continue
		}
		name, hasAttr := z.TagName()
		a := atom.Lookup(name)
		end := tt == html.EndTagToken
		var attrs map[string]string
		if hasAttr && !end && (a == atom.A || a == atom.Img) {
			attrs = map[string]string{}
			for {
				k, v, more := z.TagAttr()
				attrs[strings.ToLower(string(k))] = string(v)
				if !more {
					break
				}
			}
		}
		switch a {
		case atom.Script, atom.Style, atom.Title, atom.Noscript:
			skip = !end && tt != html.SelfClosingTagToken
		case atom.Br:
			w.newlines++
			w.space = false
			if w.b.Len() == 0 {
				w.newlines = 0
			}
		case atom.Hr:
			w.block(2)
		case atom.Img:
			w.image(attrs["src"], attrs["alt"])
		case atom.A:
			if end {
				if linkStart >= 0 {
					w.linkTarget(linkStart, href)
				}
				linkStart = -1
			} else {
				linkStart, href = w.b.Len(), strings.TrimSpace(attrs["href"])
			}
		case atom.Li:
			w.block(1)
			if !end {
				w.flushBreaks()
				w.b.WriteString("- ")
				w.lineStart = true
			}
		case atom.Td, atom.Th:
			if !end {
				w.space = true
			}
		case atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Blockquote, atom.Table, atom.Dl,
			atom.Ul, atom.Ol, atom.Pre:
			w.block(2)
		case atom.Div, atom.Section, atom.Article, atom.Header, atom.Footer, atom.Address, atom.Form,
			atom.Center, atom.Caption, atom.Figure, atom.Dt, atom.Dd, atom.Main, atom.Nav, atom.Aside, atom.Fieldset, atom.Tr:
			w.block(1)
		}
	}
}
