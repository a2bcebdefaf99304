package storecopy

// The store's tables as the copier knows them: every table, every column,
// parents before children (the foreign keys point up this list). A table
// or column added by a migration must be added here too, or the copy
// fails naming it (see checkSchema): nothing is left behind unnoticed.
// Each driver spells a column its own way; kind says how the value
// crosses (SQLite keeps times as text and booleans as integers,
// PostgreSQL as timestamptz plus a *_ns column and boolean).
var tables = []table{
	{name: "tickets", identity: true, cols: []column{
		{"id", integer}, {"number", text}, {"channel", text}, {"sender_name", text}, {"sender_address", text},
		{"chat_id", integer}, {"subject", text}, {"message_id", text}, {"language", text}, {"category", text},
		{"classifier", text}, {"confidence", real}, {"reason", text}, {"needs_review", boolean},
		{"officer_id", text}, {"acted", boolean}, {"state", text}, {"outcome", text},
		{"received_at", timeNs}, {"due_at", nullTimeNs}, {"answered_at", nullTimeNs}, {"closed_at", nullTimeNs},
		{"updated_at", timeNs}, {"linked_to", text}, {"mentions", text},
		{"urgent", boolean}, {"ext_days", integer}, {"ext_reason", text}, {"ext_due_at", nullTimeNs},
		{"ext_at", nullTimeNs}, {"ext_by", text}, {"not_held_at", nullTimeNs}, {"not_held_holder", text},
		{"not_held_by", text}, {"ground", text}, {"decided_at", nullTimeNs}, {"decision_in_answer", boolean},
		{"complaints", jsonText}, {"created_at", timeNs},
	}},
	// The ticket counters: copied as they are, new tickets continue the
	// numbering.
	{name: "ticket_sequences", cols: []column{{"prefix", text}, {"year", integer}, {"last", integer}}},
	{name: "entries", identity: true, cols: []column{
		{"id", integer}, {"ticket_id", integer}, {"kind", text}, {"source_id", text}, {"message_id", text},
		{"author", text}, {"subject", text}, {"body", text}, {"attachments", jsonText}, {"raw", blob},
		{"created_at", timeNs},
	}},
	{name: "jobs", identity: true, cols: []column{
		{"id", integer}, {"kind", text}, {"ticket_id", nullInteger}, {"recipient", text},
		{"mail", jsonText}, {"mail_text", nullText}, {"chat", jsonText}, {"digest", jsonText}, {"message_id", nullText},
		{"state", text}, {"attempts", integer}, {"next_at", timeNs}, {"last_error", text},
		{"claimed_by", nullText}, {"lease_until", nullTimeNs}, {"created_at", timeNs},
		{"finished_at", nullTimeNs}, {"sent_ref", text}, {"held", boolean}, {"job_key", nullText},
	}},
	{name: "thread_refs", cols: []column{{"ref", text}, {"ticket_id", integer}, {"kind", text}, {"officer_id", text}}},
	{name: "sources", cols: []column{{"source_id", text}, {"ticket_id", nullInteger}, {"taken_at", timeUs}}},
	{name: "set_aside", identity: true, cols: []column{
		{"id", integer}, {"kind", text}, {"source_id", text}, {"from_addr", text}, {"subject", text},
		{"reason", text}, {"received_at", timeNs}, {"raw", blob},
	}},
	{name: "checkpoints", cols: []column{{"key", text}, {"uid_validity", integer}, {"last_uid", integer}, {"updated_at", timeUs}}},
	{name: "kv_state", cols: []column{{"key", text}, {"value", text}, {"updated_at", timeUs}}},
	// The officers' web workspace (migrations sqlite 0008, postgres 0004):
	// sessions and sign-in links move with the store, so officers stay
	// signed in and revocations hold; the audit log is part of the record.
	{name: "web_sessions", identity: true, cols: []column{
		{"id", integer}, {"token_hash", text}, {"officer_id", text}, {"language", text}, {"client_ip", text},
		{"created_at", timeUs}, {"last_seen", timeUs}, {"revoked_at", nullTimeUs},
	}},
	{name: "web_signin_links", cols: []column{
		{"token_hash", text}, {"officer_id", text}, {"created_at", timeUs}, {"expires_at", timeUs}, {"used_at", nullTimeUs},
	}},
	{name: "web_signin_attempts", identity: true, cols: []column{{"id", integer}, {"key", text}, {"at", timeUs}}},
	{name: "web_audit", identity: true, cols: []column{
		{"id", integer}, {"officer_id", text}, {"action", text}, {"ticket", text}, {"detail", text}, {"at", timeUs},
	}},
}

// notCopied are tables the copier knowingly leaves out, with why. Each is
// named exactly (no patterns), so a new one is a decision, not an accident.
var notCopied = map[string]string{
	"schema_version": "each driver's own migrations; the target's are applied when it is opened",
	// SQLite's full-text index (migration 0007) and FTS5's shadow tables:
	// derived from tickets and entries, filled from the copied rows when
	// the copy finishes. PostgreSQL's is an expression index.
	"tickets_fts": fts, "tickets_fts_data": fts, "tickets_fts_idx": fts, "tickets_fts_docsize": fts, "tickets_fts_config": fts,
	"entries_fts": fts, "entries_fts_data": fts, "entries_fts_idx": fts, "entries_fts_docsize": fts, "entries_fts_config": fts,
	// The rows the search triggers noted for the index (migration 0009):
	// empty after every commit of the Store.
	"tickets_fts_pending": fts, "entries_fts_pending": fts,
	// PostgreSQL's leader lease (migration 0005): it belongs to the
	// daemons running on the source; the target's take their own.
	"leader_lease": "the running daemons' leader lease",
}

const fts = "the full-text index, rebuilt from the copied rows"

// notCopiedColumns are one driver's columns the copier knowingly leaves
// out, named "table.column", with why; the target keeps them NULL.
var notCopiedColumns = map[string]string{
	// PostgreSQL's shared hourly acknowledgement cap (migration 0012):
	// marks a job a running daemon has admitted and is about to send. The
	// copy is made with the daemons stopped, and a claim clears it anyway.
	"jobs.admitted_at": "a running daemon's admission of a job in flight",
}
