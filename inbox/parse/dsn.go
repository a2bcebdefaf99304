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
