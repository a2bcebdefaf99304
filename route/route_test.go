package route

import (
	"testing"

	"sportel/inquiry"
)

func TestRoute(t *testing.T) {
	rules := []Rule{
		{Match: Match{Category: inquiry.DocumentRequest}, Officer: "jusuf"},
		{Match: Match{Category: inquiry.PressInquiry, Channel: inquiry.ChannelTelegram}, Officer: "osman-tg"},
		{Match: Match{Category: inquiry.PressInquiry}, Officer: "osman"},
		{Match: Match{Language: inquiry.SerbianCyrl}, Officer: "milica"},
		{Officer: "zamira"},
	}
	r := New(rules)
	tests := []struct {
		name    string
		ticket  Ticket
		officer string
		rule    int
	}{
		{"document request by email", Ticket{inquiry.DocumentRequest, inquiry.ChannelEmail, inquiry.Albanian}, "jusuf", 0},
		{"document request in Cyrillic still goes by category first", Ticket{inquiry.DocumentRequest, inquiry.ChannelEmail, inquiry.SerbianCyrl}, "jusuf", 0},
		{"press on telegram", Ticket{inquiry.PressInquiry, inquiry.ChannelTelegram, inquiry.English}, "osman-tg", 1},
		{"press by email", Ticket{inquiry.PressInquiry, inquiry.ChannelEmail, inquiry.English}, "osman", 2},
		{"general question in Cyrillic", Ticket{inquiry.GeneralQuestion, inquiry.ChannelEmail, inquiry.SerbianCyrl}, "milica", 3},
		{"general question in Albanian falls through", Ticket{inquiry.GeneralQuestion, inquiry.ChannelTelegram, inquiry.Albanian}, "zamira", 4},
		{"unknown language falls through", Ticket{inquiry.GeneralQuestion, inquiry.ChannelEmail, inquiry.UndefinedLang}, "zamira", 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			officer, rule := r.Route(tt.ticket)
			if officer != tt.officer || rule != tt.rule {
				t.Errorf("Route(%+v) = %q (rule %d), want %q (rule %d)", tt.ticket, officer, rule, tt.officer, tt.rule)
			}
		})
	}
	if got := r.CatchAll(); got != "zamira" {
		t.Errorf("CatchAll() = %q, want zamira", got)
	}
}

func TestRuleString(t *testing.T) {
	got := Rule{Match: Match{Category: inquiry.DocumentRequest, Channel: inquiry.ChannelEmail}, Officer: "jusuf"}.String()
	if want := "category=document_request, channel=email → jusuf"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got := (Rule{Officer: "zamira"}).String(); got != "everything else → zamira" {
		t.Errorf("catch-all String() = %q", got)
	}
}
