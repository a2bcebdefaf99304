package parse

import (
	"bytes"
	"strings"
	"testing"

	"sportel/inquiry"
)

const citizenWords = "Kërkoj kopjen e kontratës për rinovimin e stadiumit në Mitrovicë.\n\nArta"

// TestSignedAndEncryptedMail: a signature is no file of the citizen's and
// what was signed is the mail; encrypted mail is filed with its ciphertext
// kept as it came, never read as words, and said to be unreadable.
func TestSignedAndEncryptedMail(t *testing.T) {
	deep := bytes.Repeat([]byte{0x30, 0x80}, 100000)
	tests := []struct {
		name       string
		raw        []byte
		text       string
		files      []string
		unreadable string // a part of Unreadable; "" for none
		encrypted  bool
	}{
		{name: "S/MIME signed (Thunderbird)", raw: smimeDetached(t), text: citizenWords, files: []string{"formulari.pdf"}},
		{name: "PGP/MIME signed", raw: pgpSigned(), text: citizenWords, files: []string{"formulari.pdf"}},
		{name: "S/MIME opaque-signed (Outlook)", raw: smimeOpaque(t, signedData(t, []byte(signedInner), false)),
			text: citizenWords, files: []string{"formulari.pdf"}},
		{name: "S/MIME opaque-signed, unreadable blob", raw: smimeOpaque(t, []byte("not a PKCS#7 blob at all")),
			files: []string{"smime.p7m"}, unreadable: "signed in a form Sportel cannot open"},
		{name: "S/MIME opaque-signed, nested beyond reason", raw: smimeOpaque(t, deep),
			files: []string{"smime.p7m"}, unreadable: "signed in a form Sportel cannot open"},
		{name: "S/MIME encrypted", raw: smimeEnveloped(t), files: []string{"smime.p7m"},
			unreadable: "encrypted with S/MIME", encrypted: true},
		{name: "S/MIME encrypted, no smime-type", raw: bytes.Replace(smimeEnveloped(t), []byte(" smime-type=enveloped-data;"), nil, 1),
			files: []string{"smime.p7m"}, unreadable: "encrypted with S/MIME", encrypted: true},
		{name: "PGP/MIME encrypted", raw: pgpEncrypted(), files: []string{"encrypted.asc"},
			unreadable: "encrypted with PGP/MIME", encrypted: true},
		{name: "inline PGP", raw: pgpInline(), unreadable: "encrypted with PGP", encrypted: true},
		{name: "inline PGP under a line of her own", raw: bytes.Replace(pgpInline(), []byte("-----BEGIN"), []byte("Përshëndetje,\r\n\r\n-----BEGIN"), 1),
			text: "Përshëndetje,", unreadable: "encrypted with PGP", encrypted: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := Parse(tt.raw, received, testOpts)
			wantText(t, m, tt.text)
			var names []string
			for _, a := range m.Attachments {
				names = append(names, a.Name)
			}
			if strings.Join(names, ",") != strings.Join(tt.files, ",") {
				t.Errorf("attachments %q, want %q", names, tt.files)
			}
			if tt.unreadable == "" && m.Unreadable != "" || !strings.Contains(m.Unreadable, tt.unreadable) {
				t.Errorf("Unreadable = %q, want it to say %q", m.Unreadable, tt.unreadable)
			}
			if m.Encrypted != tt.encrypted {
				t.Errorf("Encrypted = %v, want %v", m.Encrypted, tt.encrypted)
			}
			if strings.Contains(m.Text, "PGP") || strings.Contains(m.Text, "MII") {
				t.Errorf("ciphertext or a signature read as words: %q", m.Text)
			}
			if m.Automation != inquiry.Human || m.From.Address != "arta.krasniqi@example.org" {
				t.Errorf("not a citizen's mail any more: %s from %q", m.Automation, m.From.Address)
			}
			if got := Attachments(tt.raw, testOpts); !sameAttachments(got, m.Attachments) {
				t.Errorf("Attachments = %s, Parse gives %s", describeAtts(got), describeAtts(m.Attachments))
			}
		})
	}
}

// TestBareForwardShowsAttachedMessage: a mail that only carries another as
// an attachment ("see below", or nothing) is read with that message's
// words, for the officer and the classifier; one with words of its own,
// or a reply to Sportel's mail (an officer's answer), is left as it is.
func TestBareForwardShowsAttachedMessage(t *testing.T) {
	const shown = "[Mesazhi i bashkëngjitur / Attached message: Kerkese per dokumente.eml]\n" +
		"Nga / From: Arta Krasniqi <arta.krasniqi@example.org>\nLënda / Subject: Kërkesë për dokumente\n\n" +
		"Të nderuar,\n\nKërkoj kopjen e kontratës për rinovimin e stadiumit në Mitrovicë dhe procesverbalin e komisionit.\n\nArta Krasniqi"
	long := strings.Repeat("Ju shkruaj sepse komuna nuk m'u përgjigj për kërkesën time të muajit të kaluar. ", 4)
	reply := bytes.Replace(forwardAsAttachment("see below"), []byte("MIME-Version"),
		[]byte("In-Reply-To: <sportel.notify.abc@sportel.mkrs-ks.org>\r\nMIME-Version"), 1)
	tests := []struct {
		name          string
		raw           []byte
		text, comment string
	}{
		{"see below", forwardAsAttachment("see below"), "see below\n\n" + shown, "see below"},
		{"nothing of its own", forwardAsAttachment(""), shown, ""},
		{"words of its own", forwardAsAttachment(long), strings.TrimSpace(long), strings.TrimSpace(long)},
		{"a reply to Sportel's mail", reply, "see below", "see below"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := Parse(tt.raw, received, testOpts)
			wantText(t, m, tt.text)
			if len(m.Attachments) != 1 || m.Attachments[0].ContentType != "message/rfc822" {
				t.Errorf("attachments %s, want the forwarded message", describeAtts(m.Attachments))
			}
			// An officer's forward is read as before: her comment is hers.
			if m.Forwarded == nil || m.Forwarded.Comment != tt.comment || m.Forwarded.From.Address != "arta.krasniqi@example.org" {
				t.Errorf("Forwarded = %+v, want the attached message with comment %q", m.Forwarded, tt.comment)
			}
		})
	}
}

// TestEntryAttachmentsOfOpenedMail: the files of a signed mail and of an
// Outlook TNEF are given back from the raw mail, for records filed now
// (the form alone) and before (which name the signature, or winmail.dat).
func TestEntryAttachmentsOfOpenedMail(t *testing.T) {
	for name, raw := range map[string][]byte{
		"S/MIME signed": smimeDetached(t),
		"Outlook TNEF":  outlookTNEFMail(true, winmail(mapiProp{prBody, "Kërkoj kopjen."})),
	} {
		asStored := &parser{opts: Options{}.withDefaults(), attachmentsOnly: true, asStored: true}
		var old inquiry.Message
		th, body := asStored.readTopHeader(raw)
		asStored.walk(th, body, nil, 0, &old, false)
		now := Parse(raw, received, testOpts).Attachments
		if sameAttachments(old.Attachments, now) {
			t.Fatalf("%s: read as stored and as now alike (%s): the test proves nothing", name, describeAtts(now))
		}
		for when, recorded := range map[string][]inquiry.Attachment{"filed now": now, "filed before": old.Attachments} {
			t.Run(name+", "+when, func(t *testing.T) {
				var rec []inquiry.Attachment
				for _, a := range recorded {
					rec = append(rec, inquiry.Attachment{Name: a.Name, ContentType: a.ContentType, Size: a.Size})
				}
				got := EntryAttachments(inquiry.Entry{Attachments: rec, Raw: raw})
				for i, a := range got {
					if len(a.Content) == 0 || !bytes.Equal(a.Content, recorded[i].Content) {
						t.Errorf("%s: content %d bytes, want %d", a.Name, len(a.Content), len(recorded[i].Content))
					}
				}
			})
		}
	}
}
