package postgres

import (
	"fmt"
	"strings"
)

// params numbers placeholders for a statement built piece by piece. Lists
// go in as one array parameter (= ANY($n)), so a statement's text does not
// depend on how long they are and each connection prepares it once.
type params struct{ args []any }

func (p *params) add(v any) string {
	p.args = append(p.args, v)
	return fmt.Sprintf("$%d", len(p.args))
}

func joinAnd(conds []string) string { return strings.Join(conds, " AND ") }
