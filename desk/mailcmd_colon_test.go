package desk_test

import (
	"testing"

	"sportel/desk"
)

// "#close: granted" starts with # and a command word: it must not reach
// the citizen as text while the ticket silently stays open.
func TestCommandWordWithColon(t *testing.T) {
	text, cmds := desk.ParseCommands("Ju dërgojmë kontratën.\n#close: granted")
	if len(cmds) != 1 || text != "Ju dërgojmë kontratën." {
		t.Errorf("text %q, commands %+v; want the line taken out as a command (done, or refused with how to write it)", text, cmds)
	}
}
