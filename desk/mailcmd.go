package desk

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"sportel/inquiry"
	"sportel/store"
)

// Commands in an officer's emailed answer: a line of its own that starts
// with "#" and a known command word, such as "#extend 10 arsyeja" or
// "#close refused personal_data". Such lines never reach the citizen; the
// desk applies them as the officer who replied, in the transaction that
// relays the rest of the answer. A line that starts with a word clearly
// meant as a command ("#clsoe granted", "#mbyll") is refused and never
// reaches the citizen either (see misspelledCommand). Any other line
// starting with "#" ("#10 in the list", "#hashtag") is text.

// Command is one command line of an officer's answer.
type Command struct {
	// Line is the line as written (spaces trimmed, and the marks of a
	// line made bold or underlined whole left out: see emphasized), for the
	// record and the officer's report.
	Line string
	// Name is the command word in lower case: extend, notheld, urgent,
	// close, reopen, take or assign; for a word meant as one of them
	// (misspelledCommand), the word as written, and Err says which.
	Name    string
	Days    int             // extend
	Reason  string          // extend
	Holder  string          // notheld, may be empty
	Off     bool            // urgent: "#urgent off" clears the flag
	Outcome inquiry.Outcome // close
	Ground  string          // close, for refused and partly_granted
	Officer string          // assign: the officer's id
	// Err says what is wrong with a command written wrongly (a *Refusal);
	// it is not applied, and the officer is told.
	Err error
}

// commandUsage is how each command is written, shown (in Albanian, the
// officers' language) to an officer who wrote one wrongly.
var commandUsage = map[string]string{
	"extend":  "#extend DITËT arsyeja (p.sh. #extend 10 dokumentet janë në arkivin e Prizrenit); arsyeja i tregohet kërkuesit",
	"notheld": "#notheld [institucioni që e mban]",
	"urgent":  "#urgent, ose #urgent off",
	"close":   "#close [REZULTATI [BAZA]] (p.sh. #close granted, #close refused personal_data)",
	"reopen":  "#reopen",
	"take":    "#take",
	"assign":  "#assign ID_E_ZYRTARIT (p.sh. #assign zamira)",
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
	fields := strings.Fields(strings.Map(invisible, line))
	if len(fields) == 0 {
		return Command{}, false
	}
	if plain, ok := emphasized(strings.Join(fields, " ")); ok {
		return parseCommand(plain)
	}
	word, ok := strings.CutPrefix(fields[0], "#")
	if !ok {
		// "- #close granted": a command typed as a bullet is refused (see
		// bulletedCommand).
		return bulletedCommand(fields)
	}
	// "#close: granted" is written as a command too.
	word = strings.TrimRight(word, ":,.")
	c := Command{Line: strings.Join(fields, " "), Name: strings.ToLower(word)}
	usage, known := commandUsage[c.Name]
	if !known {
		// A near-miss or a translation of a command word is refused, not
		// relayed (see misspelledCommand).
		return misspelledCommand(fields)
	}
	args := fields[1:]
	if c.Name != "extend" && c.Name != "notheld" {
		// "#close granted." or "#close refused, personal_data": a phone's
		// or a writer's sentence punctuation is not part of an outcome,
		// ground or officer id. The reason and the holder are free text.
		args = slices.DeleteFunc(args, func(a string) bool { return strings.TrimRight(a, ".,;:!?…") == "" })
		for i, a := range args {
			args[i] = strings.TrimRight(a, ".,;:!?…")
		}
	}
	// wrongAs refuses the command as r says, with the English why for the
	// record.
	wrongAs := func(r Refusal, why string) (Command, bool) {
		r.text = fmt.Sprintf("%s; write it as %s", why, usage)
		c.Err = &r
		return c, true
	}
	wrong := func(why string) (Command, bool) {
		return wrongAs(Refusal{Kind: RefusedCommandUsage, Value: c.Name}, why)
	}
	switch c.Name {
	case "extend":
		if len(args) < 2 {
			return wrong("give the days and the reason, which the requester is told")
		}
		days, err := strconv.Atoi(args[0])
		if err != nil {
			return wrongAs(Refusal{Kind: RefusedCommandDays, Value: args[0]}, fmt.Sprintf("%q is not a number of days", args[0]))
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
			// A press inquiry or a general question closes as resolved; a
			// document request is refused without an outcome, saying which.
			break
		}
		oc, err := inquiry.ParseOutcome(strings.ToLower(args[0]))
		if err != nil {
			return wrongAs(Refusal{Kind: RefusedUnknownOutcome, Value: args[0], Choices: outcomeIDs()}, err.Error())
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

// emphasized is line without the marks around it whole that an HTML mail
// client writes in the plain-text part for a line made bold ("*#close
// granted*") or underlined ("_#close granted_"), or that a writer used to
// Markdown types ("**#close granted**"): what the officer wrote is the plain
// line. Only a pair around a line that starts with "#" counts; a lone or an
// unmatched mark stays (a bullet, refused).
func emphasized(line string) (string, bool) {
	for _, mark := range []string{"**", "__", "*", "_"} {
		inner, ok := strings.CutPrefix(line, mark)
		if !ok {
			continue
		}
		inner, ok = strings.CutSuffix(inner, mark)
		if !ok || len(inner) < 2 || inner[0] != '#' || inner[len(inner)-1] == ' ' {
			return "", false
		}
		return inner, true
	}
	return "", false
}

// invisible maps the characters a line may carry unseen: a zero-width
// space (pasted from a web page or a chat, typed by some phone keyboards)
// separates words as a space does; other format characters (a byte-order
// mark before the text, a word joiner, a soft hyphen, direction marks)
// are dropped. Otherwise a "#close" the officer sees and wrote is no
// command, and goes to the citizen as text.
func invisible(r rune) rune {
	switch {
	case r == '\u200b':
		return ' '
	case unicode.Is(unicode.Cf, r):
		return -1
	}
	return r
}

// commandResult is what one command of an officer's mail did, or why it
// was not done.
type commandResult struct {
	cmd     Command
	done    string // for the officer, in Albanian
	refused error
}

// runCommands applies cmds to t as officer inside tx, each on its own: a
// refused one (wrongly written, or not allowed by the ticket's state)
// changes nothing and is noted on the ticket, and the rest still run.
// answered says an answer went to the requester in this same mail, so a
// decision closes as given in it. Only a fault of the store fails.
func (d *Desk) runCommands(tx store.Tx, t *inquiry.Ticket, officer inquiry.Officer, cmds []Command, answered bool, now time.Time) ([]commandResult, error) {
	var out []commandResult
	for _, c := range cmds {
		// Each works on a copy: a refused command may have set fields
		// before it found out.
		work := *t
		done, err := d.runCommand(tx, &work, officer, c, answered)
		if err != nil && !errors.Is(err, ErrLifecycle) {
			return nil, fmt.Errorf("apply %s from %s's mail: %w", c.Line, officer.ID, err)
		}
		if err != nil {
			if err := d.note(tx, t.ID, officer.ID, "command by mail refused: "+c.Line+": "+err.Error(), now); err != nil {
				return nil, err
			}
			out = append(out, commandResult{cmd: c, refused: err})
			continue
		}
		*t = work
		out = append(out, commandResult{cmd: c, done: done})
	}
	return out, nil
}

// runCommand applies c to t and says what it did.
func (d *Desk) runCommand(tx store.Tx, t *inquiry.Ticket, officer inquiry.Officer, c Command, answered bool) (string, error) {
	if c.Err != nil {
		var r *Refusal
		if errors.As(c.Err, &r) {
			// Parsed before the ticket was known.
			named := *r
			named.Ticket, named.State, named.Category = t.Number, t.State, t.Category
			return "", &named
		}
		return "", fmt.Errorf("%w: %w", ErrLifecycle, c.Err)
	}
	day := func(at time.Time) string { return at.In(d.cfg.Location).Format("02.01.2006") }
	switch c.Name {
	case "extend":
		if err := d.extend(tx, t, c.Days, c.Reason, officer.ID); err != nil {
			return "", err
		}
		return fmt.Sprintf("afati u zgjat për %d ditë, deri më %s; qytetari njoftohet", c.Days, day(t.DueAt)), nil
	case "notheld":
		if err := d.notHeld(tx, t, c.Holder, officer.ID); err != nil {
			return "", err
		}
		return "shënuar si dokument që ministria nuk e posedon; qytetari njoftohet", nil
	case "urgent":
		if err := d.urgent(tx, t, !c.Off, officer.ID); err != nil {
			return "", err
		}
		if c.Off {
			return "nuk është më urgjente; afati " + day(t.DueAt), nil
		}
		return "urgjente (48 orë), afati " + t.DueAt.In(d.cfg.Location).Format("02.01.2006 15:04") + "; shefat e divizionit njoftohen", nil
	case "close":
		cl := Closing{Outcome: c.Outcome, Ground: c.Ground}
		// The answer in this mail carries the decision: no separate
		// notice, and its time is the decision's.
		cl.InAnswer = answered && t.Category == inquiry.DocumentRequest && t.State.Open() && c.Outcome.IsDecision()
		if err := d.closeWith(tx, t, cl, officer.ID); err != nil {
			return "", err
		}
		done := "u mbyll: " + string(t.Outcome)
		if t.Ground != "" {
			done += " (baza " + t.Ground + ")"
		}
		if t.DecisionInAnswer {
			done += "; vendimi shkoi me këtë përgjigje"
		}
		return done, nil
	case "reopen":
		if err := d.reopen(tx, t, officer.ID); err != nil {
			return "", err
		}
		return "u rihap", nil
	case "take":
		if err := d.take(tx, t, officer.ID); err != nil {
			return "", err
		}
		return "tiketa është tani e juaja", nil
	case "assign":
		to, ok := d.officerByID(c.Officer)
		if !ok {
			return "", refuseWith(Refusal{Kind: RefusedUnknownOfficer, Value: c.Officer, Choices: d.officerChoices()}, t,
				"assign %s: unknown officer %q (one of %s)", t.Number, c.Officer, strings.Join(d.officerChoices(), ", "))
		}
		if err := d.assign(tx, t, to.ID, officer.ID); err != nil {
			return "", err
		}
		if !t.State.Open() {
			return "iu caktua " + to.Name + " (" + to.ID + "); tiketa është e mbyllur, askush nuk njoftohet", nil
		}
		return "iu caktua " + to.Name + " (" + to.ID + "), që njoftohet", nil
	}
	return "", fmt.Errorf("apply %s: no such command", c.Line)
}

// officerByID finds a configured officer by id, in any case.
func (d *Desk) officerByID(id string) (inquiry.Officer, bool) {
	for _, o := range d.cfg.Officers {
		if strings.EqualFold(o.ID, id) {
			return o, true
		}
	}
	return inquiry.Officer{}, false
}

// officerChoices are the configured officers' ids, for a refusal to offer.
func (d *Desk) officerChoices() []string {
	ids := make([]string, len(d.cfg.Officers))
	for i, o := range d.cfg.Officers {
		ids[i] = o.ID
	}
	return ids
}

// outcomeIDs are the outcomes as a #close command writes them.
func outcomeIDs() []string {
	ids := make([]string, len(inquiry.Outcomes))
	for i, o := range inquiry.Outcomes {
		ids[i] = string(o)
	}
	return ids
}

// commandReport tells an officer what the commands in their mail did: a
// confirmation for a mail of commands only, and, whenever one was
// refused, which and why, so nothing asked for is lost unseen.
func (d *Desk) commandReport(officer inquiry.Officer, t *inquiry.Ticket, results []commandResult, relayed bool, now time.Time) *inquiry.Mail {
	refused := 0
	var b strings.Builder
	fmt.Fprintf(&b, "Komandat në mesazhin tuaj për %s:\n\n", t.Number)
	for _, r := range results {
		if r.refused != nil {
			refused++
			fmt.Fprintf(&b, "NUK U KRYE: %s\n    %s\n", r.cmd.Line, commandRefusalText(r.refused))
			continue
		}
		fmt.Fprintf(&b, "U krye: %s\n    %s\n", r.cmd.Line, r.done)
	}
	b.WriteString("\n")
	if relayed {
		b.WriteString("Përgjigjja juaj, pa rreshtat e komandave, iu dërgua qytetarit.\n")
	} else {
		b.WriteString("Qytetarit nuk iu dërgua asgjë nga ky mesazh: ai përmbante vetëm komanda.\n")
	}
	if refused > 0 {
		fmt.Fprintf(&b, "Komandat që nuk u kryen mund t'i dërgoni sërish, të ndrequra, në një përgjigje ndaj njoftimit (sportel tickets show %s).\n", t.Number)
	}
	subject := "Sportel: komandat u kryen [" + t.Number + "]"
	if refused > 0 {
		subject = "Sportel: një komandë nuk u krye [" + t.Number + "]"
	}
	if refused > 1 {
		subject = fmt.Sprintf("Sportel: %d komanda nuk u kryen [%s]", refused, t.Number)
	}
	return d.staffMail("commands", officer, subject, b.String(), now)
}

// reportCommands queues the officer's report on their commands when they
// get one (see commandReport), and sums the results up for the log.
func (d *Desk) reportCommands(tx store.Tx, officer inquiry.Officer, t *inquiry.Ticket, results []commandResult, relayed bool, now time.Time) (string, error) {
	refused := 0
	for _, r := range results {
		if r.refused != nil {
			refused++
		}
	}
	summary := fmt.Sprintf("commands by mail: %d done, %d refused", len(results)-refused, refused)
	if relayed && refused == 0 {
		// The answer went out and every command was done: nothing to say.
		return summary, nil
	}
	job := &inquiry.Job{TicketID: t.ID, Kind: inquiry.JobCommandReport, Recipient: officer.ID, State: inquiry.JobPending,
		NextAt: now, CreatedAt: now, Mail: d.commandReport(officer, t, results, relayed, now)}
	return summary, tx.AddJob(job)
}

// commandRefusalText says in Albanian why a command by mail was refused,
// with how to mend a ticket that is closed or set aside by mail. The
// English of the refusal stays in the ticket's record.
func commandRefusalText(err error) string {
	text := OfficerText(err, inquiry.Albanian)
	var r *Refusal
	if !errors.As(err, &r) {
		return text
	}
	// The outcomes by mail are the words #close takes, not their names.
	switch r.Kind {
	case RefusedClosed, RefusedSetAside:
		// Reopening takes set-aside mail into the work too (Reopen).
		text += " Për ta rihapur, dërgoni #reopen në një përgjigje ndaj njoftimit."
	case RefusedNoDecision:
		text += " Shkruani p.sh. #close granted, #close partly_granted BAZA, #close refused BAZA, #close not_held ose #close withdrawn."
	case RefusedCloseOutcome:
		text += " Shkruani #close resolved ose #close no_answer_needed."
	}
	return text
}
