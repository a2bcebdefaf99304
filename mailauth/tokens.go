package mailauth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
)

const (
	// refreshAhead: a token this close to its expiry is not used for a new
	// login; a login takes seconds and the server checks the expiry itself.
	refreshAhead = 2 * time.Minute
	// bareTokenLifetime is how long a token printed without an expiry is
	// reused before the command runs again: short enough for any provider's
	// lifetime (Google and Microsoft issue an hour), long enough not to run
	// it for every mail.
	bareTokenLifetime = 5 * time.Minute
	// DefaultCommandTimeout bounds one run of the token command.
	DefaultCommandTimeout = 30 * time.Second
	maxOutput             = 64 << 10
	// stderrShown is how much of the command's first stderr line an error
	// quotes: enough for "token expired, run az login", not enough to
	// carry a token a careless script printed there.
	stderrShown = 120
)

// TokenOptions say where access tokens come from: exactly one of File and
// Command.
type TokenOptions struct {
	// File holds the token, bare or as the JSON a command prints; it is
	// read again for every login, so whatever keeps it fresh (a timer, an
	// agent) needs no signal.
	File string
	// Command is run without a shell (Command[0] the program) and prints
	// the token on stdout, bare or as JSON {"access_token": ...,
	// "expires_in": seconds} or {"access_token": ..., "expires_at": RFC 3339
	// or Unix seconds}.
	Command []string
	// Timeout bounds one run of Command (default 30s).
	Timeout time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Tokens hands out access tokens and keeps the last one until shortly
// before it expires. It is safe for concurrent use: one login runs the
// command, the others wait for its token.
type Tokens struct {
	opts TokenOptions

	mu      sync.Mutex
	token   string
	expires time.Time // zero: not cached
}

// NewTokens checks opts and returns a token source.
func NewTokens(opts TokenOptions) (*Tokens, error) {
	switch {
	case opts.File == "" && len(opts.Command) == 0:
		return nil, errors.New("mailauth: set a token file or a token command")
	case opts.File != "" && len(opts.Command) > 0:
		return nil, errors.New("mailauth: set a token file or a token command, not both")
	case len(opts.Command) > 0 && opts.Command[0] == "":
		return nil, errors.New("mailauth: token command: the program is empty")
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultCommandTimeout
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Tokens{opts: opts}, nil
}

// Token returns a token good for a login now: the cached one while it is
// more than a little from its expiry, else a new one.
func (t *Tokens) Token(ctx context.Context) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.token != "" && t.opts.Now().Add(refreshAhead).Before(t.expires) {
		return t.token, nil
	}
	return t.fetch(ctx)
}

// Refresh returns a new token after the server refused stale. When
// another login already replaced stale, that token is returned without
// fetching again.
func (t *Tokens) Refresh(ctx context.Context, stale string) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.token != "" && t.token != stale && t.opts.Now().Add(refreshAhead).Before(t.expires) {
		return t.token, nil
	}
	return t.fetch(ctx)
}

// fetch reads or runs the source; t.mu is held.
func (t *Tokens) fetch(ctx context.Context) (string, error) {
	t.token, t.expires = "", time.Time{}
	var out []byte
	var what string
	if t.opts.File != "" {
		what = "read token file " + t.opts.File
		// Stat first: opening a FIFO waits for a writer, in a system call
		// that ctx cannot end, and the login (and a stop) would wait too.
		if fi, err := os.Stat(t.opts.File); err == nil && !fi.Mode().IsRegular() {
			return "", fmt.Errorf("%s: not a regular file", what)
		}
		data, err := os.ReadFile(t.opts.File)
		if err != nil {
			return "", fmt.Errorf("%s: %w", what, err)
		}
		out = data
	} else {
		what = "run token command " + t.opts.Command[0]
		data, err := t.run(ctx)
		if err != nil {
			return "", fmt.Errorf("%s: %w", what, err)
		}
		out = data
	}
	now := t.opts.Now()
	tok, exp, err := parseToken(out, now)
	if err != nil {
		return "", fmt.Errorf("%s: %w", what, err)
	}
	if exp.IsZero() {
		exp = now.Add(bareTokenLifetime)
	}
	if t.opts.File == "" {
		// A file is read for every login: caching it would only hide a
		// fresh one written beside a running daemon.
		t.token, t.expires = tok, exp
	}
	return tok, nil
}

func (t *Tokens) run(parent context.Context) ([]byte, error) {
	ctx, cancel := context.WithTimeout(parent, t.opts.Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, t.opts.Command[0], t.opts.Command[1:]...)
	var stdout, stderr limitedBuffer
	stdout.max, stderr.max = maxOutput, 4<<10
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// A child the command leaves behind must not hold the pipes open
	// past the timeout.
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	if err := parent.Err(); err != nil {
		return nil, err
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("no token within %s", t.opts.Timeout)
	}
	if err != nil {
		if line := firstLine(stderr.Bytes()); line != "" {
			return nil, fmt.Errorf("%w (stderr: %s)", err, line)
		}
		return nil, err
	}
	if stdout.over {
		return nil, fmt.Errorf("output longer than %d bytes", maxOutput)
	}
	return stdout.Bytes(), nil
}

// parseToken reads a bare token or the JSON form. No error quotes the
// output: it may be the token itself.
func parseToken(out []byte, now time.Time) (string, time.Time, error) {
	out = bytes.TrimSpace(out)
	if len(out) == 0 {
		return "", time.Time{}, errors.New("no token in the output")
	}
	if out[0] != '{' {
		if bytes.ContainsFunc(out, unicode.IsSpace) || bytes.ContainsFunc(out, unicode.IsControl) {
			return "", time.Time{}, errors.New("the output is neither a single token nor a JSON object")
		}
		return string(out), time.Time{}, nil
	}
	var v struct {
		AccessToken string          `json:"access_token"`
		ExpiresIn   json.RawMessage `json:"expires_in"`
		ExpiresAt   json.RawMessage `json:"expires_at"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		return "", time.Time{}, errors.New("the output is not valid JSON")
	}
	if v.AccessToken == "" || strings.ContainsFunc(v.AccessToken, unicode.IsSpace) {
		return "", time.Time{}, errors.New("the JSON has no usable access_token")
	}
	var exp time.Time
	switch {
	case len(v.ExpiresIn) > 0:
		secs, err := number(v.ExpiresIn)
		if err != nil {
			return "", time.Time{}, fmt.Errorf("expires_in: %w", err)
		}
		exp = now.Add(time.Duration(secs * float64(time.Second)))
	case len(v.ExpiresAt) > 0:
		var s string
		if json.Unmarshal(v.ExpiresAt, &s) == nil {
			if t, err := time.Parse(time.RFC3339, s); err == nil {
				exp = t
				break
			}
		}
		secs, err := number(v.ExpiresAt)
		if err != nil {
			return "", time.Time{}, errors.New("expires_at: want an RFC 3339 time or Unix seconds")
		}
		exp = time.Unix(int64(secs), 0)
	}
	return v.AccessToken, exp, nil
}

// number reads a JSON number, or a number in a string (some tools quote
// expires_in).
func number(raw json.RawMessage) (float64, error) {
	var f float64
	if err := json.Unmarshal(raw, &f); err == nil {
		return f, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f, nil
		}
	}
	return 0, errors.New("not a number")
}

func firstLine(b []byte) string {
	s := strings.TrimSpace(string(b))
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
	if r := []rune(s); len(r) > stderrShown {
		s = string(r[:stderrShown]) + "…"
	}
	return s
}

// limitedBuffer keeps the first max bytes written and notes the rest.
type limitedBuffer struct {
	bytes.Buffer
	max  int
	over bool
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.Len(); room < len(p) {
		b.over = true
		if room > 0 {
			b.Buffer.Write(p[:room])
		}
		return len(p), nil
	}
	return b.Buffer.Write(p)
}

var _ io.Writer = (*limitedBuffer)(nil)
