package store

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"sportel/inquiry"
)

// A job's mail is stored in two columns: mail, the JSON of inquiry.Mail
// without its text, and mail_text, the text (SQLite migration 0017,
// PostgreSQL 0014). The text is most of a mail's bytes (an officer's
// notification quotes the citizen's whole message), and encoding and
// decoding it as JSON was most of what a job cost intake and the outbox.
// A row with mail_text NULL keeps its text in the JSON: every row written
// before the column was, and so is a text the JSON would not carry as it
// is, one with a NUL character (PostgreSQL's text holds none) or bytes
// that are not UTF-8 (the JSON has U+FFFD in their place), so that it
// reads back as it always did.

// EncodeJobMail returns m's JSON without its text, and the text for the
// mail_text column: a string, or nil when the text stays in the JSON.
func EncodeJobMail(m *inquiry.Mail) (js string, text any, err error) {
	rest := *m
	if strings.IndexByte(m.Text, 0) < 0 && utf8.ValidString(m.Text) {
		rest.Text, text = "", m.Text
	}
	b, err := json.Marshal(&rest)
	if err != nil {
		return "", nil, err
	}
	return string(b), text, nil
}

// DecodeJobMail reads a job's mail from its mail column js and its
// mail_text column, text (valid false when NULL).
func DecodeJobMail(js []byte, text string, valid bool) (*inquiry.Mail, error) {
	m := new(inquiry.Mail)
	if err := json.Unmarshal(js, m); err != nil {
		return nil, fmt.Errorf("decode mail: %w", err)
	}
	if valid {
		m.Text = text
	}
	return m, nil
}
