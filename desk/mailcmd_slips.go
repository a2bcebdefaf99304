package desk

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Slips an officer makes with mail commands that used to pass unseen: the
// officer believed a ticket closed, or heads were told of an urgency
// withdrawn in the same mail. Each is either done as the last word says
// or refused in the officer's report; none goes quietly.

// bulletPrefix matches a dash, a bullet or a list number before a "#":
// what an officer types as a list of commands, and what the parser writes
// for an HTML list item ("- ", "1. ") when a client made the list.
var bulletPrefix = regexp.MustCompile(`^(?:-{1,2}|[–—•·*‣◦▪]|\d{1,2}[.)])\s*#`)

// bulletedCommand reads fields, a line that does not start with "#", as a
// command typed as a bullet ("- #close granted", "—#urgent"). Like a
// mistyped command word it is clearly meant as a command, so the same
// rule holds: refused, naming the line to write, never relayed and never
// guessed into an action. A bulleted hashtag ("- #MKRS") is text.
func bulletedCommand(fields []string) (Command, bool) {
	line := strings.Join(fields, " ")
	loc := bulletPrefix.FindStringIndex(line)
	if loc == nil {
		return Command{}, false
	}
	inner, ok := parseCommand(line[loc[1]-1:])
	if !ok {
		return Command{}, false
	}
	meant := inner.Line
	var r *Refusal
	switch {
	case errors.As(inner.Err, &r) && r.Meant != "":
		meant = r.Meant // "- #mbyll granted": "#close granted"
	case inner.Err != nil:
		meant = commandUsage[inner.Name]
	}
	return Command{Line: line, Name: inner.Name, Err: &Refusal{Kind: RefusedCommandBullet, Value: line, Meant: meant,
		text: fmt.Sprintf("%q: a command starts its line, with nothing before the #; write it as %s", line, meant)}}, true
}

// subjectCommands returns the commands written in subject, the subject of
// an officer's reply, each refused: a command there is never done. The
// subject is mostly not the officer's: the notification's carries the
// citizen's own, and "Re:" keeps it in every later reply, so reading it
// would let a citizen's subject act as the officer and repeat an action
// with each reply. It is not ignored either, or the officer would believe
// it done. A command that sentSubjects (the subjects of what Sportel sent
// the officer: the notification's, the citizen's) already hold was not
// typed by the officer and is passed over; so is one the body holds too.
func subjectCommands(subject string, sentSubjects []string, body []Command) []Command {
	inherited := map[string]bool{}
	for _, s := range sentSubjects {
		for _, f := range strings.Fields(strings.Map(invisible, s)) {
			inherited[hashWord(f)] = true
		}
	}
	fields := strings.Fields(strings.Map(invisible, subject))
	var out []Command
	for i, f := range fields {
		if !strings.HasPrefix(f, "#") || inherited[hashWord(f)] {
			continue
		}
		end := i + 1
		for end < len(fields) && !strings.HasPrefix(fields[end], "#") {
			end++
		}
		c, ok := parseCommand(strings.Join(fields[i:end], " "))
		if !ok || written(c.Line, body) {
			continue
		}
		meant := c.Line
		var r *Refusal
		if errors.As(c.Err, &r) && r.Meant != "" {
			meant = r.Meant
		}
		c.Err = &Refusal{Kind: RefusedCommandInSubject, Value: c.Line, Meant: meant,
			text: fmt.Sprintf("%q is in the subject, where commands are not read: write it on a line of its own in the text", c.Line)}
		out = append(out, c)
	}
	return out
}

// hashWord is a "#word" as compared between subjects: lower case, without
// the punctuation a sentence puts after it.
func hashWord(f string) string { return strings.ToLower(strings.TrimRight(f, ".,;:!?…")) }

// written reports whether cmds hold a command written as line, in any
// case and with or without a sentence's punctuation after it.
func written(line string, cmds []Command) bool {
	for _, c := range cmds {
		if strings.EqualFold(strings.TrimRight(c.Line, ".,;:!?…"), strings.TrimRight(line, ".,;:!?…")) {
			return true
		}
	}
	return false
}

// quotedCommands are the command lines below the quote that were taken
// for it (officerAnswer), each refused so that the officer hears it was
// not done and why.
func quotedCommands(lines []string) []Command {
	var out []Command
	for _, l := range lines {
		c, ok := parseCommand(l)
		if !ok {
			continue
		}
		c.Err = &Refusal{Kind: RefusedQuotedCommand, Value: c.Line,
			text: fmt.Sprintf("%q below the quote is word for word a line of what Sportel sent the officer (the citizen's message), so it was taken as the quote's", c.Line)}
		out = append(out, c)
	}
	return out
}

// lastWordWins refuses, in cmds as written in the body of one mail, each
// command that a later one undoes: a second #urgent / #urgent off,
// #extend, #notheld, #assign or #take, #close, or a #reopen after a
// #close. Done in turn, the first would act before the second took it
// back: the heads told of an urgency withdrawn, the citizen sent two
// extensions, a colleague handed a ticket taken back. A #reopen before a
// #close is no contradiction (a closed ticket decided anew). A later
// command that is itself refused (misspelled, written wrongly) still
// withdraws the earlier: the officer's last word was not understood, and
// guessing it is the earlier one would act against it. Commands from the
// subject or the quote were never the officer's word and count neither
// way.
func lastWordWins(cmds []Command) {
	for i := range cmds {
		gi, ni := commandGroup(cmds[i])
		if gi == "" {
			continue
		}
		for j := i + 1; j < len(cmds); j++ {
			gj, nj := commandGroup(cmds[j])
			if gj != gi || gi == "state" && ni == "reopen" && nj == "close" {
				continue
			}
			if cmds[i].Err == nil {
				cmds[i].Err = &Refusal{Kind: RefusedSuperseded, Value: cmds[j].Line,
					text: fmt.Sprintf("%s further down the same mail takes its place", cmds[j].Line)}
			}
			break
		}
	}
}

// commandGroup is which of the ticket's settings c acts on ("" for a
// command from the subject or the quote), and the command word it is or
// was meant as.
func commandGroup(c Command) (group, name string) {
	var r *Refusal
	if errors.As(c.Err, &r) && (r.Kind == RefusedCommandInSubject || r.Kind == RefusedQuotedCommand) {
		return "", ""
	}
	name = c.Name
	if _, ok := commandUsage[name]; !ok && r != nil && r.Meant != "" {
		name, _, _ = strings.Cut(strings.TrimPrefix(r.Meant, "#"), " ")
	}
	switch name {
	case "take", "assign":
		return "assign", name
	case "close", "reopen":
		return "state", name
	}
	return name, name
}
