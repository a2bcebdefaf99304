package parse

import (
	"testing"
	"time"
)

// A file's name is read in the charset its sender's client wrote it:
// RFC 2231 names in a charset other than UTF-8 (Mutt's default picks
// ISO-8859-1 for ë and ç; older Thunderbird wrote the mail's own charset)
// were dropped by the standard parser, and the officer got "part-2.pdf".
// A file with no name at all is named by its type, the same on every
// machine.
func TestFileNames(t *testing.T) {
	tests := []struct {
		name, header, want string
	}{
		{"RFC 2231 UTF-8", "Content-Type: application/pdf\r\nContent-Disposition: attachment; filename*=UTF-8''%C4%8Dlanak%20%C5%A1kola.pdf", "članak škola.pdf"},
		{"RFC 2231 UTF-8 continued", "Content-Type: application/pdf\r\nContent-Disposition: attachment;\r\n filename*0*=UTF-8''%C4%8Dlanak%20;\r\n filename*1*=%C5%A1kola.pdf", "članak škola.pdf"},
		{"RFC 2231 ISO-8859-1 (Mutt)", "Content-Type: application/pdf\r\nContent-Disposition: attachment; filename*=iso-8859-1''k%EBrkes%EB.pdf", "kërkesë.pdf"},
		{"RFC 2231 ISO-8859-2 with a language", "Content-Type: application/pdf\r\nContent-Disposition: attachment; filename*=iso-8859-2'sr'%E8lanak.pdf", "članak.pdf"},
		{"RFC 2231 windows-1250 continued", "Content-Type: application/pdf\r\nContent-Disposition: attachment;\r\n filename*0*=windows-1250''%E8lanak%20;\r\n filename*1*=%9Akola;\r\n filename*2=.pdf", "članak škola.pdf"},
		{"RFC 2231 in the type's name", "Content-Type: application/pdf; name*=iso-8859-2''%E8lanak.pdf\r\nContent-Disposition: attachment", "članak.pdf"},
		{"RFC 2047 in name", "Content-Type: application/pdf; name=\"=?iso-8859-2?Q?=E8lanak.pdf?=\"\r\nContent-Disposition: attachment", "članak.pdf"},
		{"raw windows-1250", "Content-Type: application/pdf; name=\"\xe8lanak\x9a.pdf\"", "članakš.pdf"},
		{"no name: a PDF", "Content-Type: application/pdf", "part-2.pdf"},
		{"no name: a video", "Content-Type: video/mp4", "part-2.mp4"},
		{"no name: a voice message", "Content-Type: audio/ogg", "part-2.ogg"},
		{"no name: a Word document", "Content-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document", "part-2.docx"},
		{"no name: a spreadsheet", "Content-Type: application/vnd.ms-excel", "part-2.xls"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := "From: a@example.org\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
				"--b\r\nContent-Type: text/plain\r\n\r\nNë shtojcë.\r\n--b\r\n" + tt.header +
				"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n"
			m := Parse([]byte(raw), time.Time{}, Options{})
			if len(m.Attachments) != 1 || m.Attachments[0].Name != tt.want {
				t.Fatalf("attachments %s, want one named %q", describeAtts(m.Attachments), tt.want)
			}
		})
	}
}
