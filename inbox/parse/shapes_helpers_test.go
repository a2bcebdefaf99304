package parse

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/smallstep/pkcs7"
)

// The mail shapes below are written as the clients that send them do:
// Thunderbird's and Outlook's S/MIME, Thunderbird's and Mutt's PGP/MIME,
// Outlook's TNEF, a forward as attachment.

// b64 is base64 in 76-character lines, as clients write it.
func b64(b []byte) string {
	s := base64.StdEncoding.EncodeToString(b)
	var out strings.Builder
	for len(s) > 76 {
		out.WriteString(s[:76] + "\r\n")
		s = s[76:]
	}
	out.WriteString(s + "\r\n")
	return out.String()
}

// citizenHeader is the header of Arta's mail down to MIME-Version.
func citizenHeader(msgID, subject string) string {
	return "From: Arta Krasniqi <arta.krasniqi@example.org>\r\nTo: dkp@mkrs-ks.org\r\n" +
		"Subject: " + subject + "\r\nDate: Thu, 03 Dec 2026 09:00:00 +0100\r\n" +
		"Message-ID: <" + msgID + ">\r\nMIME-Version: 1.0\r\n"
}

// signedInner is what a citizen signs: her words and her form.
const signedInner = "Content-Type: multipart/mixed; boundary=\"------------inner\"\r\n\r\n" +
	"--------------inner\r\nContent-Type: text/plain; charset=UTF-8; format=flowed\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" +
	"Kërkoj kopjen e kontratës për rinovimin e stadiumit në Mitrovicë.\r\n\r\nArta\r\n" +
	"--------------inner\r\nContent-Type: application/pdf; name=\"formulari.pdf\"\r\n" +
	"Content-Disposition: attachment; filename=\"formulari.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
	"JVBERi0xLjQKJcfsj6IKMSAwIG9iago8PD4+CmVuZG9iagp0cmFpbGVyCjw8Pj4KJSVFT0YK\r\n" +
	"--------------inner--\r\n"

// citizenKey is a throwaway certificate and key, as a citizen's S/MIME
// certificate from a public CA would be.
func citizenKey(t testing.TB) (*x509.Certificate, *rsa.PrivateKey) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(42), Subject: pkix.Name{CommonName: "Arta Krasniqi"},
		EmailAddresses: []string{"arta.krasniqi@example.org"},
		NotBefore:      time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

// signedData is a PKCS#7 SignedData over content, detached or holding it.
func signedData(t testing.TB, content []byte, detached bool) []byte {
	t.Helper()
	cert, key := citizenKey(t)
	sd, err := pkcs7.NewSignedData(content)
	if err != nil {
		t.Fatal(err)
	}
	if err := sd.AddSigner(cert, key, pkcs7.SignerInfoConfig{}); err != nil {
		t.Fatal(err)
	}
	if detached {
		sd.Detach()
	}
	der, err := sd.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// envelopedData is content encrypted to the ministry's certificate.
func envelopedData(t testing.TB, content []byte) []byte {
	t.Helper()
	cert, _ := citizenKey(t)
	der, err := pkcs7.Encrypt(content, []*x509.Certificate{cert})
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// smimeDetached is Thunderbird's signed mail: multipart/signed with the
// signature in smime.p7s.
func smimeDetached(t testing.TB) []byte {
	sig := signedData(t, []byte(signedInner), true)
	return []byte(citizenHeader("smime-detached@example.org", "=?UTF-8?Q?K=C3=ABrkes=C3=AB_p=C3=ABr_kontrat=C3=ABn?=") +
		"Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256;\r\n" +
		" boundary=\"------------ms010203\"\r\n\r\nThis is a cryptographically signed message in MIME format.\r\n\r\n" +
		"--------------ms010203\r\n" + signedInner +
		"\r\n--------------ms010203\r\nContent-Type: application/pkcs7-signature; name=\"smime.p7s\"\r\n" +
		"Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"smime.p7s\"\r\n" +
		"Content-Description: S/MIME Cryptographic Signature\r\n\r\n" + b64(sig) +
		"\r\n--------------ms010203--\r\n")
}

// smimeOpaque is Outlook's "opaque" signed mail: the whole content inside
// a PKCS#7 SignedData in smime.p7m.
func smimeOpaque(t testing.TB, blob []byte) []byte {
	return []byte(citizenHeader("smime-opaque@example.org", "Kerkese per kontraten") +
		"Content-Type: application/pkcs7-mime; smime-type=signed-data; name=\"smime.p7m\"\r\n" +
		"Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"smime.p7m\"\r\n\r\n" + b64(blob))
}

// smimeEnveloped is S/MIME encrypted mail.
func smimeEnveloped(t testing.TB) []byte {
	return []byte(citizenHeader("smime-enc@example.org", "Kerkese") +
		"Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=\"smime.p7m\"\r\n" +
		"Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"smime.p7m\"\r\n" +
		"Content-Description: S/MIME Encrypted Message\r\n\r\n" + b64(envelopedData(t, []byte(signedInner))))
}

// pgpArmor is an OpenPGP message as armored text. Its packets are not
// real: nothing here decrypts or verifies, and real ones read the same.
func pgpArmor(kind string, seed byte) string {
	body := make([]byte, 300)
	for i := range body {
		body[i] = byte(i)*31 + seed
	}
	return "-----BEGIN PGP " + kind + "-----\r\n\r\n" + b64(body) + "=n4Xq\r\n-----END PGP " + kind + "-----\r\n"
}

// pgpSigned is Thunderbird's PGP/MIME signed mail (RFC 3156).
func pgpSigned() []byte {
	return []byte(citizenHeader("pgp-signed@example.org", "Pyetje per buxhetin") +
		"Content-Type: multipart/signed; micalg=pgp-sha256;\r\n protocol=\"application/pgp-signature\";\r\n" +
		" boundary=\"------------pgp1\"\r\n\r\nThis is an OpenPGP/MIME signed message (RFC 4880 and 3156)\r\n" +
		"--------------pgp1\r\n" + signedInner +
		"\r\n--------------pgp1\r\nContent-Type: application/pgp-signature; name=\"OpenPGP_signature.asc\"\r\n" +
		"Content-Description: OpenPGP digital signature\r\nContent-Disposition: attachment; filename=\"OpenPGP_signature.asc\"\r\n\r\n" +
		pgpArmor("SIGNATURE", 7) + "\r\n--------------pgp1--\r\n")
}

// pgpEncrypted is PGP/MIME encrypted mail (RFC 3156), as Thunderbird
// writes it.
func pgpEncrypted() []byte {
	return []byte(citizenHeader("pgp-enc@example.org", "...") +
		"Content-Type: multipart/encrypted;\r\n protocol=\"application/pgp-encrypted\";\r\n" +
		" boundary=\"------------enc1\"\r\n\r\nThis is an OpenPGP/MIME encrypted message (RFC 4880 and 3156)\r\n" +
		"--------------enc1\r\nContent-Type: application/pgp-encrypted\r\nContent-Description: PGP/MIME version identification\r\n\r\n" +
		"Version: 1\r\n\r\n--------------enc1\r\nContent-Type: application/octet-stream; name=\"encrypted.asc\"\r\n" +
		"Content-Description: OpenPGP encrypted message\r\nContent-Disposition: inline; filename=\"encrypted.asc\"\r\n\r\n" +
		pgpArmor("MESSAGE", 3) + "\r\n--------------enc1--\r\n")
}

// pgpInline is an inline-encrypted mail (Mutt's traditional PGP, webmail
// plug-ins): the armored message is the text.
func pgpInline() []byte {
	return []byte(citizenHeader("pgp-inline@example.org", "Kerkese") +
		"Content-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\n\r\n" + pgpArmor("MESSAGE", 9))
}

// forwardAsAttachment is a citizen passing on a mail as an attachment
// with a one-line note (or none).
func forwardAsAttachment(note string) []byte {
	inner := "From: Arta Krasniqi <arta.krasniqi@example.org>\r\nTo: zyra@komuna-mitrovice.example\r\n" +
		"Subject: =?UTF-8?Q?K=C3=ABrkes=C3=AB_p=C3=ABr_dokumente?=\r\nDate: Tue, 01 Dec 2026 10:15:00 +0100\r\n" +
		"Message-ID: <orig-77@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n" +
		"Content-Transfer-Encoding: 8bit\r\n\r\n" +
		"Të nderuar,\r\n\r\nKërkoj kopjen e kontratës për rinovimin e stadiumit në Mitrovicë dhe procesverbalin e komisionit.\r\n\r\nArta Krasniqi\r\n"
	text := ""
	if note != "" {
		text = "--fwd\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + note + "\r\n"
	}
	return []byte(citizenHeader("fwd-att@example.org", "Fwd: =?UTF-8?Q?K=C3=ABrkes=C3=AB_p=C3=ABr_dokumente?=") +
		"Content-Type: multipart/mixed; boundary=\"fwd\"\r\n\r\n" + text +
		"--fwd\r\nContent-Type: message/rfc822; name=\"Kerkese per dokumente.eml\"\r\n" +
		"Content-Disposition: attachment; filename=\"Kerkese per dokumente.eml\"\r\n\r\n" + inner + "\r\n--fwd--\r\n")
}
