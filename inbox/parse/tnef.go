package parse

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/emersion/go-message"

	"sportel/inquiry"
)

// Outlook and Exchange may send a mail's body and its files only inside a
// TNEF stream (application/ms-tnef, "winmail.dat", [MS-OXTNEF]). The Go
// TNEF module the brief names is not served by the module proxy here, so
// this is a reader of the part of the format that carries words and
// files: the attribute stream, the MAPI property lists in it, and the
// compressed RTF body ([MS-OXRTFCP]) with HTML encapsulated in RTF
// ([MS-OXRTFEX]). A stream it cannot read is kept as it came.

// tnefSignature opens every TNEF stream.
const tnefSignature = 0x223E9F78

// TNEF attributes (the low 16 bits of the attribute id).
const (
	attBody           = 0x800C
	attAttachTitle    = 0x8010
	attAttachData     = 0x800F
	attAttachRendData = 0x9002
	attMAPIProps      = 0x9003
	attAttachment     = 0x9005
	attOEMCodepage    = 0x9007
)

// MAPI property ids and types read here.
const (
	prBody            = 0x1000
	prRTFCompressed   = 0x1009
	prHTML            = 0x1013
	prInternetCPID    = 0x3FDE
	prDisplayName     = 0x3001
	prAttachDataBin   = 0x3701
	prAttachFilename  = 0x3704
	prAttachLongName  = 0x3707
	prAttachMIMETag   = 0x370E
	prAttachContentID = 0x3712

	ptString8 = 0x001E
	ptUnicode = 0x001F
	ptBinary  = 0x0102
	ptObject  = 0x000D
	ptMulti   = 0x1000
)

// maxTNEFProps bounds a property list's count: Outlook writes tens.
const maxTNEFProps = 4096

// tnefFile is a file found in a TNEF stream.
type tnefFile struct {
	title, longName, mimeTag, contentID string
	data                                []byte
}

// tnefMessage is what a TNEF stream holds that Sportel reads.
type tnefMessage struct {
	body     string // plain text (attBody or PR_BODY), for decodeTNEFString
	html     []byte // PR_HTML, in codepage
	rtf      []byte // PR_RTF_COMPRESSED
	codepage int
	files    []tnefFile
}

// tnef reads a winmail.dat part: its body becomes the mail's words and its
// files attachments like any other. One that cannot be read, or holds
// nothing, is kept as the attachment it came as.
func (p *parser) tnef(mh message.Header, mediaType string, data []byte, where string, m *inquiry.Message) []textPiece {
	t, err := readTNEF(data)
	if err == nil && strings.TrimPrefix(t.body, "\x00u") == "" && len(t.html) == 0 && len(t.rtf) == 0 && len(t.files) == 0 {
		err = errors.New("no body and no files in it")
	}
	if err != nil {
		p.problem("TNEF (winmail.dat) in %s not readable (%s); kept as it came", where, truncateForRecord(err.Error()))
		p.attach(m, mh, mediaType, data, where)
		return nil
	}
	var pieces []textPiece
	cs := codepageCharset(t.codepage)
	switch {
	case strings.TrimSpace(strings.TrimPrefix(t.body, "\x00u")) != "":
		pieces = append(pieces, textPiece{text: decodeTNEFString(t.body, cs)})
	case len(t.html) > 0:
		text, ok := strings.CutPrefix(string(t.html), "\x00u")
		if !ok {
			text = p.decodeText(t.html, cs, "HTML body of the TNEF in "+where)
		}
		pieces = append(pieces, textPiece{text: text, html: true})
	case len(t.rtf) > 0:
		text, isHTML, err := rtfBody(t.rtf, cs)
		if err != nil {
			p.problem("RTF body of the TNEF in %s not readable (%s); the raw message keeps it", where, truncateForRecord(err.Error()))
		} else {
			pieces = append(pieces, textPiece{text: text, html: isHTML})
		}
	}
	for i, f := range t.files {
		name := f.longName
		if name == "" {
			name = f.title
		}
		fileWhere := fmt.Sprintf("file %d of the TNEF in %s", i+1, where)
		name = p.headerText(decodeTNEFString(name, cs), "file name in "+fileWhere)
		ct := strings.ToLower(strings.TrimSpace(decodeTNEFString(f.mimeTag, "us-ascii")))
		if ct == "" || !strings.Contains(ct, "/") {
			ct = "application/octet-stream"
		}
		var h message.Header
		h.Set("Content-Type", ct)
		if name != "" {
			h.SetContentDisposition("attachment", map[string]string{"filename": name})
		}
		if id := decodeTNEFString(f.contentID, "us-ascii"); id != "" {
			h.Set("Content-Id", "<"+id+">")
		}
		p.attach(m, h, ct, f.data, fileWhere)
	}
	return pieces
}

// codepageCharset names a Windows code page as a charset label.
func codepageCharset(cp int) string {
	switch {
	case cp == 65001:
		return "utf-8"
	case cp == 20127:
		return "us-ascii"
	case cp >= 28591 && cp <= 28606:
		return "iso-8859-" + strconv.Itoa(cp-28590)
	case cp >= 1250 && cp <= 1258, cp == 874:
		return "windows-" + strconv.Itoa(cp)
	}
	return "windows-1252"
}

// decodeTNEFString is a string property's raw value as text: UTF-16 for
// PT_UNICODE (marked by tnefProps with a leading "\x00u"), else in cs.
func decodeTNEFString(s, cs string) string {
	if rest, ok := strings.CutPrefix(s, "\x00u"); ok {
		return rest
	}
	if cs == "utf-8" || cs == "us-ascii" {
		return strings.ToValidUTF8(s, "\uFFFD")
	}
	return decodeSingleByte(cs, []byte(s))
}

// tnefReader reads little-endian values from a TNEF stream.
type tnefReader struct {
	b   []byte
	off int
	err error
}

func (r *tnefReader) take(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.b)-r.off {
		r.err = fmt.Errorf("cut short at byte %d", r.off)
		return nil
	}
	out := r.b[r.off : r.off+n]
	r.off += n
	return out
}

func (r *tnefReader) u16() int {
	b := r.take(2)
	if b == nil {
		return 0
	}
	return int(binary.LittleEndian.Uint16(b))
}

func (r *tnefReader) u32() int {
	b := r.take(4)
	if b == nil {
		return 0
	}
	return int(binary.LittleEndian.Uint32(b))
}

// pad skips to the next multiple of 4 after a value of n bytes.
func (r *tnefReader) pad(n int) {
	if rem := n % 4; rem != 0 {
		r.take(4 - rem)
	}
}

func readTNEF(data []byte) (*tnefMessage, error) {
	r := &tnefReader{b: data}
	if r.u32() != tnefSignature || r.err != nil {
		return nil, errors.New("no TNEF signature")
	}
	r.u16() // legacy key
	t := &tnefMessage{}
	var cur *tnefFile
	for r.err == nil && r.off < len(data) {
		level := r.take(1)
		id := r.u32() & 0xFFFF
		value := r.take(r.u32())
		r.u16() // checksum: a wrong one still reads
		if r.err != nil {
			break
		}
		attachmentLevel := level[0] == 2
		switch id {
		case attBody:
			t.body = strings.TrimRight(string(value), "\x00")
		case attOEMCodepage:
			if len(value) >= 4 && t.codepage == 0 {
				t.codepage = int(binary.LittleEndian.Uint32(value))
			}
		case attAttachRendData:
			t.files = append(t.files, tnefFile{})
			cur = &t.files[len(t.files)-1]
		case attAttachTitle:
			if cur != nil {
				cur.title = strings.TrimRight(string(value), "\x00")
			}
		case attAttachData:
			if cur != nil {
				cur.data = value
			}
		case attMAPIProps, attAttachment:
			props, err := tnefProps(value)
			if err != nil {
				return nil, fmt.Errorf("MAPI properties: %w", err)
			}
			if id == attAttachment || attachmentLevel {
				if cur == nil {
					continue
				}
				for _, pr := range props {
					switch pr.id {
					case prAttachLongName:
						cur.longName = pr.str()
					case prAttachFilename, prDisplayName:
						if cur.title == "" {
							cur.title = pr.str()
						}
					case prAttachMIMETag:
						cur.mimeTag = pr.str()
					case prAttachContentID:
						cur.contentID = pr.str()
					case prAttachDataBin:
						if cur.data == nil {
							cur.data = pr.value
						}
					}
				}
				continue
			}
			for _, pr := range props {
				switch pr.id {
				case prBody:
					if t.body == "" {
						t.body = pr.str()
					}
				case prHTML:
					t.html = []byte(pr.str())
				case prRTFCompressed:
					t.rtf = pr.value
				case prInternetCPID:
					if len(pr.value) >= 4 {
						t.codepage = int(binary.LittleEndian.Uint32(pr.value))
					}
				}
			}
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	// A file with neither name nor bytes is nothing to keep.
	kept := t.files[:0]
	for _, f := range t.files {
		if f.data != nil || f.title != "" || f.longName != "" {
			kept = append(kept, f)
		}
	}
	t.files = kept
	return t, nil
}

// tnefProp is one MAPI property: its id, type and (first) value's bytes.
type tnefProp struct {
	id, typ int
	value   []byte
}

// str is a string property's value; PT_UNICODE comes marked "\x00u" and
// already decoded, for decodeTNEFString.
func (pr tnefProp) str() string {
	if pr.typ == ptUnicode {
		u := make([]uint16, 0, len(pr.value)/2)
		for i := 0; i+1 < len(pr.value); i += 2 {
			u = append(u, binary.LittleEndian.Uint16(pr.value[i:]))
		}
		return "\x00u" + strings.TrimRight(string(utf16.Decode(u)), "\x00")
	}
	return strings.TrimRight(string(pr.value), "\x00")
}

// fixedSize is the size of a fixed-size MAPI value in a TNEF stream
// (padded to 4), or 0 for a type of variable size.
func fixedSize(typ int) (int, bool) {
	switch typ {
	case 0x0001, 0x0002, 0x0003, 0x0004, 0x000A, 0x000B:
		return 4, true
	case 0x0005, 0x0006, 0x0007, 0x0014, 0x0040:
		return 8, true
	case 0x0048:
		return 16, true
	case ptString8, ptUnicode, ptBinary, ptObject:
		return 0, true
	}
	return 0, false
}

func tnefProps(b []byte) ([]tnefProp, error) {
	r := &tnefReader{b: b}
	n := r.u32()
	if n > maxTNEFProps {
		return nil, fmt.Errorf("%d properties", n)
	}
	var props []tnefProp
	for i := 0; i < n && r.err == nil; i++ {
		typ, id := r.u16(), r.u16()
		if id >= 0x8000 {
			// A named property: its GUID, then a number or a name.
			r.take(16)
			if r.u32() == 1 {
				l := r.u32()
				r.take(l)
				r.pad(l)
			} else {
				r.u32()
			}
		}
		base := typ &^ ptMulti
		size, known := fixedSize(base)
		if !known {
			return nil, fmt.Errorf("property %04x of unknown type %04x", id, typ)
		}
		count := 1
		if typ&ptMulti != 0 || size == 0 {
			count = r.u32()
			if count > len(b) {
				return nil, fmt.Errorf("property %04x with %d values", id, count)
			}
		}
		var first []byte
		for j := 0; j < count && r.err == nil; j++ {
			var v []byte
			if size > 0 {
				v = r.take(size)
			} else {
				l := r.u32()
				v = r.take(l)
				r.pad(l)
				if base == ptObject && len(v) >= 16 {
					v = v[16:] // the interface's GUID
				}
			}
			if j == 0 {
				first = v
			}
		}
		props = append(props, tnefProp{id: id, typ: base, value: first})
	}
	if r.err != nil {
		return nil, r.err
	}
	return props, nil
}

// rtfPrebuffer is the dictionary compressed RTF starts with ([MS-OXRTFCP]
// 2.1.2.1).
const rtfPrebuffer = "{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss \\fmodern \\fscript " +
	"\\fdecor MS Sans SerifSymbolArialTimes New RomanCourier{\\colortbl\\red0\\green0\\blue0\r\n\\par " +
	"\\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx"

// maxRTFBytes bounds a decompressed RTF body: the stream says its size,
// and a hostile one could say gigabytes.
const maxRTFBytes = 16 << 20

// decompressRTF undoes [MS-OXRTFCP] compression (or reads the
// uncompressed form).
func decompressRTF(b []byte) ([]byte, error) {
	if len(b) < 16 {
		return nil, errors.New("compressed RTF header cut short")
	}
	compSize := int(binary.LittleEndian.Uint32(b[0:]))
	rawSize := int(binary.LittleEndian.Uint32(b[4:]))
	magic := binary.LittleEndian.Uint32(b[8:])
	crc := binary.LittleEndian.Uint32(b[12:])
	data := b[16:]
	if compSize-12 < len(data) && compSize >= 12 {
		data = data[:compSize-12]
	}
	switch magic {
	case 0x414C454D: // "MELA": stored uncompressed
		if rawSize > len(data) {
			rawSize = len(data)
		}
		return data[:rawSize], nil
	case 0x75465A4C: // "LZFu"
	default:
		return nil, fmt.Errorf("unknown RTF compression %08x", magic)
	}
	if got := ^crc32.Update(^uint32(0), crc32.IEEETable, data); got != crc {
		return nil, errors.New("compressed RTF fails its CRC")
	}
	if rawSize > maxRTFBytes {
		return nil, fmt.Errorf("RTF of %d bytes", rawSize)
	}
	var dict [4096]byte
	copy(dict[:], rtfPrebuffer)
	write := len(rtfPrebuffer)
	out := make([]byte, 0, rawSize)
	for i := 0; i < len(data); {
		control := data[i]
		i++
		for bit := 0; bit < 8 && i < len(data); bit++ {
			if control&(1<<bit) == 0 {
				c := data[i]
				i++
				out = append(out, c)
				dict[write%4096] = c
				write++
				continue
			}
			if i+1 >= len(data) {
				return nil, errors.New("compressed RTF cut short")
			}
			ref := int(data[i])<<8 | int(data[i+1])
			i += 2
			offset, length := ref>>4, ref&0xF+2
			if offset == write%4096 {
				return out, nil // the end marker
			}
			for k := 0; k < length; k++ {
				c := dict[(offset+k)%4096]
				out = append(out, c)
				dict[write%4096] = c
				write++
			}
			if len(out) > maxRTFBytes {
				return nil, errors.New("compressed RTF expands beyond its size")
			}
		}
	}
	return out, nil
}

// rtfBody is the words of a TNEF's compressed RTF body: the HTML an HTML
// mail was encapsulated from (isHTML), else the RTF's text.
func rtfBody(compressed []byte, cs string) (string, bool, error) {
	rtf, err := decompressRTF(compressed)
	if err != nil {
		return "", false, err
	}
	if !strings.HasPrefix(string(rtf), "{\\rtf") {
		return "", false, errors.New("not RTF")
	}
	text, isHTML := rtfText(rtf, cs)
	return text, isHTML, nil
}

// rtfSkipped are destinations whose text is no part of the body.
var rtfSkipped = map[string]bool{
	"fonttbl": true, "colortbl": true, "stylesheet": true, "info": true, "pict": true, "object": true,
	"header": true, "footer": true, "headerl": true, "headerr": true, "footerl": true, "footerr": true,
	"listtable": true, "listoverridetable": true, "rsidtbl": true, "generator": true, "xmlnstbl": true,
	"themedata": true, "colorschememapping": true, "latentstyles": true, "datastore": true, "mmathPr": true,
}

// rtfText reads an RTF document's text. When it encapsulates HTML
// (\fromhtml1), it gives back that HTML ([MS-OXRTFEX]): the \htmltag
// groups' markup and the text outside \htmlrtf runs.
func rtfText(rtf []byte, cs string) (string, bool) {
	type group struct{ skip, htmlTag bool }
	stack := []group{{}}
	fromHTML := false
	inHTMLRTF := false // inside \htmlrtf … \htmlrtf0: RTF only, not the HTML
	uc, pendingSkip := 1, 0
	var out strings.Builder
	var bytesRun []byte // \'hh bytes, decoded together in cs
	flush := func() {
		if len(bytesRun) > 0 {
			out.WriteString(decodeTNEFString(string(bytesRun), cs))
			bytesRun = bytesRun[:0]
		}
	}
	emit := func(s string) {
		g := stack[len(stack)-1]
		if g.skip || (fromHTML && inHTMLRTF && !g.htmlTag) {
			return
		}
		flush()
		out.WriteString(s)
	}
	for i := 0; i < len(rtf); i++ {
		c := rtf[i]
		if pendingSkip > 0 && c != '{' && c != '}' {
			pendingSkip--
			if c == '\\' && i+1 < len(rtf) && rtf[i+1] == '\'' {
				i += 3
			}
			continue
		}
		switch c {
		case '{':
			stack = append(stack, stack[len(stack)-1])
			stack[len(stack)-1].htmlTag = false
			if len(stack) > 2*maxDepth*10 {
				return out.String(), fromHTML
			}
		case '}':
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
			}
		case '\r', '\n':
		case '\\':
			if i+1 >= len(rtf) {
				continue
			}
			next := rtf[i+1]
			switch {
			case next == '\'' && i+3 < len(rtf):
				if v, err := strconv.ParseUint(string(rtf[i+2:i+4]), 16, 8); err == nil {
					g := stack[len(stack)-1]
					if !g.skip && !(fromHTML && inHTMLRTF && !g.htmlTag) {
						bytesRun = append(bytesRun, byte(v))
					}
				}
				i += 3
				continue
			case next == '*':
				stack[len(stack)-1].skip = true
				i++
				continue
			case next == '\\' || next == '{' || next == '}':
				emit(string(next))
				i++
				continue
			case next == '~':
				emit("\u00a0")
				i++
				continue
			case next == '\r' || next == '\n':
				emit("\n")
				i++
				continue
			}
			j := i + 1
			for j < len(rtf) && (rtf[j] >= 'a' && rtf[j] <= 'z' || rtf[j] >= 'A' && rtf[j] <= 'Z') {
				j++
			}
			word := string(rtf[i+1 : j])
			k := j
			if k < len(rtf) && rtf[k] == '-' {
				k++
			}
			for k < len(rtf) && rtf[k] >= '0' && rtf[k] <= '9' {
				k++
			}
			param, hasParam := 0, k > j
			if hasParam {
				param, _ = strconv.Atoi(string(rtf[j:k]))
			}
			if k < len(rtf) && rtf[k] == ' ' {
				k++
			}
			i = k - 1
			g := &stack[len(stack)-1]
			switch word {
			case "fromhtml":
				fromHTML = true
			case "htmltag":
				// Its markup is the HTML even inside an \htmlrtf run;
				// a \* before it marked the group skipped.
				g.skip, g.htmlTag = false, true
			case "htmlrtf":
				inHTMLRTF = !hasParam || param != 0
			case "par", "line":
				emit("\n")
			case "tab":
				emit("\t")
			case "uc":
				uc = param
			case "u":
				if param < 0 {
					param += 65536
				}
				emit(string(rune(param)))
				pendingSkip = uc
			case "emdash":
				emit("—")
			case "endash":
				emit("–")
			case "bullet":
				emit("•")
			case "lquote", "rquote":
				emit("'")
			case "ldblquote", "rdblquote":
				emit("\"")
			default:
				if rtfSkipped[word] {
					g.skip = true
				}
			}
		default:
			emit(string(c))
		}
	}
	flush()
	return out.String(), fromHTML
}

// isTNEF reports whether a part is a TNEF stream: by its type, or, sent
// as application/octet-stream by some gateways, by Outlook's file name.
func (p *parser) isTNEF(h message.Header, mediaType string) bool {
	switch mediaType {
	case "application/ms-tnef", "application/vnd.ms-tnef":
		return true
	case "application/octet-stream":
		_, dp := p.disposition(h)
		_, cp := lenientMediaType(h.Get("Content-Type"))
		return strings.EqualFold(dp["filename"], "winmail.dat") || strings.EqualFold(cp["name"], "winmail.dat")
	}
	return false
}
