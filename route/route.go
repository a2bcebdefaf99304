// Package route decides which officer handles a ticket, from an ordered list
// of rules that only look at the classifier's fixed categories, the channel
// and the language — never at message text, so a message cannot steer itself
// to a person.
package route

import (
	"strings"

	"sportel/inquiry"
)

// Match says which tickets a rule applies to; an empty field matches anything.
type Match struct {
	Category inquiry.Category
	Channel  inquiry.Channel
	Language inquiry.Language
}

// Rule sends the tickets it matches to Officer.
type Rule struct {
	Match   Match
	Officer string
}

// IsCatchAll reports whether the rule matches every ticket.
func (r Rule) IsCatchAll() bool { return r.Match == Match{} }

func (r Rule) String() string {
	var conds []string
	if r.Match.Category != "" {
		conds = append(conds, "category="+string(r.Match.Category))
	}
	if r.Match.Channel != "" {
		conds = append(conds, "channel="+string(r.Match.Channel))
	}
	if r.Match.Language != "" {
		conds = append(conds, "language="+string(r.Match.Language))
	}
	if len(conds) == 0 {
		return "everything else → " + r.Officer
	}
	return strings.Join(conds, ", ") + " → " + r.Officer
}

// Ticket is what routing looks at.
type Ticket struct {
	Category inquiry.Category
	Channel  inquiry.Channel
	Language inquiry.Language
}

// Router holds the rules in order; the first match wins.
type Router struct {
	rules []Rule
}

// New returns a router over rules, which the configuration has validated:
// each names a known officer and the last is a catch-all, so every ticket
// has someone responsible. Routing does not check them again.
func New(rules []Rule) *Router {
	return &Router{rules: append([]Rule(nil), rules...)}
}

// Route returns the officer for t and the index of the rule that matched.
func (r *Router) Route(t Ticket) (officer string, rule int) {
	for i, rl := range r.rules {
		if matches(rl.Match, t) {
			return rl.Officer, i
		}
	}
	// Unreachable: New guarantees a catch-all at the end.
	last := len(r.rules) - 1
	return r.rules[last].Officer, last
}

// CatchAll is the officer of the last rule, who is told about mail that
// could not be ticketed.
func (r *Router) CatchAll() string { return r.rules[len(r.rules)-1].Officer }

// Rules returns a copy of the rules, for summaries.
func (r *Router) Rules() []Rule { return append([]Rule(nil), r.rules...) }

func matches(m Match, t Ticket) bool {
	return (m.Category == "" || m.Category == t.Category) &&
		(m.Channel == "" || m.Channel == t.Channel) &&
		(m.Language == "" || m.Language == t.Language)
}
