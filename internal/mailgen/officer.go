package mailgen

import (
	"bytes"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/png"
	"mime"
	"strings"
	"time"
)

// Client is a mail client an officer answers from; OfficerReply writes its
// reply in that client's MIME shape.
type Client string

// The clients whose HTML replies with embedded images are written here.
const (
	// OutlookDesktop is classic Outlook (Microsoft 365 apps) through
	// Exchange: multipart/related of multipart/alternative and the images
	// (image001.png, Content-ID image001.png@01DB…), the plain text
	// showing each image as "[cid:…]", the quoted mail below a
	// From/Sent/To/Subject block, the signature unmarked in the HTML.
	OutlookDesktop Client = "outlook-desktop"
	// OutlookWeb is Outlook on the web and the new Outlook: the same
	// MIME shape, the signature in <div id="Signature">, the quoted mail
	// below a line of underscores, images named by their alt text in the
	// plain text.
	OutlookWeb Client = "outlook-web"
	// GmailWeb is Gmail in the browser: multipart/related around the
	// alternative, images as "[image: …]" in the plain text, the signature
	// after "-- " in a gmail_signature div, the quote in gmail_quote.
	GmailWeb Client = "gmail-web"
	// IOSMail is Mail on iPhone: multipart/alternative of the plain text
	// (which shows no image) and a multipart/related HTML with the
	// pictures, the quote in <blockquote type="cite">.
	IOSMail Client = "ios-mail"
)

// Image is a picture shown inside a reply's HTML.
type Image struct {
	Name, ContentType string
	Content           []byte
	Width, Height     int
	Alt               string
}

// File is a file attached to a reply on purpose.
type File struct {
	Name, ContentType string
	Content           []byte
}

// Piece is a paragraph of text or a picture, in the order shown.
type Piece struct {
	Text  string
	Image *Image
}

// Reply is an officer's answer to a mail of Sportel's (the parent), as
// Client writes it.
type Reply struct {
	Client    Client
	From, To  string // "Name <address>"
	MessageID string // without angle brackets
	Date      time.Time

	ParentID, ParentFrom, ParentTo, ParentSubject, ParentText string
	ParentDate                                                time.Time

	// Body is the answer above the signature; Signature follows it.
	Body, Signature []Piece
	Files           []File
}

// PNG is a PNG picture of w×h pixels.
func PNG(w, h int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.NRGBA{R: uint8(x * 7), G: uint8(y * 13), B: uint8((x + y) * 3), A: 255})
		}
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img) // writes to a bytes.Buffer do not fail
	return b.Bytes()
}

// OfficerReply writes r as raw mail.
func OfficerReply(r Reply) []byte {
	imgs := r.images()
	var h strings.Builder
	hdr := func(k, v string) { fmt.Fprintf(&h, "%s: %s\r\n", k, v) }
	hdr("From", encodeAddr(r.From))
	hdr("To", encodeAddr(r.To))
	subject := "RE: " + r.ParentSubject
	if r.Client == GmailWeb || r.Client == IOSMail {
		subject = "Re: " + r.ParentSubject
	}
	hdr("Subject", mime.QEncoding.Encode("utf-8", subject))
	if r.Client == OutlookDesktop || r.Client == OutlookWeb {
		hdr("Thread-Topic", mime.QEncoding.Encode("utf-8", r.ParentSubject))
		hdr("Thread-Index", "AQHbPyrQx2n1c0o9kEeB7xW1Vd2q3A==")
	}
	hdr("Date", r.Date.Format(time.RFC1123Z))
	hdr("Message-ID", "<"+r.MessageID+">")
	hdr("References", "<"+r.ParentID+">")
	hdr("In-Reply-To", "<"+r.ParentID+">")
	switch r.Client {
	case OutlookDesktop, OutlookWeb:
		hdr("Accept-Language", "sq-AL, en-US")
		hdr("Content-Language", "sq-AL")
		if len(r.Files) > 0 {
			hdr("X-MS-Has-Attach", "yes")
		} else {
			hdr("X-MS-Has-Attach", "")
		}
		hdr("X-MS-TNEF-Correlator", "")
	case IOSMail:
		hdr("X-Mailer", "iPhone Mail (22B91)")
	}
	hdr("MIME-Version", "1.0")

	plain := "Content-Type: text/plain; charset=\"utf-8\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" + qp(r.plain(imgs)) + "\r\n"
	htm := "Content-Type: text/html; charset=\"utf-8\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" + qp(r.html(imgs)) + "\r\n"
	var parts []string
	for _, pcs := range [][]Piece{r.Body, r.Signature} {
		for _, p := range pcs {
			if p.Image != nil {
				parts = append(parts, r.imagePart(imgs[p.Image]))
			}
		}
	}
	var body string
	switch r.Client {
	case IOSMail:
		related := multipart("related; type=\"text/html\"", "Apple-Mail-7D1E2C55-0B1A-4F7E-9C3A-2B8E51D0A1F4", append([]string{htm}, parts...))
		body = multipart("alternative", "Apple-Mail-3B0F8F00-A858-4A54-9A18-CFD908DB8B6C", []string{plain, related})
	default:
		b := r.boundaries()
		body = multipart("alternative", b[0], []string{plain, htm})
		if len(parts) > 0 {
			body = multipart("related; type=\"multipart/alternative\"", b[1], append([]string{body}, parts...))
		}
	}
	if len(r.Files) > 0 {
		all := []string{body}
		for _, f := range r.Files {
			all = append(all, r.filePart(f))
		}
		boundary := r.boundaries()[2]
		if r.Client == IOSMail {
			boundary = "Apple-Mail-9A0C4E21-55D3-4B4E-8F61-0C2D7E3B9A10"
		}
		body = multipart("mixed", boundary, all)
	}
	// The outermost part's header is the mail's own.
	return []byte(h.String() + body)
}

// shown is an image with the Content-ID and file name its client gives it.
type shown struct {
	Image
	cid, name string
}

// images are the pictures of the reply in the order shown, by piece.
func (r Reply) images() map[*Image]shown {
	out := map[*Image]shown{}
	n := 0
	for _, pcs := range [][]Piece{r.Body, r.Signature} {
		for _, p := range pcs {
			if p.Image == nil {
				continue
			}
			n++
			s := shown{Image: *p.Image, name: p.Image.Name}
			ext := map[string]string{"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif"}[p.Image.ContentType]
			switch r.Client {
			case OutlookDesktop:
				s.name = fmt.Sprintf("image%03d.%s", n, ext)
				s.cid = s.name + "@01DB3F2A.5C7E8D10"
			case OutlookWeb:
				s.cid = fmt.Sprintf("%08x-7d0c-4ff0-8d6d-3e1b2c4a5f%02d", 0x5e0c1a20+n, n)
			case GmailWeb:
				s.cid = fmt.Sprintf("ii_m3xk2a0b%d", n)
			case IOSMail:
				s.cid = fmt.Sprintf("E78D0586-CE5C-429A-8A69-1EE81BEF55%02d", n)
			}
			out[p.Image] = s
		}
	}
	return out
}

func (r Reply) boundaries() [3]string {
	switch r.Client {
	case GmailWeb:
		return [3]string{"000000000000a1b2c3062a4f5e60", "000000000000a1b2c2062a4f5e5f", "000000000000a1b2c4062a4f5e61"}
	default:
		return [3]string{"_000_VI1PR09MB4288A1B2C3D4E5F6A7B8C9D0VI1PR09MB4288eurp_",
			"_004_VI1PR09MB4288A1B2C3D4E5F6A7B8C9D0VI1PR09MB4288eurp_",
			"_005_VI1PR09MB4288A1B2C3D4E5F6A7B8C9D0VI1PR09MB4288eurp_"}
	}
}

// plain is the text/plain alternative, with each image as the client
// shows it there.
func (r Reply) plain(imgs map[*Image]shown) string {
	var b strings.Builder
	piece := func(p Piece) {
		if p.Image == nil {
			b.WriteString(p.Text + "\n")
			return
		}
		s := imgs[p.Image]
		switch r.Client {
		case OutlookDesktop:
			b.WriteString("[cid:" + s.cid + "]\n")
		case OutlookWeb:
			b.WriteString("[" + s.Alt + "]\n")
		case GmailWeb:
			b.WriteString("[image: " + s.Alt + "]\n")
		}
	}
	for _, p := range r.Body {
		piece(p)
		b.WriteString("\n")
	}
	if r.Client == GmailWeb && len(r.Signature) > 0 {
		b.WriteString("-- \n")
	}
	for _, p := range r.Signature {
		piece(p)
	}
	b.WriteString("\n")
	when := r.ParentDate.Format("Monday, January 2, 2006 3:04 PM")
	switch r.Client {
	case OutlookDesktop:
		fmt.Fprintf(&b, "From: %s\nSent: %s\nTo: %s\nSubject: %s\n\n%s\n", r.ParentFrom, when, r.ParentTo, r.ParentSubject, r.ParentText)
	case OutlookWeb:
		fmt.Fprintf(&b, "________________________________\nFrom: %s\nSent: %s\nTo: %s\nSubject: %s\n\n%s\n", r.ParentFrom, when, r.ParentTo, r.ParentSubject, r.ParentText)
	case GmailWeb:
		fmt.Fprintf(&b, "On %s %s wrote:\n\n%s\n", r.ParentDate.Format("Mon, Jan 2, 2006 at 3:04 PM"), r.ParentFrom, quoteLines(r.ParentText))
	case IOSMail:
		fmt.Fprintf(&b, "Sent from my iPhone\n\n> On %s, %s wrote:\n>\n%s\n", r.ParentDate.Format("2 Jan 2006, at 15:04"), r.ParentFrom, quoteLines(r.ParentText))
	}
	return b.String()
}

func quoteLines(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight("> "+l, " ")
	}
	return strings.Join(lines, "\n")
}

func htmlBreaks(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = html.EscapeString(l)
	}
	return strings.Join(lines, "<br>\n")
}

// html is the text/html alternative, with each image shown by cid:.
func (r Reply) html(imgs map[*Image]shown) string {
	var b strings.Builder
	img := func(p *Image) string {
		s := imgs[p]
		switch r.Client {
		case OutlookDesktop:
			return fmt.Sprintf(`<!--[if gte vml 1]><v:shape id="Picture_x0020_1" o:spid="_x0000_i1025" type="#_x0000_t75" style="width:%dpt;height:%dpt"><v:imagedata src="cid:%s" o:title=""/></v:shape><![endif]--><![if !vml]><img width=%d height=%d style="width:%.3fin;height:%.3fin" id="Picture_x0020_1" src="cid:%s" alt="%s"><![endif]>`,
				s.Width*3/4, s.Height*3/4, s.cid, s.Width, s.Height, float64(s.Width)/96, float64(s.Height)/96, s.cid, html.EscapeString(s.Alt))
		default:
			return fmt.Sprintf(`<img src="cid:%s" alt="%s" width="%d" height="%d">`, s.cid, html.EscapeString(s.Alt), s.Width, s.Height)
		}
	}
	para := func(p Piece) string {
		if p.Image != nil {
			return img(p.Image)
		}
		return htmlBreaks(p.Text)
	}
	when := r.ParentDate.Format("Monday, January 2, 2006 3:04 PM")
	switch r.Client {
	case OutlookDesktop:
		b.WriteString(`<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word" xmlns:m="http://schemas.microsoft.com/office/2004/12/omml" xmlns="http://www.w3.org/TR/REC-html40"><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><meta name="Generator" content="Microsoft Word 15 (filtered medium)"><style><!-- p.MsoNormal {margin:0cm;font-size:11.0pt;font-family:"Calibri",sans-serif;} --></style></head><body lang=EN-US link="#0563C1" vlink="#954F72" style='word-wrap:break-word'><div class=WordSection1>`)
		for _, p := range r.Body {
			fmt.Fprintf(&b, "<p class=MsoNormal>%s<o:p></o:p></p><p class=MsoNormal><o:p>&nbsp;</o:p></p>\n", para(p))
		}
		for _, p := range r.Signature {
			fmt.Fprintf(&b, "<p class=MsoNormal><span style='font-size:10.0pt;color:#1F3864'>%s</span><o:p></o:p></p>\n", para(p))
		}
		fmt.Fprintf(&b, `<p class=MsoNormal><o:p>&nbsp;</o:p></p><div><div style='border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm'><p class=MsoNormal><b>From:</b> %s <br><b>Sent:</b> %s<br><b>To:</b> %s<br><b>Subject:</b> %s<o:p></o:p></p></div></div><p class=MsoNormal><o:p>&nbsp;</o:p></p><p class=MsoNormal>%s<o:p></o:p></p></div></body></html>`,
			html.EscapeString(r.ParentFrom), when, html.EscapeString(r.ParentTo), html.EscapeString(r.ParentSubject), htmlBreaks(r.ParentText))
	case OutlookWeb:
		b.WriteString(`<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><style type="text/css" style="display:none;"> P {margin-top:0;margin-bottom:0;} </style></head><body dir="ltr">`)
		for _, p := range r.Body {
			fmt.Fprintf(&b, `<div class="elementToProof" style="font-family: Aptos, sans-serif; font-size: 12pt;">%s</div><div class="elementToProof"><br></div>`+"\n", para(p))
		}
		b.WriteString(`<div id="Signature">`)
		for _, p := range r.Signature {
			fmt.Fprintf(&b, "<p>%s</p>\n", para(p))
		}
		fmt.Fprintf(&b, `</div><div id="appendonsend"></div><hr style="display:inline-block;width:98%%" tabindex="-1"><div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif" style="font-size:11pt" color="#000000"><b>From:</b> %s<br><b>Sent:</b> %s<br><b>To:</b> %s<br><b>Subject:</b> %s</font><div>&nbsp;</div></div><div class="BodyFragment"><font size="2"><span style="font-size:11pt;"><div class="PlainText">%s</div></span></font></div></body></html>`,
			html.EscapeString(r.ParentFrom), when, html.EscapeString(r.ParentTo), html.EscapeString(r.ParentSubject), htmlBreaks(r.ParentText))
	case GmailWeb:
		b.WriteString(`<div dir="ltr">`)
		for _, p := range r.Body {
			fmt.Fprintf(&b, "<div>%s</div><div><br></div>", para(p))
		}
		if len(r.Signature) > 0 {
			b.WriteString(`<span class="gmail_signature_prefix">-- </span><br><div dir="ltr" class="gmail_signature" data-smartmail="gmail_signature"><div dir="ltr">`)
			for _, p := range r.Signature {
				fmt.Fprintf(&b, "<div>%s</div>", para(p))
			}
			b.WriteString(`</div></div>`)
		}
		fmt.Fprintf(&b, `</div><br><div class="gmail_quote gmail_quote_container"><div dir="ltr" class="gmail_attr">On %s %s wrote:<br></div><blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">%s</blockquote></div>`,
			r.ParentDate.Format("Mon, Jan 2, 2006 at 3:04 PM"), html.EscapeString(r.ParentFrom), htmlBreaks(r.ParentText))
	case IOSMail:
		b.WriteString(`<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head><body dir="auto">`)
		for _, p := range r.Body {
			fmt.Fprintf(&b, `<div dir="ltr">%s</div><div dir="ltr"><br></div>`, para(p))
		}
		b.WriteString(`<div dir="ltr"><br id="lineBreakAtBeginningOfSignature">`)
		for _, p := range r.Signature {
			fmt.Fprintf(&b, "%s<br>", para(p))
		}
		b.WriteString(`Sent from my iPhone</div>`)
		fmt.Fprintf(&b, `<div dir="ltr"><br><blockquote type="cite">On %s, %s wrote:<br><br></blockquote></div><blockquote type="cite"><div dir="ltr">%s</div></blockquote></body></html>`,
			r.ParentDate.Format("2 Jan 2006, at 15:04"), html.EscapeString(r.ParentFrom), htmlBreaks(r.ParentText))
	}
	return b.String()
}

func (r Reply) imagePart(s shown) string {
	var b strings.Builder
	switch r.Client {
	case OutlookDesktop, OutlookWeb:
		stamp := r.Date.UTC().Format(time.RFC1123)
		fmt.Fprintf(&b, "Content-Type: %s; name=\"%s\"\r\nContent-Description: %s\r\nContent-Disposition: inline; filename=\"%s\"; size=%d;\r\n\tcreation-date=\"%s\";\r\n\tmodification-date=\"%s\"\r\nContent-ID: <%s>\r\n",
			s.ContentType, s.name, s.name, s.name, len(s.Content), stamp, stamp, s.cid)
	case GmailWeb:
		fmt.Fprintf(&b, "Content-Type: %s; name=\"%s\"\r\nContent-Disposition: inline; filename=\"%s\"\r\nContent-ID: <%s>\r\nX-Attachment-Id: %s\r\n",
			s.ContentType, s.name, s.name, s.cid, s.cid)
	case IOSMail:
		fmt.Fprintf(&b, "Content-Type: %s;\r\n\tname=%s;\r\n\tx-apple-part-url=%s\r\nContent-Disposition: inline;\r\n\tfilename=%s\r\nContent-Id: <%s>\r\n",
			s.ContentType, s.name, s.cid, s.name, s.cid)
	}
	b.WriteString("Content-Transfer-Encoding: base64\r\n\r\n")
	b.WriteString(base64Lines(s.Content))
	return b.String()
}

func (r Reply) filePart(f File) string {
	var b strings.Builder
	switch r.Client {
	case OutlookDesktop, OutlookWeb:
		stamp := r.Date.UTC().Format(time.RFC1123)
		fmt.Fprintf(&b, "Content-Type: %s; name=\"%s\"\r\nContent-Description: %s\r\nContent-Disposition: attachment; filename=\"%s\"; size=%d;\r\n\tcreation-date=\"%s\";\r\n\tmodification-date=\"%s\"\r\n",
			f.ContentType, f.Name, f.Name, f.Name, len(f.Content), stamp, stamp)
	case GmailWeb:
		// Gmail gives every file a Content-ID, attached ones too.
		fmt.Fprintf(&b, "Content-Type: %s; name=\"%s\"\r\nContent-Disposition: attachment; filename=\"%s\"\r\nContent-ID: <f_m3xk2a0c0>\r\nX-Attachment-Id: f_m3xk2a0c0\r\n",
			f.ContentType, f.Name, f.Name)
	case IOSMail:
		fmt.Fprintf(&b, "Content-Type: %s;\r\n\tname=%s;\r\n\tx-apple-part-url=5A1F0E3B-2C44-4D0A-9E1B-7F3C2D1A0B99\r\nContent-Disposition: attachment;\r\n\tfilename=%s\r\n",
			f.ContentType, f.Name, f.Name)
	}
	b.WriteString("Content-Transfer-Encoding: base64\r\n\r\n")
	b.WriteString(base64Lines(f.Content))
	return b.String()
}

// multipart is a multipart entity: its Content-Type line, then parts.
func multipart(subtype, boundary string, parts []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Content-Type: multipart/%s;\r\n\tboundary=\"%s\"\r\n\r\n", subtype, boundary)
	for _, p := range parts {
		fmt.Fprintf(&b, "--%s\r\n%s\r\n", boundary, strings.TrimRight(p, "\r\n"))
	}
	fmt.Fprintf(&b, "--%s--\r\n", boundary)
	return b.String()
}

// encodeAddr encodes a "Name <address>" display name as RFC 2047 asks.
func encodeAddr(a string) string {
	i := strings.LastIndex(a, "<")
	if i <= 0 {
		return a
	}
	name := strings.TrimSpace(a[:i])
	if isASCII(name) {
		return a
	}
	return mime.QEncoding.Encode("utf-8", name) + " " + a[i:]
}
