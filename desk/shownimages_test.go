package desk_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"sportel/inbox/parse"
	"sportel/inquiry"
	"sportel/internal/mailgen"
)

// Pictures an officer's client shows inside the HTML of their answer: the
// signature's logo and social icons, and a screenshot pasted on purpose.
var (
	sigLogo = &mailgen.Image{Name: "logo-mkrs.png", ContentType: "image/png", Content: mailgen.PNG(240, 80), Width: 120, Height: 40,
		Alt: "Logo Description automatically generated"}
	sigIcon = &mailgen.Image{Name: "facebook.png", ContentType: "image/png", Content: mailgen.PNG(24, 24), Width: 24, Height: 24, Alt: "facebook"}
	pasted  = &mailgen.Image{Name: "image.png", ContentType: "image/png", Content: mailgen.PNG(640, 360), Width: 600, Height: 338, Alt: "image.png"}
	decided = mailgen.File{Name: "Vendimi-DKP.pdf", ContentType: "application/pdf", Content: []byte("%PDF-1.7\n1 0 obj vendimi\n%%EOF\n")}
)

// officerSignature is a ministry signature with its logo and icons.
func officerSignature() []mailgen.Piece {
	return []mailgen.Piece{{Text: "Me respekt,"}, {Text: "Jusuf Lushaku"}, {Text: "Zyrtar i Lartë për Informim"},
		{Image: sigLogo}, {Text: "Rr. Luan Haradinaj, 10000 Prishtinë"}, {Image: sigIcon}}
}

// clientReply is the officer's reply to notify as client writes it.
func clientReply(f *fixture, notify *inquiry.Mail, client mailgen.Client, id string, body, sig []mailgen.Piece, files ...mailgen.File) []byte {
	return mailgen.OfficerReply(mailgen.Reply{Client: client, From: "Jusuf Lushaku <jusuf.lushaku@mkrs.example>",
		To: "Divizioni për Komunikim Publik <komunikimi@mkrs.example>", MessageID: id, Date: f.now,
		ParentID: notify.MessageID, ParentFrom: "Divizioni për Komunikim Publik <komunikimi@mkrs.example>",
		ParentTo: "Jusuf Lushaku <jusuf.lushaku@mkrs.example>", ParentSubject: notify.Subject, ParentText: notify.Text,
		ParentDate: f.now.Add(-time.Hour), Body: body, Signature: sig, Files: files})
}

// An officer answers from Outlook, Outlook on the web, Gmail or an
// iPhone, with the HTML signature their client adds: its logo and icons
// reach the citizen neither as files (by mail or in Telegram) nor as
// "[cid:…]" or "[image: …]" in the text; a decision attached on purpose
// and a screenshot pasted into the answer's words do, and the answer's
// record keeps every file, naming those not sent.
func TestOfficerAnswerSignatureImages(t *testing.T) {
	clients := []mailgen.Client{mailgen.OutlookDesktop, mailgen.OutlookWeb, mailgen.GmailWeb, mailgen.IOSMail}
	tests := []struct {
		name  string
		body  []mailgen.Piece
		files []mailgen.File
		// sent are the files the citizen gets: the decision, and the
		// pasted picture by the name the client gave it (pastedSent).
		decision, pastedSent bool
		text                 []string
	}{
		{name: "signature logo only", body: []mailgen.Piece{{Text: "I nderuar z. Berisha,"}, {Text: "Kontrata ju dërgohet nesër."}},
			text: []string{"I nderuar z. Berisha,", "Kontrata ju dërgohet nesër.", "Me respekt,\nJusuf Lushaku"}},
		{name: "signature logo and a decision attached", body: []mailgen.Piece{{Text: "I nderuar z. Berisha,"}, {Text: "Vendimi gjendet në shtojcë."}},
			files: []mailgen.File{decided}, decision: true, text: []string{"Vendimi gjendet në shtojcë."}},
		{name: "a screenshot pasted into the answer", body: []mailgen.Piece{{Text: "I nderuar z. Berisha,"},
			{Text: "Regjistri publik e tregon kontratën këtu:"}, {Image: pasted}, {Text: "Vendimi gjendet në shtojcë."}},
			files: []mailgen.File{decided}, decision: true, pastedSent: true, text: []string{"Regjistri publik e tregon kontratën këtu:", "Vendimi gjendet në shtojcë."}},
	}
	for _, client := range clients {
		for _, ch := range []inquiry.Channel{inquiry.ChannelEmail, inquiry.ChannelTelegram} {
			for _, tt := range tests {
				t.Run(string(client)+"/"+string(ch)+"/"+tt.name, func(t *testing.T) {
					f := newLifecycleFixture(t, inquiry.DocumentRequest, inquiry.Albanian, ch, docRequestSQ)
					notify := mailNotification(f)
					f.now = f.now.Add(time.Hour)
					sig := officerSignature()
					if client == mailgen.IOSMail {
						// An iPhone's signature is text.
						sig = []mailgen.Piece{{Text: "Me respekt,"}, {Text: "Jusuf Lushaku"}}
					}
					m := parse.Parse(clientReply(f, notify, client, "sig-"+string(client)+"@mkrs.example", tt.body, sig, tt.files...), f.now, parseOptions())
					if d := f.handle(m); d != inquiry.Relayed {
						t.Fatalf("disposition %s, want relayed", d)
					}
					answers := jobsOf(f.jobs(ticket1), inquiry.JobAnswer)
					if len(answers) != 1 {
						t.Fatalf("%d answers, want 1", len(answers))
					}
					var ref *inquiry.AttachmentRef
					text := ""
					if j := answers[0]; j.Mail != nil {
						ref, text = j.Mail.AttachFrom, j.Mail.Text
					} else {
						ref, text = j.Chat.AttachFrom, j.Chat.Text
					}
					var got []string
					if ref != nil {
						for _, i := range ref.Indexes {
							got = append(got, m.Attachments[i].Name)
						}
					}
					var want []string
					pastedName := ""
					for _, a := range m.Attachments {
						if a.Inline && a.Size == int64(len(pasted.Content)) {
							pastedName = a.Name
						}
					}
					if tt.pastedSent {
						want = append(want, pastedName)
					}
					if tt.decision {
						want = append(want, decided.Name)
					}
					if !slices.Equal(got, want) {
						t.Errorf("the citizen gets files %q, want %q (the mail holds %s)", got, want, describeFiles(m.Attachments))
					}
					for _, w := range tt.text {
						if !strings.Contains(text, w) {
							t.Errorf("the answer lacks %q:\n%s", w, text)
						}
					}
					for _, bad := range []string{"[cid:", "[image:", sigLogo.Alt, "[" + sigIcon.Alt + "]"} {
						if strings.Contains(text, bad) {
							t.Errorf("the answer shows the signature's picture as %q:\n%s", bad, text)
						}
					}
					// An iPhone's plain text shows no picture to name.
					if tt.pastedSent && client != mailgen.IOSMail && !strings.Contains(text, "["+pastedName+"]") {
						t.Errorf("the answer does not name the pasted picture %s where it stood:\n%s", pastedName, text)
					}
					// The record keeps every file, saying which did not go.
					e := answerEntry(t, f)
					if len(e.Attachments) != len(m.Attachments) {
						t.Fatalf("the answer's record lists %d files, the mail has %d", len(e.Attachments), len(m.Attachments))
					}
					for _, a := range e.Attachments {
						wantNotSent := ""
						if a.Inline && (a.Name != pastedName || !tt.pastedSent) {
							wantNotSent = inquiry.NotSentSignature
						}
						if a.NotSent != wantNotSent {
							t.Errorf("the record has %s (inline %v) not sent %q, want %q", a.Name, a.Inline, a.NotSent, wantNotSent)
						}
					}
				})
			}
		}
	}
}

func describeFiles(atts []inquiry.Attachment) string {
	var out []string
	for _, a := range atts {
		out = append(out, a.Name+" inline="+map[bool]string{true: "yes", false: "no"}[a.Inline]+" not-sent="+a.NotSent)
	}
	return strings.Join(out, ", ")
}

func answerEntry(t *testing.T, f *fixture) inquiry.Entry {
	t.Helper()
	es, err := f.store.Entries(context.Background(), f.ticket(ticket1).ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if e.Kind == inquiry.EntryAnswer {
			return e
		}
	}
	t.Fatalf("no answer on %s", ticket1)
	return inquiry.Entry{}
}

// An Outlook reply of commands only, with the signature and its logo as
// Outlook writes them in the plain text ("[cid:image001.png@…]"), sends the
// citizen nothing: the logo's mark is not an answer, nor the logo a file.
func TestCommandsOnlyOutlookReplyWithLogoInPlainText(t *testing.T) {
	for _, ch := range []inquiry.Channel{inquiry.ChannelEmail, inquiry.ChannelTelegram} {
		t.Run(string(ch), func(t *testing.T) {
			f := newLifecycleFixture(t, inquiry.DocumentRequest, inquiry.Albanian, ch, docRequestSQ)
			notify := mailNotification(f)
			f.now = f.now.Add(time.Hour)
			sig := []mailgen.Piece{{Text: "Me respekt,"}, {Text: "Jusuf Lushaku"}, {Image: sigLogo}, {Image: sigIcon}}
			m := parse.Parse(clientReply(f, notify, mailgen.OutlookDesktop, "cmd-logo@mkrs.example",
				[]mailgen.Piece{{Text: "#urgent"}}, sig), f.now, parseOptions())
			d := f.handle(m)
			if answers := jobsOf(f.jobs(ticket1), inquiry.JobAnswer); len(answers) != 0 {
				t.Errorf("disposition %s: the citizen gets an answer (%d jobs)", d, len(answers))
			}
			if tk := f.ticket(ticket1); !tk.Urgent {
				t.Errorf("#urgent not applied")
			}
		})
	}
}

// A photo that comes with a Content-ID but that no HTML shows (a phone's
// plain-text reply, a client that marks every part so) is a file the
// officer attached: the citizen gets it, in Telegram too.
func TestOfficerPhotoWithContentIDNotShownIsSent(t *testing.T) {
	for _, ch := range []inquiry.Channel{inquiry.ChannelEmail, inquiry.ChannelTelegram} {
		t.Run(string(ch), func(t *testing.T) {
			f := newLifecycleFixture(t, inquiry.DocumentRequest, inquiry.Albanian, ch, docRequestSQ)
			notify := mailNotification(f)
			f.now = f.now.Add(time.Hour)
			body := "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nI nderuar z. Berisha,\r\n\r\nFotografia e faqes së parë të kontratës.\r\n\r\n" +
				"Jusuf Lushaku\r\n\r\n" + quote("> ", notify.Text) + "\r\n" +
				"--b\r\nContent-Type: image/jpeg; name=IMG_0412.jpg\r\nContent-Disposition: inline; filename=IMG_0412.jpg\r\n" +
				"Content-ID: <IMG_0412.jpg@a1b2c3>\r\nContent-Transfer-Encoding: base64\r\n\r\n/9j/4AAQSkZJRgABAQAAAQABAAD/2w==\r\n--b--\r\n"
			raw := replyMail(notify, "photo-cid@mkrs.example", "Re: "+notify.Subject, "multipart/mixed; boundary=b", nil, "")
			raw = append(raw, body...)
			m := parse.Parse(raw, f.now, parseOptions())
			if d := f.handle(m); d != inquiry.Relayed {
				t.Fatalf("disposition %s, want relayed", d)
			}
			j := jobsOf(f.jobs(ticket1), inquiry.JobAnswer)[0]
			var ref *inquiry.AttachmentRef
			if j.Mail != nil {
				ref = j.Mail.AttachFrom
			} else {
				ref = j.Chat.AttachFrom
			}
			if ref == nil || len(ref.Indexes) != 1 || m.Attachments[ref.Indexes[0]].Name != "IMG_0412.jpg" {
				t.Errorf("the citizen gets %+v of %s, want IMG_0412.jpg", ref, describeFiles(m.Attachments))
			}
		})
	}
}
