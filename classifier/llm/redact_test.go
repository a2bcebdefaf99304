package llm

import "testing"

func TestRedact(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"plain email", "Shkruani në agon.rama85@gmail.com ju lutem", "Shkruani në [email] ju lutem"},
		{"email in angle brackets", "Redakcija <info@mkrs-ks.example>", "Redakcija <[email]>"},
		{"email with plus and subdomain", "a.b+tag@mail.rks-gov.net.", "[email]."},
		{"unicode email", "ćirilica: марко@пример.срб", "ćirilica: [email]"},
		{"kosovo mobile spaced", "tel 044 123 456, faleminderit", "tel [phone], faleminderit"},
		{"kosovo mobile dashed", "049-213-884", "[phone]"},
		{"kosovo mobile slashed", "045/771-093.", "[phone]."},
		{"kosovo mobile in one piece", "nr:044123456", "nr:[phone]"},
		{"kosovo landline with parentheses", "(038) 200 20 000", "[phone]"},
		{"kosovo international plus", "+383 44 123 456", "[phone]"},
		{"kosovo international with trunk", "+383 (0)44 123-456 ose", "[phone] ose"},
		{"kosovo international 00", "00383 49 321 448", "[phone]"},
		{"serbian mobile ten digits", "064 552 9013", "[phone]"},
		{"us number", "call +1 (202) 555-0173 today", "call [phone] today"},
		{"german number", "+49 30 1234567", "[phone]"},
		{"in parentheses", "(tel. 044 123 456)", "(tel. [phone])"},
		{"two numbers", "044 123 456 ose 049 765 432", "[phone] ose [phone]"},
		{"two numbers back to back", "044 123 456 049 765 432", "[phone]"},
		{"email and phone", "x@y.org / 063 117 450", "[email] / [phone]"},
		{"date with dots untouched", "deri më 30.09.2026 ora 14", "deri më 30.09.2026 ora 14"},
		{"date with leading zero untouched", "më 08.10.2026 12:30", "më 08.10.2026 12:30"},
		{"slashed date and time untouched", "01/02/2026 14:30", "01/02/2026 14:30"},
		{"law number untouched", "Ligji Nr. 06/L-081 për qasje", "Ligji Nr. 06/L-081 për qasje"},
		{"ticket number untouched", "Re: [DKP-2026-000042]", "Re: [DKP-2026-000042]"},
		{"amount untouched", "shuma 1.250.000 euro", "shuma 1.250.000 euro"},
		{"year range untouched", "strategjia 2024-2028", "strategjia 2024-2028"},
		{"protocol number untouched", "nr. prot. 412/2026 dhe 11-07/26", "nr. prot. 412/2026 dhe 11-07/26"},
		{"short number untouched", "zyra 044 12", "zyra 044 12"},
		{"glued to letters untouched", "ref A0441234567", "ref A0441234567"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Redact(tt.in); got != tt.want {
				t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
