package parse

import (
	"mime"
	"strings"
	"testing"

	"sportel/inquiry"
)

// TestAutoReply covers the parser's word that a message is an
// auto-responder's reply (Message.AutoReply), which the desk reads to tell
// the heads an officer is away: whichever header made the mail machine
// mail, in the languages officers' clients write, and with the markers
// Exchange, Gmail, Zimbra and Sieve's vacation add. Words people write too
// ("Absence", "OOO") count only with a header that marks the mail
// automatic; a read receipt or a person's mail is no auto-reply.
func TestAutoReply(t *testing.T) {
	const from = "From: jusuf@mkrs.example\n"
	generated := from + "Auto-Submitted: auto-generated\n"
	suppress := from + "X-Auto-Response-Suppress: All\n"
	tests := []struct {
		name, header, subject string
		want                  inquiry.Automation
		autoReply             string // prefix; "" for none
	}{
		{"Turkish", generated, "Otomatik yanıt: Njoftim", inquiry.Machine, "auto-reply subject (otomatik yanıt)"},
		{"Turkish, capitals", generated, "OTOMATIK YANIT: Njoftim", inquiry.Machine, "auto-reply subject (otomatik yanit)"},
		{"Macedonian", generated, "Автоматски одговор: Известување", inquiry.Machine, "auto-reply subject (автоматски одговор)"},
		{"French", generated, "Réponse automatique : Notification", inquiry.Machine, "auto-reply subject (réponse automatique)"},
		{"Italian", generated, "Risposta automatica: Notifica", inquiry.Machine, "auto-reply subject (risposta automatica)"},
		{"German", generated, "Automatische Antwort: Benachrichtigung", inquiry.Machine, "auto-reply subject (automatische antwort)"},
		{"German, Abwesenheitsnotiz", generated, "Abwesenheitsnotiz: Benachrichtigung", inquiry.Machine, "auto-reply subject (abwesenheitsnotiz)"},
		{"Bosnian, Croatian", generated, "Automatski odgovor: Obavijest", inquiry.Machine, "auto-reply subject (automatski odgovor)"},
		{"Serbian Cyrillic", generated, "Аутоматски одговор: Обавештење", inquiry.Machine, "auto-reply subject (аутоматски одговор)"},
		{"Albanian", generated, "Përgjigje automatike: Njoftim", inquiry.Machine, "auto-reply subject (përgjigje automatike)"},
		{"Albanian without ë", generated, "Pergjigje automatike: Njoftim", inquiry.Machine, "auto-reply subject (pergjigje automatike)"},
		{"Albanian without ë, out of office", generated, "Jashte zyres: Njoftim", inquiry.Machine, "auto-reply subject (jashte zyres)"},
		{"English", generated, "Out of Office: Notification", inquiry.Machine, "auto-reply subject (out of office)"},
		{"OOO, Outlook", suppress, "OOO: Notification", inquiry.Machine, "auto-reply subject (ooo) with X-Auto-Response-Suppress"},
		{"Absence, Auto-Submitted", generated, "Absence : Notification", inquiry.Machine, "auto-reply subject (absence) with Auto-Submitted"},
		{"OOO, Exchange inbox rule", from + "X-MS-Exchange-Inbox-Rules-Loop: jusuf@mkrs.example\n", "OOO: Notification", inquiry.Machine, "auto-reply subject (ooo) with X-MS-Exchange-Inbox-Rules-Loop"},
		{"Absence, vacation(1)", from + "Precedence: bulk\n", "Absence: Notification", inquiry.Machine, "auto-reply subject (absence) with Precedence"},

		{"Sieve vacation", from + "Auto-Submitted: auto-replied (vacation)\n", "Odsutan sam do 30.11.", inquiry.Machine, "Auto-Submitted: auto-replied"},
		{"Zimbra", from + "Auto-Submitted: auto-replied (zimbra; vacation)\n", "Jam me pushim", inquiry.Machine, "Auto-Submitted: auto-replied"},
		{"X-Autoreply", from + "X-Autoreply: yes\n", "Jam me pushim", inquiry.Machine, "X-Autoreply: yes"},
		{"X-Autorespond", from + "X-Autorespond: yes\n", "Jam me pushim", inquiry.Machine, "X-Autorespond"},
		{"Precedence auto_reply", from + "Precedence: auto_reply\n", "Jam me pushim", inquiry.Machine, "Precedence: auto_reply"},
		{"Outlook without Auto-Submitted", suppress, "Automatic reply: Notification", inquiry.Machine, "auto-reply subject (automatic reply)"},

		// Guards: machine mail that is no reply, and people's mail.
		{"auto-generated, no away subject", generated, "Raporti ditor", inquiry.Machine, ""},
		{"read receipt marked auto-replied", from + "Auto-Submitted: auto-replied\nContent-Type: multipart/report; report-type=disposition-notification; boundary=x\n", "Read: Notification", inquiry.Machine, ""},
		{"a person's Absence", from, "Absence: Arben, 5.12.", inquiry.Human, ""},
		{"a person's OOO", from, "OOO", inquiry.Human, ""},
		{"Absence, Auto-Submitted: no", from + "Auto-Submitted: no\n", "Absence: Arben", inquiry.Human, ""},
		{"a rule forwarding a citizen's mail", from + "X-MS-Exchange-Inbox-Rules-Loop: jusuf@mkrs.example\n", "Kërkesë për leje", inquiry.Human, ""},
		{"Absence in a reply", suppress, "Re: Absence: Arben", inquiry.Human, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw := tc.header + "Subject: " + mime.QEncoding.Encode("utf-8", tc.subject) + "\n\nJam jashtë zyrës deri më 30.11.\n"
			m := Parse([]byte(raw), received, testOpts)
			if m.Automation != tc.want {
				t.Errorf("Automation %q (%s), want %q", m.Automation, m.AutomationReason, tc.want)
			}
			if tc.autoReply == "" && m.AutoReply != "" || !strings.HasPrefix(m.AutoReply, tc.autoReply) {
				t.Errorf("AutoReply %q, want %q", m.AutoReply, tc.autoReply)
			}
		})
	}
}
