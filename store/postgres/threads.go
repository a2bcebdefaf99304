package postgres

import (
	"context"
	"errors"
	"fmt"

	"sportel/inquiry"
)

// FindThreadRef returns the first of refs (in the given order) that is known.
func (t *Tx) FindThreadRef(refs []string) (inquiry.ThreadRef, bool, error) {
	if len(refs) == 0 {
		return inquiry.ThreadRef{}, false, nil
	}
	ctx, cancel := t.callCtx()
	defer cancel()
	found, err := threadRefs(ctx, t.tx, refs)
	if err != nil {
		return inquiry.ThreadRef{}, false, err
	}
	for _, r := range refs {
		if tr, ok := found[text(r)]; ok {
			return tr, true, nil
		}
	}
	return inquiry.ThreadRef{}, false, nil
}

// ThreadRef returns what ref points at.
func (s *Store) ThreadRef(ctx context.Context, ref string) (_ inquiry.ThreadRef, _ bool, err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	found, err := threadRefs(ctx, s.pool, []string{ref})
	if err != nil {
		return inquiry.ThreadRef{}, false, err
	}
	tr, ok := found[text(ref)]
	return tr, ok, nil
}

// ThreadRefs is ThreadRef of several refs in one statement.
func (s *Store) ThreadRefs(ctx context.Context, refs []string) (_ map[string]inquiry.ThreadRef, err error) {
	defer markBusy(&err)
	ctx, cancel := s.callCtx(ctx)
	defer cancel()
	out := make(map[string]inquiry.ThreadRef)
	if len(refs) == 0 {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("find thread refs: %w", err)
		}
		return out, nil
	}
	found, err := threadRefs(ctx, s.pool, refs)
	if err != nil {
		return nil, err
	}
	// A stored ref had its NULs replaced: answer in the caller's terms.
	for _, ref := range refs {
		if tr, ok := found[text(ref)]; ok {
			out[ref] = tr
		}
	}
	return out, nil
}

// threadRefs looks refs up in thread_refs and among the Message-IDs of the
// outbox (a notification's recipient is its officer), so sending needs no
// extra rows; an explicit thread ref wins over an outbox match.
func threadRefs(ctx context.Context, q querier, refs []string) (map[string]inquiry.ThreadRef, error) {
	list := make([]string, len(refs))
	for i, r := range refs {
		list[i] = text(r)
	}
	rows, err := q.Query(ctx, `SELECT 0, ref, ticket_id, kind, officer_id FROM thread_refs WHERE ref = ANY($1)
		UNION ALL
		SELECT 1, message_id, ticket_id, kind, CASE WHEN kind = 'notify' THEN recipient ELSE '' END
		FROM jobs WHERE message_id = ANY($1) AND ticket_id IS NOT NULL`, list)
	if err != nil {
		return nil, fmt.Errorf("find thread refs: %w", err)
	}
	defer rows.Close()
	found := make(map[string]inquiry.ThreadRef, len(refs))
	for rows.Next() {
		var fromJobs int
		var tr inquiry.ThreadRef
		var kind string
		if err := rows.Scan(&fromJobs, &tr.Ref, &tr.TicketID, &kind, &tr.OfficerID); err != nil {
			return nil, fmt.Errorf("find thread refs: scan: %w", err)
		}
		tr.Kind = inquiry.JobKind(kind)
		if _, known := found[tr.Ref]; known && fromJobs == 1 {
			continue
		}
		found[tr.Ref] = tr
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find thread refs: %w", err)
	}
	return found, nil
}

// AddThreadRef ties ref to a ticket. A ref already known keeps its first
// ticket: a Message-ID names one message, and replies follow where it went.
func (t *Tx) AddThreadRef(ref inquiry.ThreadRef) error {
	ctx, cancel := t.callCtx()
	defer cancel()
	return addThreadRef(ctx, t.tx, ref)
}

func addThreadRef(ctx context.Context, q querier, ref inquiry.ThreadRef) error {
	if ref.Ref == "" {
		return errors.New("add thread ref: empty ref")
	}
	_, err := q.Exec(ctx, `INSERT INTO thread_refs (ref, ticket_id, kind, officer_id) VALUES ($1, $2, $3, $4)
		ON CONFLICT (ref) DO NOTHING`, text(ref.Ref), ref.TicketID, string(ref.Kind), ref.OfficerID)
	if err != nil {
		return fmt.Errorf("add thread ref %q for ticket %d: %w", ref.Ref, ref.TicketID, err)
	}
	return nil
}
