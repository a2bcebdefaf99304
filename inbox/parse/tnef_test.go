package parse

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"strings"
	"testing"
	"unicode/utf16"
)

// tnefBuilder writes a TNEF stream as Outlook does.
type tnefBuilder struct{ bytes.Buffer }

func newTNEF() *tnefBuilder {
	b := &tnefBuilder{}
	binary.Write(b, binary.LittleEndian, uint32(tnefSignature))
	binary.Write(b, binary.LittleEndian, uint16(0x1A2B))
	b.attr(1, 0x00089006, []byte{0, 0, 1, 0})                    // attTnefVersion
	b.attr(1, 0x00069007, []byte{0xE2, 0x04, 0, 0, 0, 0, 0, 0})  // attOemCodepage 1250
	b.attr(1, 0x00078008, []byte("IPM.Microsoft Mail.Note\x00")) // attMessageClass
	return b
}

func (b *tnefBuilder) attr(level byte, id uint32, data []byte) {
	b.WriteByte(level)
	binary.Write(b, binary.LittleEndian, id)
	binary.Write(b, binary.LittleEndian, uint32(len(data)))
	b.Write(data)
	sum := 0
	for _, c := range data {
		sum += int(c)
	}
	binary.Write(b, binary.LittleEndian, uint16(sum))
}

// mapiProp is one property for props: a string is PT_UNICODE, []byte
// PT_BINARY, uint32 PT_LONG.
type mapiProp struct {
	id    uint16
	value any
}

func props(list ...mapiProp) []byte {
	var b bytes.Buffer
	w := func(v any) { binary.Write(&b, binary.LittleEndian, v) }
	pad := func(n int) { b.Write(make([]byte, (4-n%4)%4)) }
	w(uint32(len(list)))
	for _, p := range list {
		switch v := p.value.(type) {
		case uint32:
			w(uint16(0x0003))
			w(p.id)
			w(v)
		case string:
			u := utf16.Encode([]rune(v + "\x00"))
			w(uint16(ptUnicode))
			w(p.id)
			w(uint32(1))
			w(uint32(2 * len(u)))
			w(u)
			pad(2 * len(u))
		case []byte:
			w(uint16(ptBinary))
			w(p.id)
			w(uint32(1))
			w(uint32(len(v)))
			b.Write(v)
			pad(len(v))
		}
	}
	return b.Bytes()
}

// compressRTF writes rtf as compressed RTF of literals only, ended by the
// end marker, as a valid LZFu stream.
func compressRTF(rtf string) []byte {
	var data []byte
	for i := 0; i < len(rtf); i += 8 {
		chunk := rtf[i:min(i+8, len(rtf))]
		control := byte(0)
		if len(chunk) < 8 {
			control = 1 << len(chunk) // the end marker follows the literals
		}
		data = append(data, control)
		data = append(data, chunk...)
	}
	if len(rtf)%8 == 0 {
		data = append(data, 1)
	}
	end := (len(rtfPrebuffer) + len(rtf)) % 4096
	data = append(data, byte(end>>4), byte(end<<4))
	head := make([]byte, 16)
	binary.LittleEndian.PutUint32(head[0:], uint32(len(data)+12))
	binary.LittleEndian.PutUint32(head[4:], uint32(len(rtf)))
	binary.LittleEndian.PutUint32(head[8:], 0x75465A4C)
	binary.LittleEndian.PutUint32(head[12:], ^crc32.Update(^uint32(0), crc32.IEEETable, data))
	return append(head, data...)
}

// outlookHTMLRTF is the RTF Outlook writes for an HTML mail in windows-1250.
const outlookHTMLRTF = `{\rtf1\ansi\ansicpg1250\fromhtml1 \fbidis \deff0{\fonttbl
{\f0\fswiss\fcharset238 Arial;}}
{\*\htmltag19 <html>}{\*\htmltag34 <head>}{\*\htmltag41 <style>}{\*\htmltag241 p {margin:0}}{\*\htmltag49 </style>}{\*\htmltag35 </head>}
{\*\htmltag18 <body>}\htmlrtf {\htmlrtf0
{\*\htmltag64 <p>}\htmlrtf {\htmlrtf0 T\'eb nderuar,\htmlrtf\par}\htmlrtf0
{\*\htmltag72 </p>}
{\*\htmltag64 <p>}\htmlrtf {\htmlrtf0 K\'ebrkoj kopjen e kontrat\'ebs p\'ebr rinovimin e stadiumit n\'eb Mitrovic\'eb. Formulari \'ebsht\'eb bashk\'ebngjitur.\htmlrtf\par}\htmlrtf0
{\*\htmltag72 </p>}
{\*\htmltag64 <p>}\htmlrtf {\htmlrtf0 Arta\htmlrtf\par}\htmlrtf0
{\*\htmltag72 </p>}
\htmlrtf }\htmlrtf0 {\*\htmltag26 </body>}{\*\htmltag27 </html>}}`

// richRTF is Outlook's rich-text body (no HTML in it), with a Unicode
// escape as Word writes one for a character outside the code page.
const richRTF = `{\rtf1\ansi\ansicpg1250\deff0\deflang1052{\fonttbl{\f0\fswiss\fcharset238 Calibri;}}
{\colortbl ;\red0\green0\blue255;}
{\*\generator Riched20 16.0.1234}\viewkind4\uc1 \pard\f0\fs22 T\'eb nderuar,\par
\par
K\u235?rkoj kopjen e kontrat\'ebs p\'ebr rinovimin e stadiumit n\'eb Mitrovic\'eb. Formulari \'ebsht\'eb bashk\'ebngjitur.\par
\par
Arta\par
}`

var tnefPDF = []byte("%PDF-1.4\n%\xc7\xec\x8f\xa2\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")

// winmail is an Outlook TNEF with the given message properties and the
// citizen's form.
func winmail(body ...mapiProp) []byte {
	b := newTNEF()
	b.attr(1, 0x00069003, props(body...))
	b.attr(2, 0x00069002, make([]byte, 14))           // attAttachRendData
	b.attr(2, 0x00018010, []byte("FORMUL~1.PDF\x00")) // attAttachTitle
	b.attr(2, 0x0006800F, tnefPDF)                    // attAttachData
	b.attr(2, 0x00069005, props(
		mapiProp{prAttachLongName, "Formulari për kërkesë.pdf"},
		mapiProp{prAttachMIMETag, "application/pdf"},
		mapiProp{0x3705, uint32(1)},
	))
	return b.Bytes()
}

// outlookTNEFMail is Outlook's mail with the body only in winmail.dat:
// the text part (when there is one) empty.
func outlookTNEFMail(textPart bool, tnef []byte) []byte {
	var b strings.Builder
	b.WriteString(citizenHeader("tnef@example.org", "=?windows-1250?Q?K=EBrkes=EB?=") +
		"Content-Type: multipart/mixed;\r\n\tboundary=\"_000_AM0PR01MB1234\"\r\nX-MS-Has-Attach: yes\r\n" +
		"X-MS-TNEF-Correlator: <AM0PR01MB1234@eurprd01.prod.exchangelabs.com>\r\n\r\n")
	if textPart {
		b.WriteString("--_000_AM0PR01MB1234\r\nContent-Type: text/plain; charset=\"us-ascii\"\r\n\r\n\r\n")
	}
	b.WriteString("--_000_AM0PR01MB1234\r\nContent-Type: application/ms-tnef; name=\"winmail.dat\"\r\n" +
		"Content-Disposition: attachment; filename=\"winmail.dat\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		b64(tnef) + "\r\n--_000_AM0PR01MB1234--\r\n")
	return []byte(b.String())
}

// TestOutlookTNEF: the words and files Outlook put only in winmail.dat are
// the mail's; a winmail.dat that cannot be read stays as it came.
func TestOutlookTNEF(t *testing.T) {
	const words = "Të nderuar,\n\nKërkoj kopjen e kontratës për rinovimin e stadiumit në Mitrovicë. Formulari është bashkëngjitur.\n\nArta"
	rtfBody := winmail(mapiProp{prRTFCompressed, compressRTF(outlookHTMLRTF)}, mapiProp{prInternetCPID, uint32(1250)})
	plainBody := winmail(mapiProp{prBody, strings.ReplaceAll(words, "\n", "\r\n")})
	htmlBody := winmail(mapiProp{prHTML, []byte("<html><body><p>T\xeb nderuar,</p><p>K\xebrkoj kopjen e kontrat\xebs p\xebr rinovimin e stadiumit n\xeb Mitrovic\xeb. Formulari \xebsht\xeb bashk\xebngjitur.</p><p>Arta</p></body></html>")},
		mapiProp{prInternetCPID, uint32(1250)})
	tests := []struct {
		name    string
		raw     []byte
		text    string
		files   []string
		problem string
	}{
		{"RTF from HTML, empty text part", outlookTNEFMail(true, rtfBody), words, []string{"Formulari për kërkesë.pdf"}, ""},
		{"plain body, no text part", outlookTNEFMail(false, plainBody), words, []string{"Formulari për kërkesë.pdf"}, ""},
		{"HTML body", outlookTNEFMail(true, htmlBody), words, []string{"Formulari për kërkesë.pdf"}, ""},
		{"RTF, rich text", outlookTNEFMail(true, winmail(mapiProp{prRTFCompressed, compressRTF(richRTF)})), words, []string{"Formulari për kërkesë.pdf"}, ""},
		{"not TNEF", outlookTNEFMail(true, []byte("this is no TNEF stream")), "", []string{"winmail.dat"}, "TNEF (winmail.dat) in part 2 not readable"},
		{"cut short", outlookTNEFMail(true, rtfBody[:len(rtfBody)/2]), "", []string{"winmail.dat"}, "not readable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := Parse(tt.raw, received, testOpts)
			wantText(t, m, tt.text)
			var names []string
			for _, a := range m.Attachments {
				names = append(names, a.Name)
				if a.Name == "Formulari për kërkesë.pdf" && (a.ContentType != "application/pdf" || !bytes.Equal(a.Content, tnefPDF)) {
					t.Errorf("the form came out as %s, %d bytes", a.ContentType, len(a.Content))
				}
			}
			if strings.Join(names, ",") != strings.Join(tt.files, ",") {
				t.Errorf("attachments %q, want %q", names, tt.files)
			}
			if tt.problem != "" {
				wantProblem(t, m, tt.problem)
			} else {
				wantNoProblems(t, m)
			}
			if got := Attachments(tt.raw, testOpts); !sameAttachments(got, m.Attachments) {
				t.Errorf("Attachments = %s, Parse gives %s", describeAtts(got), describeAtts(m.Attachments))
			}
		})
	}
}

// TestDecompressRTF reads the example of [MS-OXRTFCP] 3.1.1, whose
// stream refers back into its dictionary, and refuses a corrupt one.
func TestDecompressRTF(t *testing.T) {
	spec := []byte{0x2d, 0x00, 0x00, 0x00, 0x2b, 0x00, 0x00, 0x00, 0x4c, 0x5a, 0x46, 0x75, 0xf1, 0xc5, 0xc7, 0xa7,
		0x03, 0x00, 0x0a, 0x00, 0x72, 0x63, 0x70, 0x67, 0x31, 0x32, 0x35, 0x42, 0x32, 0x0a, 0xf3, 0x20,
		0x68, 0x65, 0x6c, 0x09, 0x00, 0x20, 0x62, 0x77, 0x05, 0xb0, 0x6c, 0x64, 0x7d, 0x0a, 0x80, 0x0f, 0xa0}
	got, err := decompressRTF(spec)
	if want := "{\\rtf1\\ansi\\ansicpg1252\\pard hello world}\r\n"; err != nil || string(got) != want {
		t.Errorf("decompress = %q, %v; want %q", got, err, want)
	}
	bad := bytes.Clone(spec)
	bad[20] ^= 0xff
	if _, err := decompressRTF(bad); err == nil {
		t.Error("a stream failing its CRC was read")
	}
}

// FuzzTNEF holds the TNEF and RTF readers to hostile bytes: no panic, no
// unbounded output.
func FuzzTNEF(f *testing.F) {
	f.Add(winmail(mapiProp{prRTFCompressed, compressRTF(outlookHTMLRTF)}, mapiProp{prInternetCPID, uint32(1250)}))
	f.Add(winmail(mapiProp{prBody, "tekst"}))
	f.Add(compressRTF(richRTF))
	f.Fuzz(func(t *testing.T, b []byte) {
		if tn, err := readTNEF(b); err == nil && len(tn.rtf) > 0 {
			rtfBody(tn.rtf, "windows-1250")
		}
		if out, err := decompressRTF(b); err == nil && len(out) > maxRTFBytes+4096 {
			t.Fatalf("%d bytes out", len(out))
		}
		rtfText(b, "windows-1252")
	})
}
