package config

import "log/slog"

// Secret is a credential. It prints as "[redacted]" through fmt, slog, JSON
// and YAML, so logging a config section cannot leak it; Reveal gives the
// value to the code that must send it.
type Secret string

const redacted = "[redacted]"

// Reveal returns the secret's value.
func (s Secret) Reveal() string { return string(s) }

// IsSet reports whether the secret is non-empty.
func (s Secret) IsSet() bool { return s != "" }

func (s Secret) String() string   { return redacted }
func (s Secret) GoString() string { return redacted }

// LogValue keeps secrets out of slog output.
func (s Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalText keeps secrets out of encoded output (JSON, YAML).
func (s Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }
