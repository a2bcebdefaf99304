package classifier

import (
	"strings"
	"testing"
)

func TestStripQuotedAndSignature(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{
			name: "english reply header and quote",
			in:   "Please send the contract.\n\nOn Tue, 14 Apr 2026 at 10:12, DKP <info@mkrs.example> wrote:\n> Dear Sir,\n> please specify.",
			want: "Please send the contract.",
		},
		{
			name: "header wrapped over two lines",
			in:   "Thanks, that answers it.\n\nOn Tue, 14 Apr 2026 at 10:12, Public Communication Division <info@mkrs.example>\nwrote:\n> old text",
			want: "Thanks, that answers it.",
		},
		{
			name: "albanian reply header",
			in:   "Ju lutem edhe faturat.\n\nMë 14 prill 2026, në 10:12, DKP <info@mkrs.example> shkroi:\n> I nderuar,\n> kërkesa juaj u pranua.",
			want: "Ju lutem edhe faturat.",
		},
		{
			name: "serbian latin reply header",
			in:   "Hvala, čekam odgovor.\n\nDana 14.04.2026. u 10:12, Kancelarija <info@mkrs.example> je napisao:\n> Poštovani,",
			want: "Hvala, čekam odgovor.",
		},
		{
			name: "serbian cyrillic reply header",
			in:   "Хвала на одговору.\n\nДана 14.04.2026. Канцеларија <info@mkrs.example> је написао:\n> Поштовани,",
			want: "Хвала на одговору.",
		},
		{
			name: "gmail's serbian cyrillic reply header",
			in:   "Хвала на одговору.\n\nсре, 25. нов 2026. у 11:00 Divizioni <komunikimi@mkrs.example> је написао/ла:\n> Поштовани,",
			want: "Хвала на одговору.",
		},
		{
			name: "croatian reply header",
			in:   "Hvala, čekam odgovor.\n\nsri, 25. stu 2026. u 11:00 Divizioni <komunikimi@mkrs.example> napisao je:\n> Poštovani,",
			want: "Hvala, čekam odgovor.",
		},
		{
			name: "bottom posting keeps the answer below the quote",
			in:   "On Mon, 2 Mar 2026, DKP <info@mkrs.example> wrote:\n> Which contract do you mean?\n\nThe one for the stadium roof, signed in 2025.",
			want: "The one for the stadium roof, signed in 2025.",
		},
		{
			name: "interleaved quote lines are dropped",
			in:   "> Which year?\n2025 please.\n> Which format?\nPDF is fine.",
			want: "2025 please.\nPDF is fine.",
		},
		{
			name: "signature delimiter",
			in:   "Can I get the minutes?\n-- \nArben Krasniqi\nNGO Rinia\n+383 44 000 000",
			want: "Can I get the minutes?",
		},
		{
			name: "sent from my iPhone",
			in:   "Who is the spokesperson?\n\nSent from my iPhone",
			want: "Who is the spokesperson?",
		},
		{
			name: "albanian mobile footer",
			in:   "Kur hapet konkursi?\n\nDërguar nga iPhone-i im",
			want: "Kur hapet konkursi?",
		},
		{
			name: "serbian mobile footer",
			in:   "Kada počinje konkurs?\n\nPoslato sa mog iPhone-a",
			want: "Kada počinje konkurs?",
		},
		{
			name: "outlook original message",
			in:   "See my question below again.\n\n-----Original Message-----\nFrom: Ana\nSent: Monday\nSubject: tender\n\nOld question text",
			want: "See my question below again.",
		},
		{
			name: "outlook header block without marker",
			in:   "Any update?\n\n________________________________\nFrom: Ana <ana@example.org>\nSent: 3 March 2026\nSubject: scholarship",
			want: "Any update?",
		},
		{
			name: "closing with a short name block",
			in:   "Dear Sir,\n\nplease send the audit report.\n\nKind regards,\nArta Berisha\nJournalist, Koha\n+383 44 123 456",
			want: "Dear Sir,\n\nplease send the audit report.",
		},
		{
			name: "albanian closing",
			in:   "Të nderuar,\n\nkërkoj listën e përfituesve.\n\nMe respekt,\nVjosa Gashi",
			want: "Të nderuar,\n\nkërkoj listën e përfituesve.",
		},
		{
			name: "thanks that opens a paragraph is kept",
			in:   "Thanks,\nI read your answer but I still do not understand which office handles the heritage permits for houses in the old town of Prizren and how long it takes.",
			want: "Thanks,\nI read your answer but I still do not understand which office handles the heritage permits for houses in the old town of Prizren and how long it takes.",
		},
		{
			name: "a lone thanks is the message",
			in:   "Thank you!",
			want: "Thank you!",
		},
		{
			name: "only a quote: the text is kept rather than nothing",
			in:   "> forwarded question about the library",
			want: "> forwarded question about the library",
		},
		{
			name: "CRLF line ends",
			in:   "Need a comment.\r\n\r\nSent from my Galaxy\r\n",
			want: "Need a comment.",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := StripQuotedAndSignature(tc.in); got != tc.want {
				t.Errorf("StripQuotedAndSignature(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestHasLowerPrefix checks hasLowerPrefix against what it stands for,
// strings.HasPrefix(strings.ToLower(s), prefix), where lowering changes
// lengths or bytes: capitals of two scripts, letters whose lower case is
// shorter or longer, invalid UTF-8 and a prefix longer than s.
func TestHasLowerPrefix(t *testing.T) {
	tests := []struct{ s, prefix string }{
		{"", ""},
		{"", "www."},
		{"www", "www."},
		{"WWW.example.com", "www."},
		{"Www.Example", "www."},
		{"wWw,example", "www."},
		{"ОВА ПОРУКА је поверљива", "ова порука"},
		{"Ова Порука", "ова порука"},
		{"İnformacioni i përmbajtur", "informacioni"},
		{"\u212Aonfidential", "konfidencial"}, // Kelvin sign lowers to k
		{"Ⱥb", "ⱥb"},                          // two bytes lower to three
		{"\xffThis email", "this email"},
		{"\xffThis email", "\ufffdthis"},
		{"CONFIDENTIALITY NOTICE", "confidentiality"},
		{"Confidential", "confidentiality"},
	}
	for _, tt := range tests {
		want := strings.HasPrefix(strings.ToLower(tt.s), tt.prefix)
		if got := hasLowerPrefix(tt.s, tt.prefix); got != want {
			t.Errorf("hasLowerPrefix(%q, %q) = %v, want %v", tt.s, tt.prefix, got, want)
		}
	}
}
