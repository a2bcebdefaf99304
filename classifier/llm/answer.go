package llm

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/sashabaranov/go-openai/jsonschema"

	"sportel/inquiry"
)

// verdict is the whole of what the model may say. Its schema is sent as the
// strict response format; the enum tags must list inquiry.Categories and
// inquiry.Languages plus "und" (a test holds them together).
type verdict struct {
	Category   string  `json:"category" enum:"document_request,press_inquiry,general_question" description:"The one category the citizen's message belongs to."`
	Confidence float64 `json:"confidence" description:"How sure the classification is, from 0 to 1."`
	Language   string  `json:"language" enum:"sq,sr-Latn,sr-Cyrl,en,und" description:"The language and script the citizen wrote in; und if unknown."`
}

// verdictFields are the only keys an answer may have.
func verdictFields() []string { return []string{"category", "confidence", "language"} }

func verdictSchema() (*jsonschema.Definition, error) {
	schema, err := jsonschema.GenerateSchemaForType(verdict{})
	if err != nil {
		return nil, fmt.Errorf("generate answer schema: %w", err)
	}
	return schema, nil
}

// parseAnswer accepts only an object with exactly the verdict's fields and
// valid values. The library's schema check does not enforce
// additionalProperties and its error names no field, so the checks below
// come first and say what was wrong; the schema check stays as a second lock.
func parseAnswer(schema *jsonschema.Definition, content string) (verdict, error) {
	content = stripCodeFence(stripReasoning(content))
	var fields map[string]json.RawMessage
	if err := json.Unmarshal([]byte(content), &fields); err != nil {
		return verdict{}, &failure{reason: "invalid JSON", detail: "answer is not a JSON object: " + err.Error()}
	}
	for key := range fields {
		if !slices.Contains(verdictFields(), key) {
			return verdict{}, &failure{reason: "unexpected field " + quoteShort(key), detail: "answer has a field outside the schema"}
		}
	}
	for _, key := range verdictFields() {
		if _, ok := fields[key]; !ok {
			return verdict{}, &failure{reason: "missing field " + key, detail: "answer lacks a required field"}
		}
	}

	var category, language string
	var confidence float64
	if err := json.Unmarshal(fields["category"], &category); err != nil {
		return verdict{}, &failure{reason: "category is not a string", detail: err.Error()}
	}
	if !inquiry.Category(category).Valid() {
		return verdict{}, &failure{reason: "category " + quoteShort(category) + " outside the enum", detail: "answer category is not one of the three"}
	}
	if err := json.Unmarshal(fields["confidence"], &confidence); err != nil {
		return verdict{}, &failure{reason: "confidence is not a number", detail: err.Error()}
	}
	if math.IsNaN(confidence) || confidence < 0 || confidence > 1 {
		return verdict{}, &failure{reason: fmt.Sprintf("confidence %g outside 0..1", confidence), detail: "answer confidence out of range"}
	}
	if err := json.Unmarshal(fields["language"], &language); err != nil {
		return verdict{}, &failure{reason: "language is not a string", detail: err.Error()}
	}
	if !inquiry.Language(language).Valid() {
		return verdict{}, &failure{reason: "language " + quoteShort(language) + " outside the enum", detail: "answer language is not a known tag"}
	}

	var v verdict
	if err := schema.Unmarshal(content, &v); err != nil {
		return verdict{}, &failure{reason: "answer does not match the schema", detail: err.Error()}
	}
	// Both decodings read the same bytes; a difference would mean one of the
	// two checks looked at something else.
	if v.Category != category || v.Language != language || v.Confidence != confidence {
		return verdict{}, &failure{reason: "answer decoded inconsistently", detail: "schema decode differs from field checks"}
	}
	return v, nil
}

// stripReasoning removes the <think>…</think> block that reasoning models
// (DeepSeek-R1, Qwen3, QwQ) write before their answer when the server
// leaves it in the content: without this every answer of such a model
// failed and opened the breaker. The cut is at the last closing tag, so an
// answer or a tag quoted in the reasoning decides nothing; what follows is
// still checked in full. An unclosed block stays, and fails as not JSON.
func stripReasoning(s string) string {
	const open, closing = "<think>", "</think>"
	if !strings.HasPrefix(strings.TrimSpace(s), open) {
		return s
	}
	end := strings.LastIndex(s, closing)
	if end < 0 {
		return s
	}
	return s[end+len(closing):]
}

// stripCodeFence removes a ```json fence (any case) that models without
// constrained decoding like to add; the content inside is still checked in
// full.
func stripCodeFence(s string) string {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "```") || !strings.HasSuffix(s, "```") || len(s) < 6 {
		return s
	}
	s = strings.TrimSuffix(strings.TrimPrefix(s, "```"), "```")
	if len(s) >= 4 && strings.EqualFold(s[:4], "json") {
		s = s[4:]
	}
	return strings.TrimSpace(s)
}

// quoteShort quotes model output for a reason or a log line, cut short so
// that an answer echoing the citizen's text cannot carry it into the logs.
func quoteShort(s string) string {
	const limit = 32
	if len(s) > limit {
		s = truncateUTF8(s, limit) + "…"
	}
	return fmt.Sprintf("%q", s)
}
