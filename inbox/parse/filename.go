package parse

import (
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/emersion/go-message"
)

// extendedName is a part's file name written as an RFC 2231 parameter in
// a charset other than UTF-8 (filename*=iso-8859-1”k%EBrkes%EB.pdf, or
// continued, filename*0*=…; filename*1*=…), which the standard parser
// drops, whole or but for the pieces after the first; "" when there is
// none (UTF-8 and ASCII ones it reads). Mutt's default writes ë and ç so,
// in ISO-8859-1, and older Thunderbird in the mail's own charset.
func (p *parser) extendedName(h message.Header, where string) string {
	for _, f := range []struct{ header, key string }{{"Content-Disposition", "filename"}, {"Content-Type", "name"}} {
		cs, b, ok := extendedParam(h.Get(f.header), f.key)
		if !ok {
			continue
		}
		switch normalizeCharsetLabel(cs) {
		case "", "utf-8", "utf8", "us-ascii", "ascii":
			return ""
		}
		return p.decodeText(b, cs, "file name in "+where)
	}
	return ""
}

// extendedParam reads parameter key of a header value as RFC 2231 writes
// it: key*=charset'lang'%XX…, or in pieces key*0*, key*1, … (those with a
// star percent-encoded), joined in order. It gives the charset and the
// bytes, and whether there was such a parameter.
func extendedParam(v, key string) (charset string, value []byte, ok bool) {
	type piece struct {
		n       int
		val     string
		encoded bool
	}
	if !strings.Contains(v, "*") {
		return "", nil, false // most names: read without a cost to every file
	}
	var pieces []piece
	fields := strings.Split(v, ";")
	for _, f := range fields[1:] {
		k, val, found := strings.Cut(f, "=")
		k = strings.ToLower(strings.TrimSpace(k))
		if !found || !strings.HasPrefix(k, key+"*") {
			continue
		}
		rest := k[len(key)+1:]
		pc := piece{val: strings.TrimSpace(val)}
		switch {
		case rest == "":
			pc.encoded = true
		default:
			num, star := strings.CutSuffix(rest, "*")
			n, err := strconv.Atoi(num)
			if err != nil || n < 0 || n > 100 {
				continue
			}
			pc.n, pc.encoded = n, star
		}
		if !pc.encoded {
			pc.val = strings.Trim(pc.val, `"`)
		}
		pieces = append(pieces, pc)
	}
	if len(pieces) == 0 {
		return "", nil, false
	}
	sort.SliceStable(pieces, func(i, j int) bool { return pieces[i].n < pieces[j].n })
	for i, pc := range pieces {
		if pc.n != i {
			break // a piece missing: what follows it is not this name's
		}
		val := pc.val
		if i == 0 && pc.encoded {
			// charset'language'text
			parts := strings.SplitN(val, "'", 3)
			if len(parts) == 3 {
				charset, val = parts[0], parts[2]
			}
		}
		if pc.encoded {
			if dec, err := url.PathUnescape(val); err == nil {
				val = dec
			}
		}
		value = append(value, val...)
	}
	return charset, value, true
}
