package app

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"math/big"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/smallstep/pkcs7"

	"sportel/inquiry"
)

// TestE2ESignedEncryptedAndForwardedMail runs, through the watcher, mail
// shapes citizens' clients write: an S/MIME-signed request with a form,
// PGP/MIME-encrypted mail, a mail passed on as an attachment with "see
// below", and Outlook's TNEF with the words and the form in winmail.dat. It judges what the officer and the citizen get.
func TestE2ESignedEncryptedAndForwardedMail(t *testing.T) {
	t.Parallel()
	s := newMemStack(t)
	head := func(from, msgID, subject string) string {
		return "From: " + from + "\r\nTo: " + publicAddress + "\r\nSubject: " + subject + "\r\n" +
			"Date: " + time.Now().Format(time.RFC1123Z) + "\r\nMessage-ID: <" + msgID + ">\r\nMIME-Version: 1.0\r\n"
	}
	form := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte{0, 1, 2, 0xff, 'x'}, 200)...)
	signedPart := "Content-Type: multipart/mixed; boundary=\"------------inner\"\r\n\r\n" +
		"--------------inner\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" +
		"Të nderuar,\r\n\r\nNë bazë të Ligjit për qasje në dokumente publike, kërkoj kopjen e kontratës për " +
		"renovimin e stadiumit të qytetit në Prizren. Formulari i plotësuar është bashkëngjitur.\r\n\r\nArben Krasniqi\r\n" +
		"--------------inner\r\nContent-Type: application/pdf; name=\"formulari.pdf\"\r\n" +
		"Content-Disposition: attachment; filename=\"formulari.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		base64Lines(form) + "--------------inner--\r\n"
	signed := head("Arben Krasniqi <arben.krasniqi@example.net>", "e2e-smime@example.net", "Kërkesë për qasje në dokumente publike") +
		"Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256;\r\n boundary=\"------------ms01\"\r\n\r\n" +
		"This is a cryptographically signed message in MIME format.\r\n\r\n--------------ms01\r\n" + signedPart +
		"\r\n--------------ms01\r\nContent-Type: application/pkcs7-signature; name=\"smime.p7s\"\r\nContent-Transfer-Encoding: base64\r\n" +
		"Content-Disposition: attachment; filename=\"smime.p7s\"\r\nContent-Description: S/MIME Cryptographic Signature\r\n\r\n" +
		base64Lines(detachedSignature(t, []byte(signedPart))) + "\r\n--------------ms01--\r\n"
	cipher := make([]byte, 400)
	for i := range cipher {
		cipher[i] = byte(i*37 + 11)
	}
	encrypted := head("Liridona Berisha <liridona.b@example.org>", "e2e-pgp@example.org", "...") +
		"Content-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=\"------------enc1\"\r\n\r\n" +
		"This is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)\r\n--------------enc1\r\n" +
		"Content-Type: application/pgp-encrypted\r\nContent-Description: PGP/MIME version identification\r\n\r\nVersion: 1\r\n\r\n" +
		"--------------enc1\r\nContent-Type: application/octet-stream; name=\"encrypted.asc\"\r\n" +
		"Content-Description: OpenPGP encrypted message\r\nContent-Disposition: inline; filename=\"encrypted.asc\"\r\n\r\n" +
		"-----BEGIN PGP MESSAGE-----\r\n\r\n" + base64Lines(cipher) + "=n4Xq\r\n-----END PGP MESSAGE-----\r\n\r\n--------------enc1--\r\n"
	forwarded := head("Arta Krasniqi <arta.krasniqi@example.org>", "e2e-fwd@example.org", "Fwd: Kërkesë") +
		"Content-Type: multipart/mixed; boundary=\"fwd\"\r\n\r\n--fwd\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nsee below\r\n" +
		"--fwd\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment; filename=\"Kerkese.eml\"\r\n\r\n" +
		"From: Arta Krasniqi <arta.krasniqi@example.org>\r\nTo: zyra@komuna.example\r\nSubject: =?UTF-8?Q?K=C3=ABrkes=C3=AB?=\r\n" +
		"Date: Tue, 01 Dec 2026 10:15:00 +0100\r\nMessage-ID: <orig-77@example.org>\r\nContent-Type: text/plain; charset=UTF-8\r\n" +
		"Content-Transfer-Encoding: 8bit\r\n\r\nNë bazë të Ligjit për qasje në dokumente publike kërkoj kopjen e kontratës për " +
		"rinovimin e stadiumit në Mitrovicë dhe procesverbalin e komisionit.\r\n\r\nArta Krasniqi\r\n\r\n--fwd--\r\n"
	// Outlook through Exchange with "rich text" kept: an empty text part,
	// the words and the form only in winmail.dat.
	tnef := head("Milica Jovanović <milica.jovanovic@example.rs>", "e2e-tnef@example.rs", "Zahtev za pristup dokumentima") +
		"Content-Type: multipart/mixed; boundary=\"_000_VI1PR01MB\"\r\nX-MS-TNEF-Correlator: <VI1PR01MB@eurprd01.prod.exchangelabs.com>\r\n\r\n" +
		"--_000_VI1PR01MB\r\nContent-Type: text/plain; charset=\"us-ascii\"\r\n\r\n\r\n" +
		"--_000_VI1PR01MB\r\nContent-Type: application/ms-tnef; name=\"winmail.dat\"\r\nContent-Disposition: attachment; filename=\"winmail.dat\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n" + base64Lines(outlookTNEF(
		"Poštovani,\r\n\r\nU skladu sa Zakonom o pristupu javnim dokumentima, molim vas da mi dostavite spisak korisnika "+
			"grantova za kulturu u 2025. godini za opštinu Gračanica, sa iznosima. Popunjen obrazac je u prilogu.\r\n\r\nMilica Jovanović",
		"Obrazac zahteva.pdf", form)) + "\r\n--_000_VI1PR01MB--\r\n"
	for _, raw := range []string{signed, encrypted, forwarded, tnef} {
		s.append([]byte(raw))
	}
	a, _ := s.serve()
	s.settle(a)
	all := s.wireMails()

	t.Run("signed", func(t *testing.T) {
		tk := s.ticket(a, "e2e-smime@example.net")
		if tk.Category != inquiry.DocumentRequest {
			t.Errorf("category %s, want a document request", tk.Category)
		}
		n := the(t, all, "notify", tk.Number)
		if !strings.Contains(n.text, "kërkoj kopjen e kontratës") {
			t.Errorf("the officer does not see the signed words:\n%s", n.text)
		}
		if len(n.attachments) != 1 || n.attachments[0].name != "formulari.pdf" || !bytes.Equal(n.attachments[0].content, form) {
			var names []string
			for _, at := range n.attachments {
				names = append(names, at.name)
			}
			t.Errorf("the officer gets %q, want the form alone, byte for byte (no signature)", names)
		}
	})
	t.Run("encrypted", func(t *testing.T) {
		tk := s.ticket(a, "e2e-pgp@example.org")
		if tk.Category != inquiry.GeneralQuestion || !tk.NeedsReview {
			t.Errorf("category %s (needs review %v): want a general question flagged for review", tk.Category, tk.NeedsReview)
		}
		n := the(t, all, "notify", tk.Number)
		if !strings.Contains(n.text, "nuk mund të lexohet") || !strings.Contains(n.text, "encrypted with PGP/MIME") {
			t.Errorf("the officer is not told the mail is encrypted:\n%s", n.text)
		}
		if strings.Contains(n.text, "BEGIN PGP") {
			t.Errorf("ciphertext shown as the citizen's words:\n%s", n.text)
		}
		ack := the(t, all, "ack", tk.Number)
		if !strings.Contains(ack.text, "të paenkriptuar") || !strings.Contains(ack.text, "unencrypted") {
			t.Errorf("the acknowledgement does not ask for the mail again unencrypted, in Albanian and English:\n%s", ack.text)
		}
	})
	t.Run("Outlook TNEF", func(t *testing.T) {
		tk := s.ticket(a, "e2e-tnef@example.rs")
		if tk.Category != inquiry.DocumentRequest || tk.Language != inquiry.SerbianLatin {
			t.Errorf("category %s, language %s: want a document request in Serbian (Latin)", tk.Category, tk.Language)
		}
		n := the(t, all, "notify", tk.Number)
		if !strings.Contains(n.text, "spisak korisnika grantova") {
			t.Errorf("the officer does not see the words inside winmail.dat:\n%s", n.text)
		}
		if len(n.attachments) != 1 || n.attachments[0].name != "Obrazac zahteva.pdf" || n.attachments[0].contentType != "application/pdf" ||
			!bytes.Equal(n.attachments[0].content, form) {
			var names []string
			for _, at := range n.attachments {
				names = append(names, at.name+" ("+at.contentType+")")
			}
			t.Errorf("the officer gets %q, want the form out of winmail.dat, byte for byte", names)
		}
	})
	t.Run("forwarded as attachment", func(t *testing.T) {
		tk := s.ticket(a, "e2e-fwd@example.org")
		if tk.Category != inquiry.DocumentRequest {
			t.Errorf("category %s, want a document request (the forwarded words)", tk.Category)
		}
		n := the(t, all, "notify", tk.Number)
		if !strings.Contains(n.text, "procesverbalin e komisionit") {
			t.Errorf("the officer does not see the forwarded words:\n%s", n.text)
		}
		ack := the(t, all, "ack", tk.Number)
		if strings.Contains(ack.text, "paenkriptuar") {
			t.Errorf("a readable mail's acknowledgement asks for it unencrypted:\n%s", ack.text)
		}
	})
}

// detachedSignature is a citizen's S/MIME signature over content, with a
// throwaway certificate.
func detachedSignature(t *testing.T, content []byte) []byte {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "Arben Krasniqi"},
		EmailAddresses: []string{"arben.krasniqi@example.net"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	sd, err := pkcs7.NewSignedData(content)
	if err != nil {
		t.Fatal(err)
	}
	if err := sd.AddSigner(cert, key, pkcs7.SignerInfoConfig{}); err != nil {
		t.Fatal(err)
	}
	sd.Detach()
	sig, err := sd.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

// outlookTNEF is a winmail.dat as Outlook writes one ([MS-OXTNEF]): the
// body as PR_BODY, one file with its long name and MIME type.
func outlookTNEF(body, fileName string, file []byte) []byte {
	var b bytes.Buffer
	le := func(v any) { binary.Write(&b, binary.LittleEndian, v) }
	attr := func(level byte, id uint32, data []byte) {
		b.WriteByte(level)
		le(id)
		le(uint32(len(data)))
		b.Write(data)
		sum := 0
		for _, c := range data {
			sum += int(c)
		}
		le(uint16(sum))
	}
	// props writes MAPI properties: strings as PT_UNICODE.
	props := func(kv ...any) []byte {
		var p bytes.Buffer
		w := func(v any) { binary.Write(&p, binary.LittleEndian, v) }
		w(uint32(len(kv) / 2))
		for i := 0; i < len(kv); i += 2 {
			u := utf16.Encode([]rune(kv[i+1].(string) + "\x00"))
			w(uint16(0x001F))
			w(kv[i].(uint16))
			w(uint32(1))
			w(uint32(2 * len(u)))
			w(u)
			p.Write(make([]byte, (4-2*len(u)%4)%4))
		}
		return p.Bytes()
	}
	le(uint32(0x223E9F78))
	le(uint16(0x0D42))
	attr(1, 0x00089006, []byte{0, 0, 1, 0})
	attr(1, 0x00078008, []byte("IPM.Microsoft Mail.Note\x00"))
	attr(1, 0x00069003, props(uint16(0x1000), body))
	attr(2, 0x00069002, make([]byte, 14))
	attr(2, 0x00018010, []byte("OBRAZA~1.PDF\x00"))
	attr(2, 0x0006800F, file)
	attr(2, 0x00069005, props(uint16(0x3707), fileName, uint16(0x370E), "application/pdf"))
	return b.Bytes()
}
