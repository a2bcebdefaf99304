// Package mailgen generates realistic inbound mail for benchmarks: citizens'
// and journalists' document requests, press inquiries and general questions
// in Albanian (with and without ë/ç), Serbian Latin and Cyrillic and English,
// in the MIME shapes, charsets and headers real mail clients produce. It is
// deterministic: the same *rand.Rand seed gives the same mail.
//
// Proportions (weights out of 100, drawn independently per mail):
//
//	language:  Albanian 35, Albanian without ë/ç 20, Serbian Latin 15,
//	           Serbian Cyrillic 10, English 20
//	category:  document request 40, press inquiry 25, general question 35
//	shape:     text/plain UTF-8 8bit (format=flowed) 25,
//	           text/plain UTF-8 quoted-printable 15,
//	           multipart/alternative text+HTML UTF-8 quoted-printable 30,
//	           multipart/alternative text+HTML UTF-8 base64 10,
//	           text/plain windows-1250 quoted-printable 8,
//	           multipart/alternative text+HTML ISO-8859-2 quoted-printable 7,
//	           text/html only, UTF-8 quoted-printable 5
//	           (Cyrillic cannot be written in a Latin-2 charset: its mail
//	           draws again among the UTF-8 shapes)
//	signature block 50, quoted earlier message ("On … wrote:", "Më …
//	shkroi:"; subject "Re:", In-Reply-To) 25, an attachment (PDF- or
//	JPEG-like bytes, 50–500 KB, base64 in multipart/mixed) 5.
//
// Every mail has its own sender (the generator counts them), a Message-ID
// and Date in the style of its client (Gmail, Outlook, Thunderbird, Apple
// Mail, Roundcube), Return-Path, two or three Received lines,
// Authentication-Results, a DKIM-Signature of realistic size and the
// client's X-Mailer or User-Agent. Non-ASCII subjects and display names are
// RFC 2047 encoded (Q or B, in the body's charset).
package mailgen

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"html"
	"math/rand/v2"
	"mime"
	"mime/quotedprintable"
	"strings"
	"time"

	"golang.org/x/text/encoding/charmap"
)

// Shape is the MIME structure and encoding of a mail's text.
type Shape string

// The shapes, as mail clients produce them.
const (
	PlainUTF8       Shape = "text/plain utf-8 8bit"
	PlainQP         Shape = "text/plain utf-8 quoted-printable"
	AlternativeQP   Shape = "multipart/alternative utf-8 quoted-printable"
	AlternativeB64  Shape = "multipart/alternative utf-8 base64"
	PlainWin1250    Shape = "text/plain windows-1250 quoted-printable"
	AlternativeISO2 Shape = "multipart/alternative iso-8859-2 quoted-printable"
	HTMLOnly        Shape = "text/html utf-8 quoted-printable"
)

// Shapes lists every shape, in the order of shapeWeights.
func Shapes() []Shape {
	return []Shape{PlainUTF8, PlainQP, AlternativeQP, AlternativeB64, PlainWin1250, AlternativeISO2, HTMLOnly}
}

// shapeWeights are the shares of Shapes() in a hundred mails.
func shapeWeights() []int { return []int{25, 15, 30, 10, 8, 7, 5} }

// Attachment describes the file a mail carries.
type Attachment struct {
	Name        string
	ContentType string
	Size        int
}

// Mail is one generated message and what a reader should find in it.
type Mail struct {
	Raw       []byte
	MessageID string // without angle brackets
	From      string // the sender's address
	Name      string // the sender's display name
	Subject   string
	Language  Language
	Category  Category
	Shape     Shape
	// Own are the writer's own sentences (the request and its context):
	// the words a classifier must see in the parsed text.
	Own        []string
	Signature  bool
	Quoted     bool
	Attachment *Attachment
}

// Generator makes mail. It is not safe for concurrent use.
type Generator struct {
	r     *rand.Rand
	to    string
	start time.Time
	n     int
}

// New returns a generator drawing from r, writing to the address to, with
// Date headers starting at start (a backlog that built up over some hours).
func New(r *rand.Rand, to string, start time.Time) *Generator {
	return &Generator{r: r, to: to, start: start}
}

// weighted picks an index by weight.
func (g *Generator) weighted(weights ...int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	x := g.r.IntN(total)
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

func (g *Generator) pick(list []string) string { return list[g.r.IntN(len(list))] }

// Backlog returns the raw bytes of n mails.
func (g *Generator) Backlog(n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = g.Next().Raw
	}
	return out
}

// client is a mail program's habits.
type client struct {
	name      string
	agentKey  string // X-Mailer or User-Agent
	agent     string
	domains   []string
	bEncoding bool // RFC 2047 B rather than Q for UTF-8
	flowed    bool
}

var clients = []client{
	{name: "gmail", domains: []string{"gmail.example"}, bEncoding: true},
	{name: "outlook", agentKey: "X-Mailer", agent: "Microsoft Outlook 16.0", domains: []string{"hotmail.example", "outlook.example", "live.example"}},
	{name: "thunderbird", agentKey: "User-Agent", agent: "Mozilla Thunderbird", domains: []string{"ipko.example", "kujtesa.example"}, flowed: true},
	{name: "apple", agentKey: "X-Mailer", agent: "Apple Mail (2.3774.600.62)", domains: []string{"icloud.example"}},
	{name: "roundcube", agentKey: "User-Agent", agent: "Roundcube Webmail/1.6.9", domains: []string{"yahoo.example", "uni-pr.example"}},
}

// Next returns the next mail.
func (g *Generator) Next() Mail {
	g.n++
	lang := []Language{Albanian, AlbanianASCII, SerbianLatin, SerbianCyrillic, English}[g.weighted(35, 20, 15, 10, 20)]
	cat := []Category{DocumentRequest, PressInquiry, GeneralQuestion}[g.weighted(40, 25, 35)]
	shapes := Shapes()
	shape := shapes[g.weighted(shapeWeights()...)]
	for lang == SerbianCyrillic && (shape == PlainWin1250 || shape == AlternativeISO2) {
		shape = shapes[g.weighted(shapeWeights()...)]
	}
	cl := clients[g.weighted(35, 30, 12, 10, 13)]
	w := g.words(lang)
	female := g.r.IntN(2) == 0
	fill := func(s string) string { return g.fill(s, lang, female) }

	first := g.pick(w.firstMale)
	if female {
		first = g.pick(w.firstFem)
	}
	name := convert(first+" "+g.pick(w.last), lang)
	domain := g.pick(cl.domains)
	if cat == PressInquiry && g.r.IntN(2) == 0 {
		domain = strings.ToLower(strings.ReplaceAll(asciiFold(g.pick(sharedSlots["outlet"])), " ", "")) + ".example"
	}
	addr := fmt.Sprintf("%s.%s%d@%s", strings.ToLower(asciiFold(first)), strings.ToLower(asciiFold(strings.Fields(latinName(name, lang))[1])), g.n, domain)

	m := Mail{From: addr, Name: name, Language: lang, Category: cat, Shape: shape}
	m.Subject = convert(fill(g.pick(w.subjects[cat])), lang)
	request := convert(fill(g.pick(w.requests[cat])), lang)
	m.Own = []string{request}
	if g.r.IntN(3) > 0 {
		m.Own = append(m.Own, convert(fill(g.pick(w.context[cat])), lang))
	}
	paras := [][]string{{convert(g.pick(w.greetings), lang)}, {strings.Join(m.Own, " ")}}
	if g.r.IntN(2) == 0 {
		paras = append(paras, []string{convert(g.pick(w.thanks), lang)})
	}
	paras = append(paras, []string{convert(g.pick(w.closings), lang), name})
	var sig []string
	if g.r.IntN(2) == 0 {
		m.Signature = true
		sig = []string{name, convert(fill(g.pick(w.titles)), lang), fmt.Sprintf("Tel: +383 4%d %03d %03d", 3+g.r.IntN(7), g.r.IntN(1000), g.r.IntN(1000))}
	}
	sent := g.start.Add(time.Duration(g.n)*37*time.Second + time.Duration(g.r.IntN(30000))*time.Millisecond).In(time.FixedZone("CET", 3600))
	var quote *quoted
	if g.r.IntN(4) == 0 {
		m.Quoted = true
		m.Subject = "Re: " + m.Subject
		earlier := sent.Add(-time.Duration(1+g.r.IntN(72)) * time.Hour)
		quote = &quoted{
			intro: strings.NewReplacer("{date}", earlier.Format("2 Jan 2006 15:04"), "{name}", "DKP <"+g.to+">").Replace(convertText(w.wrote, lang)),
			lines: []string{convert(g.pick(w.earlier), lang)},
			id:    fmt.Sprintf("AM0PR%02dMB%04X%08X@AM0PR%02dMB.eurprd%02d.prod.outlook.example", g.r.IntN(10), g.r.IntN(1<<16), g.r.Uint32(), g.r.IntN(10), g.r.IntN(10)),
		}
	}

	charset := "utf-8"
	switch shape {
	case PlainWin1250:
		charset = "windows-1250"
	case AlternativeISO2:
		charset = "iso-8859-2"
	}
	body := g.body(shape, charset, cl, paras, sig, quote)
	if body == nil {
		// A text the charset cannot hold is sent as UTF-8, as clients do.
		charset, m.Shape = "utf-8", AlternativeQP
		body = g.body(m.Shape, charset, cl, paras, sig, quote)
	}
	if g.r.IntN(20) == 0 {
		var part string
		m.Attachment, part = g.attachment(lang)
		boundary := g.boundary(cl)
		var b bytes.Buffer
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n", boundary)
		fmt.Fprintf(&b, "--%s\r\n%s\r\n--%s\r\n%s\r\n--%s--\r\n", boundary, body, boundary, part, boundary)
		body = b.Bytes()
	}
	m.MessageID = g.messageID(cl, domain)

	var h bytes.Buffer
	hdr := func(k, v string) { fmt.Fprintf(&h, "%s: %s\r\n", k, v) }
	hdr("Return-Path", "<"+addr+">")
	g.received(&h, cl, domain, sent)
	hdr("Authentication-Results", fmt.Sprintf("mx1.mkrs.example; dkim=pass header.d=%s header.s=s%d; spf=pass smtp.mailfrom=%s; dmarc=pass header.from=%s", domain, 2020+g.r.IntN(6), addr, domain))
	hdr("DKIM-Signature", g.dkim(domain, sent))
	hdr("MIME-Version", "1.0")
	hdr("From", encodeWord(cl, charset, name)+" <"+addr+">")
	hdr("Date", sent.Format(time.RFC1123Z))
	hdr("Message-ID", "<"+m.MessageID+">")
	hdr("Subject", encodeWord(cl, charset, m.Subject))
	hdr("To", encodeWord(cl, charset, "Divizioni për Komunikim Publik")+" <"+g.to+">")
	if quote != nil {
		hdr("In-Reply-To", "<"+quote.id+">")
		hdr("References", "<"+quote.id+">")
	}
	if cl.agentKey != "" {
		hdr(cl.agentKey, cl.agent)
	}
	if cl.name == "outlook" {
		hdr("Thread-Index", base64.StdEncoding.EncodeToString(g.bytes(22)))
		hdr("Content-Language", map[Language]string{Albanian: "sq-AL", AlbanianASCII: "sq-AL", SerbianLatin: "sr-Latn-RS", SerbianCyrillic: "sr-Cyrl-RS", English: "en-US"}[lang])
	}
	h.Write(body)
	m.Raw = h.Bytes()
	return m
}

func (g *Generator) words(lang Language) words {
	switch lang {
	case SerbianLatin, SerbianCyrillic:
		return serbian
	case English:
		return english
	}
	return albanian
}

// fill replaces {slot}s, also inside what a slot brings in, and the gender
// endings {e} (Albanian), {ka}, {kinja}, {o}, {an} (Serbian).
func (g *Generator) fill(s string, lang Language, female bool) string {
	local := localSlots[lang]
	if lang == AlbanianASCII {
		local = localSlots[Albanian]
	}
	if lang == SerbianCyrillic {
		local = localSlots[SerbianLatin]
	}
	w := g.words(lang)
	for range 4 {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			break
		}
		var out strings.Builder
		for {
			i := strings.IndexByte(s, '{')
			j := strings.IndexByte(s, '}')
			if i < 0 || j < i {
				out.WriteString(s)
				break
			}
			out.WriteString(s[:i])
			key := s[i+1 : j]
			s = s[j+1:]
			switch {
			case key == "e" || key == "ka" || key == "kinja":
				if female {
					out.WriteString(key)
				}
			case key == "o":
				out.WriteString(map[bool]string{false: "o", true: "la"}[female])
			case key == "an":
				out.WriteString(map[bool]string{false: "an", true: "na"}[female])
			case w.slots[key] != nil:
				out.WriteString(g.pick(w.slots[key]))
			case local[key] != nil:
				out.WriteString(g.pick(local[key]))
			case sharedSlots[key] != nil:
				out.WriteString(g.pick(sharedSlots[key]))
			default:
				out.WriteString("{" + key + "}")
			}
		}
		s = out.String()
	}
	return s
}

// quoted is an earlier message the writer answers above.
type quoted struct {
	intro string
	lines []string
	id    string
}

// plainText renders the body as text, with "-- " before the signature and
// "> " before quoted lines.
func plainText(paras [][]string, sig []string, q *quoted) string {
	var b strings.Builder
	for i, p := range paras {
		if i > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(strings.Join(p, "\n"))
	}
	if sig != nil {
		b.WriteString("\n\n-- \n" + strings.Join(sig, "\n"))
	}
	if q != nil {
		b.WriteString("\n\n" + q.intro + "\n")
		for _, l := range q.lines {
			b.WriteString("> " + l + "\n>\n")
		}
		b.WriteString("> DKP\n")
	}
	return b.String() + "\n"
}

// htmlText renders the body as a client's HTML, with its style sheet.
func htmlText(style string, paras [][]string, sig []string, q *quoted) string {
	var b strings.Builder
	b.WriteString(`<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">` + style + "</head>\n<body><div dir=\"ltr\">\n")
	for _, p := range paras {
		esc := make([]string, len(p))
		for i, l := range p {
			esc[i] = html.EscapeString(l)
		}
		b.WriteString(`<p class="MsoNormal">` + strings.Join(esc, "<br>\n") + "</p>\n")
	}
	if sig != nil {
		b.WriteString(`<div class="gmail_signature"><span style="color:#888888">--<br>`)
		for _, l := range sig {
			b.WriteString(html.EscapeString(l) + "<br>")
		}
		b.WriteString("</span></div>\n")
	}
	b.WriteString("</div>\n")
	if q != nil {
		b.WriteString(`<br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">` + html.EscapeString(q.intro) + "<br></div>\n")
		b.WriteString(`<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">`)
		for _, l := range q.lines {
			b.WriteString("<div>" + html.EscapeString(l) + "</div>")
		}
		b.WriteString("<div>DKP</div></blockquote></div>\n")
	}
	b.WriteString("</body></html>\n")
	return b.String()
}

// body renders the entity that carries the text (header lines and body),
// or nil when the text does not fit the charset.
func (g *Generator) body(shape Shape, charset string, cl client, paras [][]string, sig []string, q *quoted) []byte {
	plain := plainText(paras, sig, q)
	rich := htmlText(g.pick(htmlStyles), paras, sig, q)
	if charset != "utf-8" {
		rich = strings.Replace(rich, "charset=utf-8", "charset="+charset, 1)
	}
	switch shape {
	case PlainUTF8:
		ct := "text/plain; charset=utf-8"
		if cl.flowed {
			ct += "; format=flowed"
			plain = flow(plain, 72)
		}
		return []byte("Content-Type: " + ct + "\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + crlf(plain))
	case PlainQP, PlainWin1250:
		enc, ok := encode(charset, plain)
		if !ok {
			return nil
		}
		return []byte("Content-Type: text/plain; charset=\"" + charset + "\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" + qp(enc))
	case HTMLOnly:
		return []byte("Content-Type: text/html; charset=\"utf-8\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" + qp(rich))
	}
	encPlain, ok1 := encode(charset, plain)
	encRich, ok2 := encode(charset, rich)
	if !ok1 || !ok2 {
		return nil
	}
	cte, transfer := "quoted-printable", qp
	if shape == AlternativeB64 {
		cte, transfer = "base64", func(s string) string { return base64Lines([]byte(s)) }
	}
	boundary := g.boundary(cl)
	var b strings.Builder
	fmt.Fprintf(&b, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n", boundary)
	fmt.Fprintf(&b, "--%s\r\nContent-Type: text/plain; charset=\"%s\"\r\nContent-Transfer-Encoding: %s\r\n\r\n%s\r\n", boundary, charset, cte, transfer(encPlain))
	fmt.Fprintf(&b, "--%s\r\nContent-Type: text/html; charset=\"%s\"\r\nContent-Transfer-Encoding: %s\r\n\r\n%s\r\n", boundary, charset, cte, transfer(encRich))
	fmt.Fprintf(&b, "--%s--\r\n", boundary)
	return []byte(b.String())
}

// encode writes s in charset; ok is false when a character does not fit.
func encode(charset, s string) (string, bool) {
	var cm *charmap.Charmap
	switch charset {
	case "windows-1250":
		cm = charmap.Windows1250
	case "iso-8859-2":
		cm = charmap.ISO8859_2
	default:
		return s, true
	}
	out, err := cm.NewEncoder().String(s)
	return out, err == nil
}

// encodeWord is an RFC 2047 header value in charset when s is not ASCII.
func encodeWord(cl client, charset, s string) string {
	if isASCII(s) {
		return s
	}
	enc, ok := encode(charset, s)
	if !ok {
		charset, enc = "utf-8", s
	}
	if cl.bEncoding && charset == "utf-8" {
		return mime.BEncoding.Encode(charset, enc)
	}
	return mime.QEncoding.Encode(charset, enc)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// qp is quoted-printable with CRLF line ends.
func qp(s string) string {
	var b bytes.Buffer
	w := quotedprintable.NewWriter(&b)
	_, _ = w.Write([]byte(s)) // writes to a bytes.Buffer do not fail
	_ = w.Close()
	return b.String()
}

func base64Lines(data []byte) string {
	enc := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	b.Grow(len(enc) + len(enc)/76*2 + 2)
	for len(enc) > 76 {
		b.WriteString(enc[:76])
		b.WriteString("\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc)
	b.WriteString("\r\n")
	return b.String()
}

func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

// flow wraps long lines at width as format=flowed does: a soft break is a
// space left at the end of the line. Quoted lines are left whole.
func flow(s string, width int) string {
	var out []string
	for line := range strings.SplitSeq(s, "\n") {
		for len(line) > width && !strings.HasPrefix(line, ">") {
			cut := strings.LastIndexByte(line[:width], ' ')
			if cut <= 0 {
				break
			}
			out = append(out, line[:cut+1])
			line = line[cut+1:]
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func (g *Generator) token(n int, alphabet string) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[g.r.IntN(len(alphabet))]
	}
	return string(b)
}

func (g *Generator) bytes(n int) []byte {
	b := make([]byte, 0, n+8)
	for len(b) < n {
		b = binary.LittleEndian.AppendUint64(b, g.r.Uint64())
	}
	return b[:n]
}

func (g *Generator) boundary(cl client) string {
	switch cl.name {
	case "gmail":
		return "000000000000" + g.token(16, "0123456789abcdef")
	case "outlook":
		return "_000_" + g.token(20, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") + "_"
	case "apple":
		return "Apple-Mail=_" + g.token(8, "0123456789ABCDEF") + "-" + g.token(4, "0123456789ABCDEF")
	}
	return "------------" + g.token(24, alnum)
}

func (g *Generator) messageID(cl client, domain string) string {
	switch cl.name {
	case "gmail":
		return "CA" + g.token(44, alnum+"+_-") + "@mail.gmail.example"
	case "outlook":
		return fmt.Sprintf("VI1PR%02dMB%04d%s@VI1PR%02dMB%04d.eurprd%02d.prod.outlook.example", g.r.IntN(10), g.r.IntN(10000), g.token(12, "0123456789ABCDEF"), g.r.IntN(10), g.r.IntN(10000), g.r.IntN(10))
	case "apple":
		return fmt.Sprintf("%s-%s-%s-%s-%s@%s", g.token(8, "0123456789ABCDEF"), g.token(4, "0123456789ABCDEF"), g.token(4, "0123456789ABCDEF"), g.token(4, "0123456789ABCDEF"), g.token(12, "0123456789ABCDEF"), domain)
	}
	return g.token(8, "0123456789abcdef") + "-" + g.token(4, "0123456789abcdef") + "-" + g.token(12, "0123456789abcdef") + "@" + domain
}

// received writes the trace fields of the hops from the sender's provider
// to the ministry's MX, newest first.
func (g *Generator) received(h *bytes.Buffer, cl client, domain string, sent time.Time) {
	relay := fmt.Sprintf("mail-%s%d-f%d.%s", g.token(2, "abcdefghijklmnopqrstuvwxyz"), g.r.IntN(9), 10+g.r.IntN(80), domain)
	ip := fmt.Sprintf("198.51.100.%d", 1+g.r.IntN(254))
	at := sent.Add(time.Duration(200+g.r.IntN(2500)) * time.Millisecond)
	fmt.Fprintf(h, "Received: from %s (%s [%s])\r\n\tby mx1.mkrs.example (Postfix) with ESMTPS id 4%s\r\n\tfor <%s>; %s\r\n",
		relay, relay, ip, g.token(12, alnum), g.to, at.Format(time.RFC1123Z))
	if g.r.IntN(2) == 0 {
		fmt.Fprintf(h, "Received: from localhost (localhost [127.0.0.1])\r\n\tby mx1.mkrs.example (amavis); %s\r\n", at.Add(-150*time.Millisecond).Format(time.RFC1123Z))
	}
	fmt.Fprintf(h, "Received: by %s with SMTP id %s\r\n\tfor <%s>; %s\r\n", relay, g.token(20, "abcdefghijklmnopqrstuvwxyz0123456789"), g.to, sent.Format(time.RFC1123Z))
	if cl.name == "gmail" {
		fmt.Fprintf(h, "X-Google-DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=1e100.example; s=20230601; bh=%s; b=%s\r\n",
			base64.StdEncoding.EncodeToString(g.bytes(32)), base64.StdEncoding.EncodeToString(g.bytes(64)))
		fmt.Fprintf(h, "X-Gm-Message-State: AOJu0Y%s\r\n", g.token(60, alnum))
	}
	fmt.Fprintf(h, "X-Originating-IP: [203.0.113.%d]\r\n", 1+g.r.IntN(254))
}

// dkim is a DKIM-Signature value of realistic shape and size (2048-bit key).
func (g *Generator) dkim(domain string, sent time.Time) string {
	sig := base64.StdEncoding.EncodeToString(g.bytes(256))
	var folded strings.Builder
	for len(sig) > 70 {
		folded.WriteString(sig[:70] + "\r\n\t ")
		sig = sig[70:]
	}
	folded.WriteString(sig)
	return fmt.Sprintf("v=1; a=rsa-sha256; c=relaxed/relaxed;\r\n\td=%s; s=s%d; t=%d; x=%d;\r\n\th=mime-version:from:date:message-id:subject:to:content-type;\r\n\tbh=%s;\r\n\tb=%s",
		domain, 2020+g.r.IntN(6), sent.Unix(), sent.Unix()+604800, base64.StdEncoding.EncodeToString(g.bytes(32)), folded.String())
}

// attachment is a scanned document or a phone photo: the description and
// the MIME part.
func (g *Generator) attachment(lang Language) (*Attachment, string) {
	size := 50<<10 + g.r.IntN(450<<10)
	var a Attachment
	var data []byte
	if g.r.IntN(2) == 0 {
		a.ContentType = "application/pdf"
		a.Name = map[Language]string{Albanian: "kërkesë.pdf", AlbanianASCII: "kerkesa.pdf", SerbianLatin: "zahtev.pdf", SerbianCyrillic: "захтев.pdf", English: "request letter.pdf"}[lang]
		head := []byte("%PDF-1.5\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<</Type/Catalog/Pages 2 0 R>>\nendobj\n3 0 obj\n<</Length " + fmt.Sprint(size) + "/Filter/FlateDecode>>\nstream\n")
		tail := []byte("\nendstream\nendobj\ntrailer\n<</Root 1 0 R>>\n%%EOF\n")
		data = append(append(head, g.bytes(max(0, size-len(head)-len(tail)))...), tail...)
	} else {
		a.ContentType = "image/jpeg"
		a.Name = fmt.Sprintf("IMG_%s_%06d.jpg", g.start.Format("20060102"), g.r.IntN(1000000))
		head := []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x48\x00\x48\x00\x00\xff\xdb\x00\x43\x00")
		data = append(append(head, g.bytes(max(0, size-len(head)-2))...), 0xff, 0xd9)
	}
	a.Size = len(data)
	disp := fmt.Sprintf("attachment; filename=\"%s\"", a.Name)
	if !isASCII(a.Name) {
		// RFC 2231, as Thunderbird and Gmail write non-ASCII file names.
		disp = "attachment; filename*=utf-8''" + strings.ReplaceAll(urlEscape(a.Name), " ", "%20")
	}
	return &a, fmt.Sprintf("Content-Type: %s; name=\"%s\"\r\nContent-Disposition: %s\r\nContent-Transfer-Encoding: base64\r\n\r\n%s",
		a.ContentType, mime.QEncoding.Encode("utf-8", a.Name), disp, base64Lines(data))
}

func urlEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x80 && c != '%' && c != '\'' && c != '"' && c != ' ' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// convert writes text for lang: Albanian without ë/ç, Serbian in Cyrillic.
func convert(s string, lang Language) string {
	switch lang {
	case AlbanianASCII:
		return strings.NewReplacer("ë", "e", "Ë", "E", "ç", "c", "Ç", "C").Replace(s)
	case SerbianCyrillic:
		return toCyrillic(s)
	}
	return s
}

// convertText is convert for a template: {slots} stay as they are.
func convertText(s string, lang Language) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '{')
		j := strings.IndexByte(s, '}')
		if i < 0 || j < i {
			b.WriteString(convert(s, lang))
			return b.String()
		}
		b.WriteString(convert(s[:i], lang) + s[i:j+1])
		s = s[j+1:]
	}
}

// latinName is a name back in Latin letters, for the address.
func latinName(name string, lang Language) string {
	if lang != SerbianCyrillic {
		return name
	}
	var b strings.Builder
	for _, r := range name {
		if l, ok := cyrToLat[r]; ok {
			b.WriteString(l)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// asciiFold drops diacritics for addresses and domains.
func asciiFold(s string) string {
	return strings.NewReplacer("ë", "e", "Ë", "E", "ç", "c", "Ç", "C", "č", "c", "ć", "c", "š", "s", "ž", "z", "đ", "dj",
		"Č", "C", "Ć", "C", "Š", "S", "Ž", "Z", "Đ", "Dj").Replace(s)
}

// Serbian Latin to Cyrillic is letter for letter, with three digraphs.
var latToCyr = []struct{ lat, cyr string }{
	{"Lj", "Љ"}, {"LJ", "Љ"}, {"lj", "љ"}, {"Nj", "Њ"}, {"NJ", "Њ"}, {"nj", "њ"}, {"Dž", "Џ"}, {"dž", "џ"},
	{"A", "А"}, {"B", "Б"}, {"V", "В"}, {"G", "Г"}, {"D", "Д"}, {"Đ", "Ђ"}, {"E", "Е"}, {"Ž", "Ж"}, {"Z", "З"}, {"I", "И"},
	{"J", "Ј"}, {"K", "К"}, {"L", "Л"}, {"M", "М"}, {"N", "Н"}, {"O", "О"}, {"P", "П"}, {"R", "Р"}, {"S", "С"}, {"T", "Т"},
	{"Ć", "Ћ"}, {"U", "У"}, {"F", "Ф"}, {"H", "Х"}, {"C", "Ц"}, {"Č", "Ч"}, {"Š", "Ш"},
	{"a", "а"}, {"b", "б"}, {"v", "в"}, {"g", "г"}, {"d", "д"}, {"đ", "ђ"}, {"e", "е"}, {"ž", "ж"}, {"z", "з"}, {"i", "и"},
	{"j", "ј"}, {"k", "к"}, {"l", "л"}, {"m", "м"}, {"n", "н"}, {"o", "о"}, {"p", "п"}, {"r", "р"}, {"s", "с"}, {"t", "т"},
	{"ć", "ћ"}, {"u", "у"}, {"f", "ф"}, {"h", "х"}, {"c", "ц"}, {"č", "ч"}, {"š", "ш"},
}

var cyrToLat = func() map[rune]string {
	m := map[rune]string{}
	for _, p := range latToCyr {
		r := []rune(p.cyr)[0]
		if _, ok := m[r]; !ok {
			m[r] = p.lat
		}
	}
	return m
}()

var latinToCyrillic = func() *strings.Replacer {
	var pairs []string
	for _, p := range latToCyr {
		pairs = append(pairs, p.lat, p.cyr)
	}
	return strings.NewReplacer(pairs...)
}()

func toCyrillic(s string) string { return latinToCyrillic.Replace(s) }
