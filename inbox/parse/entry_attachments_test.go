package parse_test

import (
	"bytes"
	"strings"
	"testing"

	"sportel/inbox/parse"
	"sportel/inquiry"
)

func TestEntryAttachments(t *testing.T) {
	raw := []byte("From: Arben <arben@example.net>\r\nTo: komunikimi@mkrs.example\r\nSubject: Leje\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nKërkoj lejen.\r\n" +
		"--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=leje.pdf\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n")
	pdf := inquiry.Attachment{Name: "leje.pdf", ContentType: "application/pdf", Size: 9}
	// Filed before names were cut to what a disk takes: the record names
	// the file in full, the raw mail now reads it cut.
	long := strings.Repeat("vendim-", 40) + ".pdf"
	rawLong := bytes.Replace(raw, []byte("filename=leje.pdf"), []byte(`filename="`+long+`"`), 1)
	// Filed before RFC 2231 names in ISO-8859-1 were read, or named by
	// its type on a machine whose table gave another extension: the
	// record names the file as the parser made its name up then.
	rawLatin1 := bytes.Replace(raw, []byte("filename=leje.pdf"), []byte("filename*=iso-8859-1''lej%EB.pdf"), 1)
	rawVideo := bytes.Replace(bytes.Replace(raw, []byte("application/pdf"), []byte("video/mp4"), 1),
		[]byte("Content-Disposition: attachment; filename=leje.pdf\r\n"), nil, 1)
	tests := []struct {
		name string
		rec  inquiry.Attachment
		raw  []byte
		want string // the bytes given back; "" none
	}{
		{"read back from the raw mail", pdf, raw, "%PDF-1.4\n"},
		{"kept in the record", inquiry.Attachment{Name: "foto.jpg", Size: 3, Content: []byte("jpg")}, nil, "jpg"},
		{"no raw mail", pdf, nil, ""},
		{"cut when it came in", inquiry.Attachment{Name: "leje.pdf", Size: 9, Truncated: true}, raw, ""},
		{"recorded otherwise than the raw mail reads", inquiry.Attachment{Name: "tjeter.pdf", Size: 9}, raw, ""},
		{"a Telegram file", inquiry.Attachment{Name: "leje.pdf", Size: 9, FileID: "AgAD"}, raw, ""},
		{"named in full before names were cut", inquiry.Attachment{Name: long, Size: 9}, rawLong, "%PDF-1.4\n"},
		{"named part-2.pdf before its name was read", inquiry.Attachment{Name: "part-2.pdf", Size: 9}, rawLatin1, "%PDF-1.4\n"},
		{"named by another machine's table", inquiry.Attachment{Name: "part-2.f4v", Size: 9}, rawVideo, "%PDF-1.4\n"},
		{"made up, another size", inquiry.Attachment{Name: "part-2.pdf", Size: 10}, rawLatin1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := inquiry.Entry{Attachments: []inquiry.Attachment{tt.rec}, Raw: tt.raw}
			got := parse.EntryAttachments(e)
			if len(got) != 1 || string(got[0].Content) != tt.want {
				t.Fatalf("got %+v, want content %q", got, tt.want)
			}
			if tt.rec.Content == nil && e.Attachments[0].Content != nil {
				t.Error("the entry's own record was changed")
			}
		})
	}
}
