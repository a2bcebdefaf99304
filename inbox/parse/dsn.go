package parse

import (
	"bufio"
	"bytes"
	"strings"
)

// failedDelivery reads a delivery-status part (RFC 3464): per-message
// fields, then a group of fields per recipient, groups apart by blank
// lines. It returns, for the first recipient whose Action is "failed", the
// server's Diagnostic-Code (without its type, "smtp;"), else its Status,
// else "delivery failed"; "" when no delivery failed (a delay warning, a
// relay's or a delivery's report).
func failedDelivery(data []byte) string {
	var action, status, diagnostic, last string
	verdict := func() string {
		if !strings.EqualFold(action, "failed") {
			return ""
		}
		switch {
		case diagnostic != "":
			return truncateForRecord(diagnostic)
		case status != "":
			return "status " + truncateForRecord(status)
		}
		return "delivery failed"
	}
	field := func(line string) {
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return
		}
		value = strings.Join(strings.Fields(value), " ")
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "action":
			action, _, _ = strings.Cut(value, " ") // "failed (bad mailbox)"
		case "status":
			status = value
		case "diagnostic-code":
			if _, text, typed := strings.Cut(value, ";"); typed {
				value = strings.TrimSpace(text)
			}
			diagnostic = value
		}
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		switch {
		case line != "" && (line[0] == ' ' || line[0] == '\t'):
			last += " " + strings.TrimSpace(line) // a folded field goes on
			continue
		case last != "":
			field(last)
		}
		last = line
		if line == "" {
			if why := verdict(); why != "" {
				return why
			}
			action, status, diagnostic = "", "", ""
		}
	}
	if last != "" {
		field(last)
	}
	return verdict()
}

// Phrases of the bounces that servers write as text instead of a
// delivery-status part (Exim, qmail, old sendmail, Courier, Mercury,
// hMailServer, Kerio, GroupWise, Domino, webmail providers), lower-cased.
var (
	// A copy of the original begins: the report's own words end there,
	// and a phrase in the copy (a citizen's "could not be delivered")
	// must not count.
	copyMarkers = []string{"copy of the message", "copy of your message", "below this line", "original message follows",
		"original message headers", "-- original message", "message/rfc822"}
	// A warning that delivery is late, not that it failed.
	delayPhrases = []string{"not yet been delivered", "warning message only", "delayed", "will continue to try", "will keep trying", "still trying", "will be retried", "will retry"}
	// A delivery that failed for good.
	failurePhrases = []string{
		"permanent error", "permanent fatal", "could not be delivered", "couldn't be delivered",
		"could not be reached", "unable to deliver", "wasn't able to deliver", "was not delivered",
		"undeliverable", "failed to deliver", "delivery failure", "delivery failed", "did not reach",
		"address(es) failed",
	}
)

// plainFailure reads a bounce written as text. It returns the first line
// of the report with a permanent SMTP reply (5xx), from its code on, else
// the first line that says the delivery failed; "" for a delay warning or
// a text that says neither. Only the report's words count: reading stops
// where the copy of the original begins.
func plainFailure(text string) string {
	var said, saidCode string
	for line := range strings.Lines(text) {
		line = strings.TrimSpace(line)
		lower := strings.ToLower(line)
		if containsAny(lower, copyMarkers) != "" || isQuotedHeader(lower) {
			break
		}
		if containsAny(lower, delayPhrases) != "" {
			return ""
		}
		if said == "" && containsAny(lower, failurePhrases) != "" {
			said = line
		}
		if saidCode == "" {
			saidCode = fromReplyCode(line)
		}
	}
	switch {
	case said == "":
		return ""
	case saidCode != "":
		return truncateForRecord(saidCode)
	}
	return truncateForRecord(said)
}

// fromReplyCode returns line from its permanent SMTP reply code on ("550
// 5.1.1 User unknown" of "Remote host said: 550 5.1.1 User unknown"), or
// "" when it has none: three digits from 500 to 559, standing alone.
func fromReplyCode(line string) string {
	for i := 0; i+3 <= len(line); i++ {
		if line[i] != '5' || line[i+1] < '0' || line[i+1] > '5' || !isDigit(line[i+2]) {
			continue
		}
		before := i == 0 || strings.ContainsRune(" \t:<>(", rune(line[i-1]))
		after := i+3 == len(line) || line[i+3] == ' ' || line[i+3] == '-'
		if before && after {
			return line[i:]
		}
	}
	return ""
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

// isQuotedHeader: a line that begins a copy's header block, for reports
// that quote the original without a marker line.
func isQuotedHeader(lower string) bool {
	for _, name := range []string{"return-path:", "received:", "message-id:"} {
		if strings.HasPrefix(lower, name) {
			return true
		}
	}
	return false
}
