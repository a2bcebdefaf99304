package desk

import (
	"strings"

	"sportel/inquiry"
)

// placeImages decides, for each image an officer's answer m shows inside
// its HTML (Attachment.Inline), whether the citizen gets it as a file. A
// picture the officer pasted into their own words goes: the answer the
// citizen reads is plain text, which cannot show it in place, and its
// words may point at it ("see the screenshot"). One in their signature
// (a logo, a social network's icon), which every mail of theirs carries,
// or in the quoted mail below their words does not: it is marked NotSent,
// and stays in the raw mail and on the answer's record. Where an image
// stands is read from the HTML written out with the images marked
// (m.HTMLText), with the quoted history told by what Sportel sent (sent),
// as the answer's text is.
//
// It returns the alt texts each shown image has in the HTML, by
// Content-ID: what a client may write for it in the plain text.
func (d *Desk) placeImages(m *inquiry.Message, officer inquiry.Officer, sent []string) map[string][]string {
	shown := false
	for _, a := range m.Attachments {
		shown = shown || a.Inline
	}
	if !shown {
		return nil
	}
	lines, drop := answerLines(m.HTMLText, sent)
	first, last := -1, -1
	for i, dropped := range drop {
		if dropped {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	// The officer's words: what is neither quoted history nor inside it
	// (an officer who answers below the quote writes after it).
	where := map[string]string{}
	alts := map[string][]string{}
	for _, l := range lines {
		if id, alt, ok := imageMark(l.raw); ok && alt != "" {
			alts[id] = append(alts[id], alt)
		}
	}
	var own []string
	for i, l := range lines {
		switch {
		case i >= first && i <= last:
			if id, _, ok := imageMark(l.raw); ok {
				where[id] = inquiry.NotSentQuoted
			}
		case !drop[i]:
			own = append(own, l.raw)
		}
	}
	sig := signatureStart(own, officer, d.cfg.DivisionName)
	var words []string
	for _, l := range own[:sig] {
		if _, _, mark := imageMark(l); !mark {
			words = append(words, l)
		}
	}
	if text, _ := ParseCommands(strings.Join(words, "\n")); strings.TrimSpace(text) == "" {
		// No words of the officer's for a picture to stand among (commands
		// only, or nothing): what pictures there are dress the mail.
		sig = 0
	}
	for j, l := range own {
		id, _, ok := imageMark(l)
		switch {
		case !ok:
		case j < sig:
			where[id] = "body"
		case where[id] != "body":
			where[id] = inquiry.NotSentSignature
		}
	}
	for i := range m.Attachments {
		a := &m.Attachments[i]
		if !a.Inline {
			continue
		}
		switch where[a.ContentID] {
		case "body":
			a.NotSent = ""
		case "":
			// Shown only where text has no place (a background, a
			// Word shape): the mail's dressing, not the officer's words.
			a.NotSent = inquiry.NotSentSignature
		default:
			a.NotSent = where[a.ContentID]
		}
	}
	return alts
}

// imageMark returns the Content-ID and alt text a line "[cid:ID] ALT" of
// HTMLText names.
func imageMark(line string) (id, alt string, ok bool) {
	l := strings.TrimSpace(line)
	if !strings.HasPrefix(l, "[cid:") {
		return "", "", false
	}
	end := strings.IndexByte(l, ']')
	if end < 0 {
		return "", "", false
	}
	id, alt = l[len("[cid:"):end], strings.TrimSpace(l[end+1:])
	return id, alt, id != ""
}

// signatureStart returns the index of the first line of the officer's
// signature in own, their words in order, or len(own) when there is none:
// a "-- " line (or a rule), else their last closing ("Me respekt,"), else
// the lines at the end that are their name, title, the division's name
// and contact lines (with pictures between them). What a signature holds
// beyond those (an address, a disclaimer) ends it too early, so a logo
// below such lines is still found in it.
func signatureStart(own []string, officer inquiry.Officer, division map[inquiry.Language]string) int {
	for i, l := range own {
		if t := strings.TrimSpace(l); len(t) >= 2 && strings.Trim(t, "-_") == "" {
			return i
		}
	}
	for i := len(own) - 1; i >= 0; i-- {
		if closingLine(own[i]) {
			return i
		}
	}
	known := signatureWords(officer, division)
	start := len(own)
	for i := len(own) - 1; i >= 0; i-- {
		t := strings.TrimSpace(own[i])
		if _, _, mark := imageMark(t); t == "" || mark {
			continue
		}
		if !known[strings.ToLower(t)] && !contactLine(t) {
			break
		}
		start = i
	}
	return start
}

// signatureWords are the lines, lower-cased, that name the officer or
// their division in a signature.
func signatureWords(officer inquiry.Officer, division map[inquiry.Language]string) map[string]bool {
	known := map[string]bool{}
	for _, s := range []string{officer.Name, officer.Title, officer.Email} {
		if s = strings.ToLower(strings.TrimSpace(s)); s != "" {
			known[s] = true
		}
	}
	for _, s := range division {
		if s = strings.ToLower(strings.TrimSpace(s)); s != "" {
			known[s] = true
		}
	}
	return known
}

// closingLine reports whether l, alone on its line, closes a letter.
func closingLine(l string) bool {
	t := strings.ToLower(strings.Trim(strings.TrimSpace(l), ",.!;: "))
	switch t {
	case "me respekt", "me nderime", "me konsideratë", "me konsiderata", "përshëndetje të përzemërta", "faleminderit",
		"kind regards", "best regards", "regards", "sincerely", "yours sincerely", "yours faithfully", "thank you", "thanks",
		"srdačan pozdrav", "s poštovanjem", "sa poštovanjem", "pozdrav", "hvala",
		"срдачан поздрав", "с поштовањем", "са поштовањем", "поздрав", "хвала":
		return true
	}
	return false
}

// withoutImageMarks is an officer's answer text as the citizen gets it:
// what their client wrote in the plain text for each picture shown inside
// the HTML — Outlook's "[cid:ID]", Gmail's "[image: alt]", the alt text
// in brackets — names the file for one sent, and is taken out, with the
// line it leaves empty, for one not sent. alts are the pictures' alt
// texts by Content-ID (placeImages).
func withoutImageMarks(text string, files []inquiry.Attachment, alts map[string][]string) string {
	var named []string // mark, then what it becomes, for strings.Replacer
	var gone []string  // marks of pictures not sent, alone on their line
	for _, a := range files {
		if !a.Inline || a.ContentID == "" {
			continue
		}
		marks := []string{"[cid:" + a.ContentID + "]"}
		for _, alt := range append([]string{a.Name}, alts[a.ContentID]...) {
			marks = append(marks, "[image: "+alt+"]", "["+alt+"]")
		}
		for _, mk := range marks {
			if a.NotSent == "" {
				named = append(named, mk, "["+a.Name+"]")
			} else {
				gone = append(gone, mk)
			}
		}
	}
	if len(named)+len(gone) == 0 {
		return text
	}
	r := strings.NewReplacer(named...)
	var out []string
	for line := range strings.SplitSeq(text, "\n") {
		if line = r.Replace(line); onlyMarks(line, gone) {
			continue
		}
		out = append(out, line)
	}
	s := strings.Join(out, "\n")
	for strings.Contains(s, "\n\n\n") {
		s = strings.ReplaceAll(s, "\n\n\n", "\n\n")
	}
	return strings.TrimSpace(s)
}

// onlyMarks reports whether line holds nothing but marks (and spaces), at
// least one.
func onlyMarks(line string, marks []string) bool {
	l := strings.TrimSpace(line)
	if l == "" {
		return false
	}
	for l != "" {
		cut := false
		for _, mk := range marks {
			if rest, ok := strings.CutPrefix(l, mk); ok {
				l, cut = strings.TrimSpace(rest), true
				break
			}
		}
		if !cut {
			return false
		}
	}
	return true
}
