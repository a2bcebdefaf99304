package desk_test

import (
	"testing"

	"sportel/desk"
	"sportel/inbox/parse"
	"sportel/inquiry"
)

// An officer's out-of-office in any language their mail client writes, or
// marked by any responder's header, tells the heads the officer is away:
// the desk reads the parser's word that it is an auto-reply, and never
// relays it. Auto-Submitted: auto-generated names no reply by itself, so
// the subject is what says so; "OOO" and "Absence" only with a header
// that marks the mail automatic.
func TestOfficerOutOfOfficeInOfficersLanguages(t *testing.T) {
	generated := []string{"Auto-Submitted: auto-generated"}
	suppress := []string{"X-Auto-Response-Suppress: All"}
	tests := []struct {
		name    string
		subject string
		headers []string
	}{
		{"Turkish", "Otomatik yanıt: ", generated},
		{"Turkish, capitals", "OTOMATIK YANIT: ", generated},
		{"Macedonian", "Автоматски одговор: ", generated},
		{"French", "Réponse automatique : ", generated},
		{"Italian", "Risposta automatica: ", generated},
		{"Albanian, out of office", "Jashtë zyrës: ", generated},
		{"Albanian without ë, out of office", "Jashte zyres: ", generated},
		{"Serbian, out of office", "Van kancelarije: ", generated},
		{"Croatian, absence", "Odsutnost: ", generated},
		{"OOO, Outlook", "OOO: ", suppress},
		{"Absence, Outlook", "Absence: ", suppress},
		{"Absence, French spacing", "Absence : ", generated},
		{"OOO, Exchange inbox rule", "OOO: ", []string{"X-MS-Exchange-Inbox-Rules-Loop: jusuf.lushaku@mkrs.example"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixtureConfig(t, nil, func(c *desk.Config) { c.Officers = headOfficers() })
			notify := fileDocumentRequest(f)
			raw := replyMail(notify, "ooo-lang@mkrs.example", tt.subject+notify.Subject, "", tt.headers,
				"I am out of the office until 30.11.2026.\n")
			m := parse.Parse(raw, f.now, parseOptions())
			if m.Automation != inquiry.Machine || m.AutoReply == "" {
				t.Errorf("parsed as %q %q, auto-reply %q: want machine mail said to be an auto-reply", m.Automation, m.AutomationReason, m.AutoReply)
			}
			if d := f.handle(m); d != inquiry.Attached {
				t.Fatalf("out-of-office: %s, want attached", d)
			}
			jobs := f.jobs("DKP-2026-000001")
			if n := len(jobsOf(jobs, inquiry.JobAnswer)); n != 0 {
				t.Fatalf("%d answers relayed: an out-of-office reply is not an answer", n)
			}
			away := jobsOf(jobs, inquiry.JobAway)
			if len(away) != 1 || away[0].Recipient != "osman" {
				t.Fatalf("head told: %+v, want one notice to osman", away)
			}
			if tk := f.ticket("DKP-2026-000001"); tk.State != inquiry.Assigned {
				t.Errorf("ticket %s, want still assigned", tk.State)
			}
		})
	}
}
