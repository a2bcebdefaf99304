package desk_test

import (
	"reflect"
	"strings"
	"testing"

	"sportel/desk"
	"sportel/inquiry"
)

func TestParseCommands(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		wantText string
		want     []desk.Command
		wantErr  []string // per command, a part of its Err; "" for none
	}{
		{
			name:     "sq answer with an extension below it",
			text:     "I nderuar z. Krasniqi,\n\nDokumentet janë në arkiv, ju përgjigjemi brenda afatit të zgjatur.\n\n#extend 10 dokumentet janë në arkivin e Prizrenit\n\nMe respekt,\nJusuf Lushaku",
			wantText: "I nderuar z. Krasniqi,\n\nDokumentet janë në arkiv, ju përgjigjemi brenda afatit të zgjatur.\n\nMe respekt,\nJusuf Lushaku",
			want: []desk.Command{{Line: "#extend 10 dokumentet janë në arkivin e Prizrenit", Name: "extend", Days: 10,
				Reason: "dokumentet janë në arkivin e Prizrenit"}},
		},
		{
			name:     "en answer, close refused with a ground, CRLF and trailing spaces",
			text:     "Dear Mr Berisha,\r\n\r\nThe contract contains personal data and cannot be released.  \r\n#CLOSE Refused personal_data   \r\n",
			wantText: "Dear Mr Berisha,\n\nThe contract contains personal data and cannot be released.",
			want:     []desk.Command{{Line: "#CLOSE Refused personal_data", Name: "close", Outcome: inquiry.Refused, Ground: "personal_data"}},
		},
		{
			name: "commands only, mixed case, indented",
			text: "#Urgent\n  #notheld Ministria e Arsimit  \n#reopen\r\n#Take\n#assign zamira\n#urgent OFF",
			want: []desk.Command{
				{Line: "#Urgent", Name: "urgent"},
				{Line: "#notheld Ministria e Arsimit", Name: "notheld", Holder: "Ministria e Arsimit"},
				{Line: "#reopen", Name: "reopen"},
				{Line: "#Take", Name: "take"},
				{Line: "#assign zamira", Name: "assign", Officer: "zamira"},
				{Line: "#urgent OFF", Name: "urgent", Off: true},
			},
		},
		{
			name:     "not held without a holder, close with a dashed outcome",
			text:     "Nuk e kemi këtë dokument.\n#notheld\n#close not-held",
			wantText: "Nuk e kemi këtë dokument.",
			want: []desk.Command{
				{Line: "#notheld", Name: "notheld"},
				{Line: "#close not-held", Name: "close", Outcome: inquiry.NotHeld},
			},
		},
		{
			name:     "hashtags, numbers and commands inside a line stay text",
			text:     "Shihni pikën\n#10 in the list\n#hashtag #close granted\nPër ta mbyllur shkruani #close granted.\n#closed\n> #close granted\n#",
			wantText: "Shihni pikën\n#10 in the list\n#hashtag #close granted\nPër ta mbyllur shkruani #close granted.\n#closed\n> #close granted\n#",
		},
		{
			name:     "no command: the text is left alone",
			text:     "Përshëndetje,\n\n\nJu dërgojmë kontratën.",
			wantText: "Përshëndetje,\n\n\nJu dërgojmë kontratën.",
		},
		{
			name:     "written wrongly: still commands, kept from the citizen, with the reason",
			text:     "Tekst.\n#extend\n#extend dhjetë ditë arsye\n#extend 10\n#urgent of\n#close\n#close maybe\n#close refused personal_data tepër\n#reopen tani\n#assign\n#take une",
			wantText: "Tekst.",
			want: []desk.Command{
				{Line: "#extend", Name: "extend"},
				{Line: "#extend dhjetë ditë arsye", Name: "extend"},
				{Line: "#extend 10", Name: "extend"},
				{Line: "#urgent of", Name: "urgent"},
				{Line: "#close", Name: "close"},
				{Line: "#close maybe", Name: "close"},
				{Line: "#close refused personal_data tepër", Name: "close", Outcome: inquiry.Refused, Ground: "personal_data"},
				{Line: "#reopen tani", Name: "reopen"},
				{Line: "#assign", Name: "assign"},
				{Line: "#take une", Name: "take"},
			},
			wantErr: []string{
				"give the days and the reason", `"dhjetë" is not a number of days`, "give the days and the reason",
				"#urgent takes nothing or off", "give the outcome", `unknown outcome "maybe"`,
				"at most a ground", "#reopen takes nothing after it", "give one officer's id", "#take takes nothing after it",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, cmds := desk.ParseCommands(tt.text)
			if text != tt.wantText {
				t.Errorf("text to relay:\n%q\nwant\n%q", text, tt.wantText)
			}
			if len(cmds) != len(tt.want) {
				t.Fatalf("%d commands, want %d: %+v", len(cmds), len(tt.want), cmds)
			}
			for i, c := range cmds {
				wantErr := ""
				if tt.wantErr != nil {
					wantErr = tt.wantErr[i]
				}
				switch {
				case wantErr == "" && c.Err != nil:
					t.Errorf("%s: unexpected error %v", c.Line, c.Err)
				case wantErr != "" && (c.Err == nil || !strings.Contains(c.Err.Error(), wantErr)):
					t.Errorf("%s: error %v, want one with %q", c.Line, c.Err, wantErr)
				case wantErr != "" && !strings.Contains(c.Err.Error(), "write it as #"+c.Name):
					t.Errorf("%s: error %v does not show how to write it", c.Line, c.Err)
				}
				c.Err = nil
				if !reflect.DeepEqual(c, tt.want[i]) {
					t.Errorf("command %d = %+v, want %+v", i, c, tt.want[i])
				}
			}
		})
	}
}
