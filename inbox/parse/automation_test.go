package parse

import (
	"bufio"
	"mime"
	"strings"
	"testing"

	"github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"

	"sportel/inquiry"
)

func readHeader(t *testing.T, raw string) mail.Header {
	t.Helper()
	th, err := textproto.ReadHeader(bufio.NewReader(strings.NewReader(raw + "\r\n")))
	if err != nil {
		t.Fatalf("read test header: %v", err)
	}
	return mail.Header{Header: message.Header{Header: th}}
}

// TestLoopProtection runs every header signal through both IsAutomated and
// Parse; each header is a whole message once a body is added.
func TestLoopProtection(t *testing.T) {
	tests := []struct {
		name        string
		header      string
		want        inquiry.Automation
		reason      string
		suppressAck bool
		noReply     bool
	}{
		{"person", "From: arta@example.org\n", inquiry.Human, "", false, false},
		{"Auto-Submitted no", "From: arta@example.org\nAuto-Submitted: no\n", inquiry.Human, "", false, false},
		{"Auto-Submitted auto-replied", "From: arta@example.org\nAuto-Submitted: auto-replied (vacation)\n", inquiry.Machine, "Auto-Submitted: auto-replied (vacation)", false, false},
		{"Auto-Submitted auto-generated", "From: arta@example.org\nAuto-Submitted: Auto-Generated\n", inquiry.Machine, "Auto-Submitted: Auto-Generated", false, false},
		{"Precedence auto_reply", "From: arta@example.org\nPrecedence: auto_reply\n", inquiry.Machine, "Precedence: auto_reply", false, false},
		{"X-Precedence auto_reply", "From: arta@example.org\nX-Precedence: auto_reply\n", inquiry.Machine, "X-Precedence: auto_reply", false, false},
		{"X-Autoreply", "From: arta@example.org\nX-Autoreply: yes\n", inquiry.Machine, "X-Autoreply: yes", false, false},
		{"X-Autorespond", "From: arta@example.org\nX-Autorespond: Out of office\n", inquiry.Machine, "X-Autorespond", false, false},
		{"empty Return-Path", "Return-Path: <>\nFrom: arta@example.org\n", inquiry.Machine, "Return-Path: <>", false, false},
		{"normal Return-Path", "Return-Path: <arta@example.org>\nFrom: arta@example.org\n", inquiry.Human, "", false, false},
		// The delivery agent writes the null envelope sender so too.
		{"Return-Path MAILER-DAEMON", "Return-Path: <MAILER-DAEMON>\nFrom: arta@example.org\n", inquiry.Machine, "Return-Path: <MAILER-DAEMON>", false, false},
		{"Return-Path MAILER-DAEMON@host", "Return-Path: <mailer-daemon@mx.example.org>\nFrom: arta@example.org\n", inquiry.Machine, "Return-Path: <mailer-daemon@mx.example.org>", false, false},
		{"Return-Path of qmail's double bounce", "Return-Path: <#@[]>\nFrom: arta@example.org\n", inquiry.Machine, "Return-Path: <#@[]>", false, false},
		{"Return-Path of a person named so", "Return-Path: <mailer-daemon.fan@example.org>\nFrom: arta@example.org\n", inquiry.Human, "", false, false},
		{"MAILER-DAEMON", "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.org>\n", inquiry.Machine, "sender MAILER-DAEMON@mx.example.org", false, false},
		{"postmaster", "From: postmaster@example.org\n", inquiry.Machine, "sender postmaster@example.org", false, false},
		{"our own address", "From: DKP <DKP@mkrs-ks.org>\n", inquiry.Machine, "sender is our own address DKP@mkrs-ks.org", false, false},
		{"X-Loop naming us", "From: arta@example.org\nX-Loop: dkp@mkrs-ks.org\n", inquiry.Machine, "X-Loop: dkp@mkrs-ks.org", false, false},
		{"X-Loop of someone else", "From: arta@example.org\nX-Loop: list@example.net\n", inquiry.Human, "", false, false},
		{"our Message-ID", "From: arta@example.org\nMessage-ID: <ack-9@Sportel.mkrs-ks.org>\n", inquiry.Machine, "Message-ID of our own", false, false},
		{"multipart/report", "From: arta@example.org\nContent-Type: multipart/report; report-type=disposition-notification; boundary=x\n", inquiry.Machine, "delivery report", false, false},
		{"X-Spam-Flag", "From: arta@example.org\nX-Spam-Flag: YES\n", inquiry.Spam, "X-Spam-Flag: YES", false, false},
		{"Rspamd's X-Spam", "From: billing@paypa1-secure.example\nReply-To: victim@example.org\nX-Spam: Yes\n", inquiry.Spam, "X-Spam: Yes", false, false},
		{"X-Spam: No", "From: arta@example.org\nX-Spam: No\n", inquiry.Human, "", false, false},
		{"X-Spam-Status", "From: arta@example.org\nX-Spam-Status: Yes, score=9.1 required=5.0\n", inquiry.Spam, "X-Spam-Status: Yes", false, false},
		{"X-Spam-Status no", "From: arta@example.org\nX-Spam-Status: No, score=0.1\n", inquiry.Human, "", false, false},
		{"Precedence bulk", "From: news@example.org\nPrecedence: bulk\n", inquiry.Bulk, "Precedence: bulk", false, false},
		{"Precedence list", "From: news@example.org\nPrecedence: list\n", inquiry.Bulk, "Precedence: list", false, false},
		{"X-Precedence junk", "From: news@example.org\nX-Precedence: junk\n", inquiry.Bulk, "X-Precedence: junk", false, false},
		{"List-Id", "From: news@example.org\nList-Id: <sport.lists.example.org>\n", inquiry.Bulk, "List-Id: <sport.lists.example.org>", false, false},
		{"List-Unsubscribe", "From: news@example.org\nList-Unsubscribe: <mailto:u@example.org>\n", inquiry.Bulk, "List-Unsubscribe", false, false},
		{"X-Auto-Response-Suppress alone", "From: arta@example.org\nX-Auto-Response-Suppress: All\n", inquiry.Human, "X-Auto-Response-Suppress: All", true, false},
		{"X-Auto-Response-Suppress with Precedence bulk", "From: arta@example.org\nX-Auto-Response-Suppress: OOF\nPrecedence: bulk\n", inquiry.Machine, "X-Auto-Response-Suppress: OOF with Precedence: bulk", true, false},
		{"X-Auto-Response-Suppress from no-reply", "From: noreply@example.org\nX-Auto-Response-Suppress: All\n", inquiry.Machine, "from no-reply sender", true, true},
		{"Exchange rule's reply alone", "From: arta@example.org\nX-MS-Exchange-Generated-Message-Source: Mailbox Rules Agent\n", inquiry.Human, "X-MS-Exchange-Generated-Message-Source: Mailbox Rules Agent", true, false},
		{"Exchange rule's reply with Precedence junk", "From: arta@example.org\nX-MS-Exchange-Generated-Message-Source: Mailbox Rules Agent\nPrecedence: junk\n", inquiry.Machine, "X-MS-Exchange-Generated-Message-Source: Mailbox Rules Agent with Precedence: junk", true, false},
		{"Exchange rule's reply with X-Auto-Response-Suppress too", "From: arta@example.org\nX-Auto-Response-Suppress: All\nX-MS-Exchange-Generated-Message-Source: Mailbox Rules Agent\n", inquiry.Human, "X-MS-Exchange-Generated-Message-Source: Mailbox Rules Agent", true, false},
		{"Exchange rule's reply from no-reply", "From: noreply@example.org\nX-MS-Exchange-Generated-Message-Source: Transport Rule Agent\n", inquiry.Machine, "from no-reply sender", true, true},
		{"X-Auto-Response-Suppress with Auto-Submitted", "From: arta@example.org\nX-Auto-Response-Suppress: All\nAuto-Submitted: auto-generated\n", inquiry.Machine, "Auto-Submitted: auto-generated", true, false},
		{"machine beats spam", "From: arta@example.org\nX-Spam-Flag: YES\nAuto-Submitted: auto-replied\n", inquiry.Machine, "Auto-Submitted", false, false},
		{"spam beats bulk", "From: news@example.org\nList-Id: <l.example.org>\nX-Spam-Flag: YES\n", inquiry.Spam, "X-Spam-Flag", false, false},
		{"no-reply variants", "From: Do-Not-Reply+abc@example.org\n", inquiry.Human, "", false, true},
		{"noreply prefix", "From: NOREPLY.notifications@example.org\n", inquiry.Human, "", false, true},
		{"reply is not no-reply", "From: reply@example.org\n", inquiry.Human, "", false, false},
		{"no From", "Subject: x\n", inquiry.Human, "", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, reason := IsAutomated(readHeader(t, strings.ReplaceAll(tc.header, "\n", "\r\n")), testOpts)
			if got != tc.want || !strings.Contains(reason, tc.reason) {
				t.Errorf("IsAutomated = %q %q, want %q containing %q", got, reason, tc.want, tc.reason)
			}
			if tc.want == inquiry.Human && tc.reason == "" && reason != "" {
				t.Errorf("IsAutomated reason %q for a person's mail", reason)
			}

			m := Parse([]byte(tc.header+"Subject: s\n\n--x--\n"), received, testOpts)
			if m.Automation != tc.want || !strings.Contains(m.AutomationReason, tc.reason) {
				t.Errorf("Parse Automation = %q %q, want %q containing %q", m.Automation, m.AutomationReason, tc.want, tc.reason)
			}
			if m.SuppressAck != tc.suppressAck || m.NoReplySender != tc.noReply {
				t.Errorf("SuppressAck %v NoReplySender %v, want %v %v", m.SuppressAck, m.NoReplySender, tc.suppressAck, tc.noReply)
			}
		})
	}
}

func TestReplyToThatCannotBeAnswered(t *testing.T) {
	tests := []struct {
		name    string
		replyTo string
		want    string // ReplyAddress().Address
	}{
		{"person", "besa@example.org", "besa@example.org"},
		{"no-reply", "no-reply@example.org", "arta@example.org"},
		{"our own", "dkp@mkrs-ks.org", "arta@example.org"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := Parse([]byte("From: arta@example.org\nReply-To: "+tc.replyTo+"\n\nx\n"), received, testOpts)
			if got := m.ReplyAddress().Address; got != tc.want {
				t.Errorf("ReplyAddress = %q, want %q", got, tc.want)
			}
		})
	}
}

// Officers' mail server writes Message-IDs in our domain too; only the ones
// with our prefix are ours.
func TestOwnMessageIDNeedsPrefix(t *testing.T) {
	opts := Options{OwnAddresses: []string{"komunikimi@mkrs.example"}, OwnMessageIDDomain: "mkrs.example", OwnMessageIDPrefix: "sportel."}
	tests := []struct {
		messageID string
		want      inquiry.Automation
	}{
		{"sportel.ack.0a1b2c@mkrs.example", inquiry.Machine},
		{"CAB12345@mkrs.example", inquiry.Human},
		{"sportel.ack.0a1b2c@example.org", inquiry.Human},
	}
	for _, tt := range tests {
		h := readHeader(t, "From: jusuf.lushaku@mkrs.example\r\nMessage-ID: <"+tt.messageID+">\r\n")
		if got, reason := IsAutomated(h, opts); got != tt.want {
			t.Errorf("Message-ID %s: %q (%s), want %q", tt.messageID, got, reason, tt.want)
		}
	}
}

// TestMachineSigns covers machine mail that carries no standard header, and
// the person's mail next to each sign that must stay a person's. Each case
// is judged by Parse and, when the header alone tells, by IsAutomated too.
func TestMachineSigns(t *testing.T) {
	tests := []struct {
		name   string
		header string // without Subject
		// subject and body; body "" means the header alone decides.
		subject, body string
		want          inquiry.Automation
		reason        string
	}{
		{"null From with name", "From: MAILER-DAEMON <>\n", "Returned", "", inquiry.Machine, "null sender in From: MAILER-DAEMON <>"},
		{"null From alone", "From: <>\n", "x", "", inquiry.Machine, "null sender in From"},
		{"post_master", "From: post_master@example.org\n", "x", "", inquiry.Machine, "sender post_master@example.org"},
		{"Mail-Daemon", "From: Mail-Daemon@example.org\n", "x", "", inquiry.Machine, "sender Mail-Daemon@example.org"},
		{"Mail Delivery System name", "From: Mail Delivery System <relay@example.org>\n", "x", "", inquiry.Machine, "sender name Mail Delivery System"},
		{"MAILER-DAEMON name", "From: \"MAILER-DAEMON\" <mx@example.org>\n", "x", "", inquiry.Machine, "sender name MAILER-DAEMON"},
		{"person named Mailer", "From: Lena Mailer <mailer@example.de>\n", "Pyetje", "", inquiry.Human, ""},
		{"person named Post Master", "From: Post Master <arben.post@example.com>\n", "Pyetje", "", inquiry.Human, ""},

		{"list -bounces", "From: kultura-bounces@lists.example.org\n", "Notice", "", inquiry.Machine, "list-manager sender kultura-bounces@"},
		{"list -bounces VERP", "From: kultura-bounces+dkp=mkrs-ks.org@lists.example.org\n", "Notice", "", inquiry.Machine, "list-manager sender"},
		{"list -request", "From: kultura-request@lists.example.org\n", "confirm 3f2a", "", inquiry.Machine, "list-manager sender"},
		{"list owner-", "From: owner-sport-l@lists.example.edu\n", "x", "", inquiry.Machine, "list-manager sender"},
		{"list -owner", "From: culture-owner@lists.example.fr\n", "x", "", inquiry.Machine, "list-manager sender"},
		{"bounce+ prefix", "From: bounces+123@mail.example.net\n", "x", "", inquiry.Machine, "list-manager sender"},
		{"bounce- prefix", "From: bounce-mc.1234@mail.example.net\n", "x", "", inquiry.Machine, "list-manager sender"},
		{"bouncer is a word", "From: bouncer@club.example\n", "Leje", "", inquiry.Human, ""},
		{"owner alone", "From: owner@club.example\n", "Licenca", "", inquiry.Human, ""},
		{"list manager with a person in Reply-To", "From: forms-bounces@web.example\nReply-To: drita@example.org\n", "Formulari", "", inquiry.Human, ""},
		{"-admin writing of a list", "From: rinia-admin@lists.example.net\n", "Rinia mailing list reminder", "", inquiry.Machine, "list-manager sender rinia-admin@lists.example.net writing of mailing list"},
		{"-admin of a school", "From: it-admin@school.example\n", "Pyetje për projektin", "", inquiry.Human, ""},
		{"-admin of a school naming a list", "From: it-admin@school.example\n", "Lista e nxënësve për vizitën", "", inquiry.Human, ""},

		{"Automatic reply", "From: arta@example.org\n", "Automatic reply: Kërkesa [DKP-2026-000001]", "", inquiry.Machine, "auto-reply subject (automatic reply)"},
		{"French label with space", "From: claire@example.fr\n", "Réponse automatique : Votre demande", "", inquiry.Machine, "auto-reply subject (réponse automatique)"},
		{"Albanian", "From: arta@example.org\n", "Përgjigje automatike: Kërkesa", "", inquiry.Machine, "auto-reply subject (përgjigje automatike)"},
		{"Serbian Cyrillic", "From: jelena@example.rs\n", "Аутоматски одговор: Захтев", "", inquiry.Machine, "auto-reply subject (аутоматски одговор)"},
		{"Out of Office alone", "From: arta@example.org\n", "Out of Office", "", inquiry.Machine, "auto-reply subject (out of office)"},
		{"tagged by a gateway", "From: arta@example.org\n", "[EXTERNAL] Automatic reply: x", "", inquiry.Machine, "auto-reply subject"},
		{"out of office hours", "From: arta@example.org\n", "Out of office hours question", "", inquiry.Human, ""},
		{"reply about out of office", "From: arta@example.org\n", "Re: out of office hours question", "", inquiry.Human, ""},
		{"asking about automatic reply", "From: arta@example.org\n", "Automatic reply from your office never came", "", inquiry.Human, ""},

		{"Undeliverable", "From: Outlook <notify@example.org>\n", "Undeliverable: Kërkesa", "", inquiry.Machine, "bounce subject (undeliverable)"},
		{"Postfix subject", "From: relay@example.org\n", "Undelivered Mail Returned to Sender", "", inquiry.Machine, "bounce subject (undelivered mail returned to sender)"},
		{"Exim delay", "From: relay@example.org\n", "Warning: message 1tXa9k-0004Qd-2F delayed 24 hours", "", inquiry.Machine, "bounce subject (warning: message … delayed)"},
		{"a warning that is not Exim's", "From: arta@example.org\n", "Warning: message from a fake ministry account", "", inquiry.Human, ""},
		{"German Exchange", "From: notify@example.de\n", "Unzustellbar: Anfrage", "", inquiry.Machine, "bounce subject (unzustellbar)"},
		{"Serbian Latin", "From: notify@example.rs\n", "Neisporučivo: Zahtev", "", inquiry.Machine, "bounce subject (neisporučivo)"},
		{"failure notice alone", "From: relay@example.org\n", "failure notice", "", inquiry.Machine, "bounce subject (failure notice)"},
		{"failure notice in a question", "From: arta@example.org\n", "Failure notice for my licence?", "", inquiry.Human, ""},
		{"mail delivery failed in a plea", "From: arta@example.org\n", "Mail delivery failed - please help", "", inquiry.Human, ""},
		{"reply to a bounce", "From: arta@example.org\n", "Re: Undelivered Mail Returned to Sender", "", inquiry.Human, ""},

		{"list held", "From: lists@example.org\n", "Your message to Kultura awaits moderator approval", "", inquiry.Machine, "list notice subject (awaits moderator approval)"},
		{"Your message to … rejected", "From: lists@example.org\n", "Your message to kultura@lists.example.eu was rejected", "", inquiry.Machine, "list notice subject (your message to … was rejected)"},
		{"Your message to a person", "From: arta@example.org\n", "Your message to the minister", "", inquiry.Human, ""},
		{"loop alert", "From: lists@example.org\n", "Loop alert", "", inquiry.Machine, "list notice subject (loop alert)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			header := tc.header + "Subject: " + mime.QEncoding.Encode("utf-8", tc.subject) + "\n"
			got, reason := IsAutomated(readHeader(t, strings.ReplaceAll(header, "\n", "\r\n")), testOpts)
			if got != tc.want || !strings.HasPrefix(reason, tc.reason) {
				t.Errorf("IsAutomated = %q %q, want %q starting %q", got, reason, tc.want, tc.reason)
			}
			m := Parse([]byte(header+"\nPërshëndetje, kam një pyetje.\n"), received, testOpts)
			if m.Automation != tc.want || !strings.HasPrefix(m.AutomationReason, tc.reason) {
				t.Errorf("Parse = %q %q, want %q starting %q", m.Automation, m.AutomationReason, tc.want, tc.reason)
			}
		})
	}
}

// TestMachineSignsInBody covers the signs only the body shows: an MTA's
// template at the top, a JSON notice, an abuse report enclosing a message.
func TestMachineSignsInBody(t *testing.T) {
	const rfc822 = "multipart/mixed; boundary=b"
	enclosing := func(text string) string {
		return "--b\nContent-Type: text/plain\n\n" + text + "\n--b\nContent-Type: message/rfc822\n\nFrom: dkp@mkrs-ks.org\nMessage-ID: <a1@sportel.mkrs-ks.org>\nSubject: x\n\ny\n--b--\n"
	}
	tests := []struct {
		name, from, subject, contentType, body string
		want                                   inquiry.Automation
		reason                                 string
	}{
		{"Postfix text", "relay@example.net", "Notice", "", "This is the mail system at host relay.example.net.\n\nI'm sorry...", inquiry.Machine, "bounce text: this is the mail system at host"},
		{"Exchange Online text", "relay@example.net", "Notice", "", "Your message to besa@contoso.example couldn't be delivered.\n", inquiry.Machine, "bounce text: your message to … couldn't be delivered"},
		{"template on the second line", "relay@example.net", "Notice", "", "Mail System\nThis message was created automatically by mail delivery software.\n", inquiry.Machine, "bounce text: this message was created automatically"},
		{"template too far down", "relay@example.net", "Notice", "", "One\nTwo\nThis is the mail system at host x.\n", inquiry.Human, ""},
		{"pasted after a colon", "arta@example.org", "Problem", "", "I got this back:\nThis is the mail system at host mx.example.\n", inquiry.Human, ""},
		{"quoted in a reply", "arta@example.org", "Problem", "", "> This is the mail system at host mx.example.\n", inquiry.Human, ""},
		{"in a reply", "arta@example.org", "Re: Notice", "", "This is the mail system at host mx.example.\n", inquiry.Human, ""},
		{"in a forward", "arta@example.org", "Fwd: Notice", "", "Delivery has failed to these recipients or groups:\n", inquiry.Human, ""},
		{"my message couldn't be delivered", "arta@example.org", "Problem", "", "My message couldn't be delivered to your officer.\n", inquiry.Human, ""},
		{"list notice text", "lists@example.org", "Notice", "", "You are not allowed to post to this mailing list, and your message has been rejected.\n", inquiry.Machine, "list notice text"},
		{"not a member, from a groups service", "noreply-groups@googlegroups.example", "Post rejected", "", "You are not a member of sport-diaspora.\n", inquiry.Machine, "list notice text: you are not a member from noreply-groups@googlegroups.example"},
		{"not a member, from a lists host", "server@lists.example.ro", "You are not a member of cultura-ro", "", "x", inquiry.Machine, "list notice subject (you are not a member) from server@lists.example.ro"},
		{"not a member, from a person", "albin@example.com", "Grant", "", "You are not a member of the federation, they told me.\n", inquiry.Human, ""},

		{"SES JSON", "no-reply@sns.example", "AWS Notification Message", "", `{"notificationType":"Bounce","bounce":{"bounceType":"Permanent"}}`, inquiry.Machine, "JSON delivery notification (notificationtype)"},
		{"SNS-wrapped JSON", "no-reply@sns.example", "AWS Notification Message", "", `{"Type":"Notification","Message":"{\"notificationType\":\"Complaint\"}"}`, inquiry.Machine, "JSON delivery notification (notificationtype)"},
		{"event list JSON", "relay@example.io", "Events", "", `[{"event":"bounce","email":"a@example.org"}]`, inquiry.Machine, "JSON delivery notification (event)"},
		{"JSON in a question", "genc@example.dev", "API", "", "{\"error\": \"delivery failed\"}\nWhy does your API fail?", inquiry.Human, ""},

		{"abuse desk", "abuse@isp.example.net", "Complaint", rfc822, enclosing("Dear operator"), inquiry.Machine, "abuse report from abuse@isp.example.net"},
		{"feedback loop subject", "staff@mail.example", "complaint about message from 192.0.2.10", rfc822, enclosing("See attached."), inquiry.Machine, "abuse report (complaint about message from)"},
		{"ARF as text", "reports@fbl.example", "Report", rfc822, enclosing("Feedback-Type: abuse\nVersion: 1"), inquiry.Machine, "abuse report (feedback-type:)"},
		{"citizen reporting phishing", "hana@example.net", "Abuse report: fake ministry email", rfc822, enclosing("I received this phishing email."), inquiry.Human, ""},
		{"abuse desk without an enclosed message", "abuse@isp.example.net", "Question", "", "Do you have a press office?", inquiry.Human, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			header := "From: " + tc.from + "\nSubject: " + tc.subject + "\n"
			if tc.contentType != "" {
				header += "MIME-Version: 1.0\nContent-Type: " + tc.contentType + "\n"
			}
			m := Parse([]byte(header+"\n"+tc.body), received, testOpts)
			if m.Automation != tc.want || !strings.HasPrefix(m.AutomationReason, tc.reason) {
				t.Errorf("Parse = %q %q, want %q starting %q", m.Automation, m.AutomationReason, tc.want, tc.reason)
			}
			if tc.want == inquiry.Human && m.AutomationReason != "" {
				t.Errorf("reason %q for a person's mail", m.AutomationReason)
			}
		})
	}
}
