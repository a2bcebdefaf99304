package mailer

import "bytes"

// dataEnd ends the message data when the message ends with a line break.
const dataEnd = ".\r\n"

// wireData returns what goes on the wire after DATA for msg: the bytes
// go-smtp's DATA writer (net/textproto's DotWriter) writes for msg and its
// Close, byte for byte. The DotWriter copies a byte at a time; this scans
// line by line and, unless a line must change, copies msg only once to add
// the end (in place when msg has the room, so msg may be overwritten).
//
// The DotWriter doubles a dot that starts a line, writes "\r\n" for a "\n"
// that does not end a "\r\n" (a "\r" counts only when an odd run of them
// comes just before the "\n": "\r\r\n" is written "\r\r\r\n"), and its
// Close ends the data with ".\r\n" after a line break, "\n.\r\n" after a
// lone "\r", and "\r\n.\r\n" otherwise.
func wireData(msg []byte) []byte {
	out := msg
	if needsChange(msg, true) {
		out = normalize(msg, true)
	}
	switch {
	case len(out) > 0 && out[len(out)-1] == '\n':
		// The line break is "\r\n" by now.
		return append(out, dataEnd...)
	case !evenCRs(out):
		return append(out, "\n"+dataEnd...)
	}
	return append(out, "\r\n"+dataEnd...)
}

// chunkData returns the one BDAT chunk (RFC 3030) that carries msg: the
// bytes a server takes in when wireData(msg) is sent after DATA, that is
// the same line breaks and the same ending, with no dots doubled and no
// end line. Unlike wireData it never writes into msg's spare room, so both
// may be taken from one msg; msg itself is returned when it is already in
// that form, as rendered mail is.
func chunkData(msg []byte) []byte {
	out := msg[:len(msg):len(msg)]
	if needsChange(msg, false) {
		out = normalize(msg, false)
	}
	switch {
	case len(out) > 0 && out[len(out)-1] == '\n':
		return out
	case !evenCRs(out):
		return append(out, '\n')
	}
	return append(out, "\r\n"...)
}

// normalize copies msg as the DotWriter writes it, line by line, doubling
// a dot that starts a line when stuff is set.
func normalize(msg []byte, stuff bool) []byte {
	out := make([]byte, 0, len(msg)+len(msg)/64+16)
	line := msg
	for len(line) > 0 {
		if stuff && line[0] == '.' {
			out = append(out, '.')
		}
		nl := bytes.IndexByte(line, '\n')
		if nl < 0 {
			out = append(out, line...)
			break
		}
		out = append(out, line[:nl]...)
		if evenCRs(line[:nl]) {
			out = append(out, '\r')
		}
		out = append(out, '\n')
		line = line[nl+1:]
	}
	return out
}

// needsChange reports whether a DotWriter would change msg (apart from
// ending it): a "\n" it would precede with "\r", or, when stuff is set, a
// line that starts with a dot.
func needsChange(msg []byte, stuff bool) bool {
	line := msg
	for len(line) > 0 {
		if stuff && line[0] == '.' {
			return true
		}
		nl := bytes.IndexByte(line, '\n')
		if nl < 0 {
			return false
		}
		if evenCRs(line[:nl]) {
			return true
		}
		line = line[nl+1:]
	}
	return false
}

// evenCRs reports whether b ends in an even number (perhaps none) of "\r",
// which leaves the DotWriter outside its "\r seen" state.
func evenCRs(b []byte) bool {
	n := 0
	for n < len(b) && b[len(b)-1-n] == '\r' {
		n++
	}
	return n%2 == 0
}
