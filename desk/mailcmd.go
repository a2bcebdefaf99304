package desk

import (
	"fmt"
	"strconv"
	"strings"

	"sportel/inquiry"
)

// Commands in an officer's emailed answer: a line of its own that starts
// with "#" and a known command word, such as "#extend 10 arsyeja" or
// "#close refused personal_data". Such lines never reach the citizen; the
// desk applies them as the officer who replied, in the transaction that
// relays the rest of the answer. Any other line starting with "#" ("#10 in
// the list", "#hashtag") is text.

// Command is one command line of an officer's answer.
type Command struct {
	// Line is the line as written (spaces trimmed), for the record and the
	// officer's report.
	Line string
	// Name is the command word in lower case: extend, notheld, urgent,
	// close, reopen, take or assign.
	Name    string
	Days    int             // extend
	Reason  string          // extend
	Holder  string          // notheld, may be empty
	Off     bool            // urgent: "#urgent off" clears the flag
	Outcome inquiry.Outcome // close
	Ground  string          // close, for refused and partly_granted
	Officer string          // assign: the officer's id
	// Err says what is wrong with a command written wrongly; it is not
	// applied, and the officer is told.
	Err error
}

// commandUsage is how each command is written, shown to an officer who
// wrote one wrongly.
var commandUsage = map[string]string{
	"extend":  "#extend DITËT arsyeja (e.g. #extend 10 dokumentet janë në arkivin e Prizrenit)",
	"notheld": "#notheld [institucioni që e mban]",
	"urgent":  "#urgent, or #urgent off",
	"close":   "#close OUTCOME [GROUND] (e.g. #close granted, #close refused personal_data)",
	"reopen":  "#reopen",
	"take":    "#take",
	"assign":  "#assign OFFICER_ID",
}

// ParseCommands takes the command lines out of text, an officer's own
// answer (quoted mail already removed, see OfficerAnswer). It returns the
// text to relay, with blank lines left where a command was collapsed, and
// the commands in the order written.
func ParseCommands(text string) (string, []Command) {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	var cmds []Command
	var b strings.Builder
	blank := false
	for _, line := range strings.Split(text, "\n") {
		if c, ok := parseCommand(line); ok {
			cmds = append(cmds, c)
			continue
		}
		if strings.TrimSpace(line) == "" {
			blank = b.Len() > 0
			continue
		}
		if blank {
			b.WriteString("\n")
			blank = false
		}
		b.WriteString(line)
		b.WriteString("\n")
	}
	if len(cmds) == 0 {
		// Nothing taken out: the text stays exactly as it was.
		return strings.TrimSpace(text), nil
	}
	return strings.TrimSpace(b.String()), cmds
}

// parseCommand reads line as a command; ok is false when it is text.
func parseCommand(line string) (Command, bool) {
	fields := strings.Fields(line)
	if len(fields) == 0 {
		return Command{}, false
	}
	word, ok := strings.CutPrefix(fields[0], "#")
	if !ok {
		return Command{}, false
	}
	c := Command{Line: strings.Join(fields, " "), Name: strings.ToLower(word)}
	usage, known := commandUsage[c.Name]
	if !known {
		return Command{}, false
	}
	args := fields[1:]
	wrong := func(why string) (Command, bool) {
		c.Err = fmt.Errorf("%s; write it as %s", why, usage)
		return c, true
	}
	switch c.Name {
	case "extend":
		if len(args) < 2 {
			return wrong("give the days and the reason, which the requester is told")
		}
		days, err := strconv.Atoi(args[0])
		if err != nil {
			return wrong(fmt.Sprintf("%q is not a number of days", args[0]))
		}
		c.Days, c.Reason = days, strings.Join(args[1:], " ")
	case "notheld":
		c.Holder = strings.Join(args, " ")
	case "urgent":
		switch {
		case len(args) == 0:
		case len(args) == 1 && strings.EqualFold(args[0], "off"):
			c.Off = true
		default:
			// "#urgent of" must not mark a ticket urgent.
			return wrong("#urgent takes nothing or off")
		}
	case "close":
		if len(args) == 0 {
			return wrong("give the outcome")
		}
		oc, err := inquiry.ParseOutcome(strings.ToLower(args[0]))
		if err != nil {
			return wrong(err.Error())
		}
		c.Outcome = oc
		if len(args) > 1 {
			c.Ground = args[1]
		}
		if len(args) > 2 {
			return wrong("#close takes an outcome and at most a ground")
		}
	case "reopen", "take":
		if len(args) > 0 {
			return wrong(fmt.Sprintf("#%s takes nothing after it", c.Name))
		}
	case "assign":
		if len(args) != 1 {
			return wrong("give one officer's id")
		}
		c.Officer = args[0]
	}
	return c, true
}
