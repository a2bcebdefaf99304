// Package llm classifies inquiries with a language model behind any
// OpenAI-compatible chat completions API (OpenAI, Ollama, vLLM, llama.cpp
// server), and falls back to the built-in classifier whenever the model
// cannot give a clean answer.
//
// What a slow or dead endpoint can do: delay one message by at most the
// configured timeout (retry included). After a few failures in a row the
// breaker opens and the built-in classifier answers at once, without a
// call, until a probe after a cool-down succeeds.
//
// What a hostile message can do: the model only ever sees the subject and
// text, as escaped data between unforgeable delimiters, and only an answer
// with exactly a category from the fixed three, a confidence and a language
// tag is accepted. So a message can at most move itself to another of the
// three categories (and then it is marked for review when the built-in
// classifier disagrees). It cannot choose an officer, change the
// acknowledgement, or set any other field: the answer has no way to name them.
package llm

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"
	"github.com/sashabaranov/go-openai/jsonschema"

	"sportel/inquiry"
	"sportel/internal/backoff"
)

const (
	defaultTimeout = 30 * time.Second
	// lowConfidence is where a model verdict stops being trusted alone.
	lowConfidence = 0.5
	// maxAnswerTokens bounds the answer; the verdict is about 30 tokens.
	maxAnswerTokens = 300
	// defaultRetryPause spaces the single retry after a 429, 5xx or timeout.
	defaultRetryPause = 500 * time.Millisecond
)

// errInvalidBuiltin marks a built-in result that cannot be used as a fallback.
var errInvalidBuiltin = errors.New("builtin returned a category outside the enum")

// Fallback is the built-in classifier: always run, and used whenever the
// model fails.
type Fallback interface {
	Classify(ctx context.Context, m *inquiry.Message) (inquiry.Classification, error)
}

// Options configures the model connection (classifier.openai.* in the config).
type Options struct {
	BaseURL string // must include /v1 for most servers
	Model   string
	APIKey  string // "" sends no Authorization header
	// Timeout bounds the time one message waits for the model, the retry
	// included; default 30s.
	Timeout time.Duration
	Redact  bool // mask personal data before sending (see Redact)
	Logger  *slog.Logger
	// BreakerFailures is how many endpoint failures in a row (timeouts,
	// HTTP errors, unusable answers) stop the calls: the built-in model
	// then answers at once until a probe succeeds. Default 3.
	BreakerFailures int
	// BreakerCooldown is the first wait before a probe (default 30s); each
	// failed probe doubles it up to BreakerMaxCooldown (default 10m).
	BreakerCooldown    time.Duration
	BreakerMaxCooldown time.Duration
	// HTTPClient is optional, for tests or custom TLS. It is copied; when its
	// Timeout is zero the copy gets Timeout.
	HTTPClient *http.Client
}

// Classifier asks the model and checks its answer against the built-in
// classifier. It is safe for concurrent use.
type Classifier struct {
	client   *openai.Client
	model    string
	timeout  time.Duration
	redact   bool
	log      *slog.Logger
	fallback Fallback
	schema   *jsonschema.Definition
	// reasoning models (o1, o3, o4, gpt-5...) reject a temperature other
	// than 1 and count hidden reasoning against the token limit.
	reasoning  bool
	retryPause time.Duration
	breaker    *breaker
	// apiKey is only kept to mask it in what is logged: an endpoint's error
	// message may quote the key it refused.
	apiKey string
}

// New checks opts and builds a Classifier; it makes no network call.
func New(opts Options, fallback Fallback) (*Classifier, error) {
	if fallback == nil {
		return nil, errors.New("new llm classifier: fallback classifier is required")
	}
	if opts.Model == "" {
		return nil, errors.New("new llm classifier: model is required")
	}
	u, err := url.Parse(opts.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("new llm classifier: base_url: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("new llm classifier: base_url %q: want an http or https URL such as http://127.0.0.1:11434/v1", u.Redacted())
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		// The client appends /chat/completions to the whole URL, after the
		// query; and a key in it would be in every transport error logged.
		return nil, errors.New("new llm classifier: base_url must not have a query or fragment; a key goes in api_key")
	}
	if opts.Timeout < 0 {
		return nil, fmt.Errorf("new llm classifier: timeout %v is negative", opts.Timeout)
	}
	if opts.BreakerFailures < 0 || opts.BreakerCooldown < 0 || opts.BreakerMaxCooldown < 0 {
		return nil, errors.New("new llm classifier: breaker settings must not be negative")
	}
	timeout := cmp.Or(opts.Timeout, defaultTimeout)
	cooldown := backoff.Backoff{
		Min: cmp.Or(opts.BreakerCooldown, defaultBreakerCooldown),
		Max: cmp.Or(opts.BreakerMaxCooldown, defaultBreakerMaxCooldown),
	}
	cooldown.Max = max(cooldown.Max, cooldown.Min)
	schema, err := verdictSchema()
	if err != nil {
		return nil, fmt.Errorf("new llm classifier: %w", err)
	}

	// go-openai's default client has no timeout at all; the per-request
	// context deadline is the main guard, this is the backstop.
	httpClient := &http.Client{Timeout: timeout}
	if opts.HTTPClient != nil {
		copied := *opts.HTTPClient
		if copied.Timeout == 0 {
			copied.Timeout = timeout
		}
		httpClient = &copied
	}
	base := httpClient.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	httpClient.Transport = limitTransport{base: base}
	cfg := openai.DefaultConfig(opts.APIKey)
	cfg.BaseURL = opts.BaseURL
	cfg.HTTPClient = httpClient

	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	log := logger.With(slog.String("component", "llm_classifier"), slog.String("model", opts.Model))
	c := &Classifier{
		client:     openai.NewClientWithConfig(cfg),
		model:      opts.Model,
		timeout:    timeout,
		redact:     opts.Redact,
		log:        log,
		fallback:   fallback,
		schema:     schema,
		retryPause: defaultRetryPause,
		apiKey:     opts.APIKey,
		breaker: &breaker{
			threshold: cmp.Or(opts.BreakerFailures, defaultBreakerFailures),
			cooldown:  cooldown,
			now:       time.Now,
			log:       log,
		},
	}
	probe := openai.ChatCompletionRequest{Model: opts.Model, Temperature: math.SmallestNonzeroFloat32}
	c.reasoning = openai.NewReasoningValidator().Validate(probe) != nil
	return c, nil
}

// Classify runs the built-in classifier, then asks the model. Only an error
// of the built-in classifier is returned; any model failure yields the
// built-in result, with the reason recorded in it and logged. It waits for
// the model at most the configured timeout, and not at all when ctx is
// already done or the breaker is open: the built-in result is the answer.
func (c *Classifier) Classify(ctx context.Context, m *inquiry.Message) (inquiry.Classification, error) {
	if m == nil {
		return inquiry.Classification{}, errors.New("llm classify: nil message")
	}
	// The built-in model is the answer when the caller's wait is over, so it
	// runs even then; it is local and quick.
	base, err := c.fallback.Classify(context.WithoutCancel(ctx), m)
	if err != nil {
		return inquiry.Classification{}, fmt.Errorf("llm classify %s: builtin: %w", m.SourceID, err)
	}
	if !base.Category.Valid() {
		return inquiry.Classification{}, fmt.Errorf("llm classify %s: %w: %q", m.SourceID, errInvalidBuiltin, base.Category)
	}
	if trimmedEmpty(m.Subject) && trimmedEmpty(m.Text) {
		// Attachments are never sent, so there is nothing to ask about.
		return base, nil
	}
	if ctx.Err() != nil {
		// The caller's wait (a batch's deadline) is over: no call at all.
		return degrade(base, callerReason(ctx)), nil
	}
	allowed, probe := c.breaker.allow(ctx)
	if !allowed {
		// Logged once when the breaker opened, not per message.
		c.log.LogAttrs(ctx, slog.LevelDebug, "llm breaker open; using builtin result", slog.String("source_id", m.SourceID))
		return degrade(base, reasonBreakerOpen), nil
	}

	start := time.Now()
	v, attempts, err := c.ask(ctx, m)
	if err != nil {
		var f *failure
		if !errors.As(err, &f) {
			f = &failure{reason: "unexpected error", detail: err.Error()}
		}
		switch f.fault {
		case faultEndpoint:
			c.breaker.failure(ctx, probe, f.reason)
		case faultMessage:
			// The endpoint answered, about this message only: it is alive.
			c.breaker.success(ctx, probe)
		default:
			c.breaker.abandon(probe)
		}
		c.log.LogAttrs(ctx, slog.LevelWarn, "llm classification failed; using builtin result",
			slog.String("source_id", m.SourceID),
			slog.String("reason", f.reason),
			slog.String("cause", f.detail),
			slog.Int("attempts", attempts),
			slog.Duration("elapsed", time.Since(start)),
		)
		return degrade(base, f.reason), nil
	}
	c.breaker.success(ctx, probe)
	res := c.combine(base, v)
	c.log.LogAttrs(ctx, slog.LevelDebug, "llm classification",
		slog.String("source_id", m.SourceID),
		slog.String("category", string(res.Category)),
		slog.String("builtin_category", string(base.Category)),
		slog.Bool("needs_review", res.NeedsReview),
		slog.Int("attempts", attempts),
		slog.Duration("elapsed", time.Since(start)),
	)
	return res, nil
}

// Check asks the endpoint to classify one fixed sample, past the breaker,
// with the request, checks and errors a ticket's classification has; it
// returns the verdict, or why the endpoint is unusable. For check-config
// --connect: a wrong base_url or model shows before the first ticket.
func (c *Classifier) Check(ctx context.Context) (string, error) {
	v, _, err := c.ask(ctx, checkSample)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s (confidence %.2f, language %s)", v.Category, v.Confidence, v.Language), nil
}

// checkSample is what Check sends: nobody's data.
var checkSample = &inquiry.Message{
	Subject: "Kërkesë për qasje në dokumente publike",
	Text:    "Ju lutem më dërgoni kopjen e kontratës për renovimin e sallës së sporteve, sipas Ligjit për qasje në dokumente publike.",
}

// BreakerOpen reports whether the model is being skipped because it kept
// failing (open, or half-open with a probe out); for the metrics.
func (c *Classifier) BreakerOpen() bool { return c.breaker.isOpen() }

// Timeout is the longest one Classify waits for the model.
func (c *Classifier) Timeout() time.Duration { return c.timeout }

// reasonBreakerOpen is what a ticket says when the model was not asked.
const reasonBreakerOpen = "breaker open"

func callerReason(ctx context.Context) string {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return "caller's deadline exceeded"
	}
	return "cancelled"
}

// degrade marks the built-in result as the one used because the model failed.
func degrade(base inquiry.Classification, reason string) inquiry.Classification {
	name := base.Classifier
	if name == "" {
		name = "builtin"
	}
	base.Classifier = name + " (llm failed: " + reason + ")"
	if base.Reason == "" {
		base.Reason = "llm failed: " + reason
	} else {
		base.Reason += "; llm failed: " + reason
	}
	return base
}

// combine takes category and confidence from the model, and flags
// disagreement and doubt for review. The language stays the built-in
// detection's, which reads the sender's own words and decides the script
// from their letters; the model's counts only when that detection has
// none. The language picks the reply's language and script and is a
// routing key, and text must move nothing but the category.
func (c *Classifier) combine(base inquiry.Classification, v verdict) inquiry.Classification {
	res := inquiry.Classification{
		Category:   inquiry.Category(v.Category),
		Confidence: v.Confidence,
		Language:   base.Language,
		Classifier: "llm:" + c.model,
		Reason:     fmt.Sprintf("llm: %s (confidence %.2f)", v.Category, v.Confidence),
	}
	if lang := inquiry.Language(v.Language); (base.Language == "" || base.Language == inquiry.UndefinedLang) && lang.Valid() && lang != inquiry.UndefinedLang {
		res.Language = lang
	}
	if res.Category != base.Category {
		res.NeedsReview = true
		res.Reason += fmt.Sprintf("; builtin says %s (confidence %.2f): classifiers disagree, needs review", base.Category, base.Confidence)
	} else {
		res.Reason += "; builtin agrees"
	}
	if v.Confidence < lowConfidence {
		res.NeedsReview = true
		res.Reason += "; low confidence, needs review"
	}
	return res
}

// ask sends the request, retrying once after a 429, a 5xx or a transport
// error when the time left allows. All attempts share one deadline, so the
// timeout bounds the whole wait, not each attempt.
func (c *Classifier) ask(ctx context.Context, m *inquiry.Message) (verdict, int, error) {
	content, err := userContent(m, c.redact)
	if err != nil {
		return verdict{}, 0, &failure{reason: "cannot build request", detail: err.Error(), fault: faultLocal}
	}
	req := c.request(content)
	budget, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()

	attempts := 0
	for {
		attempts++
		v, err := c.attempt(ctx, budget, req)
		if err == nil {
			return v, attempts, nil
		}
		var f *failure
		if attempts >= 2 || !errors.As(err, &f) || !f.retry || budget.Err() != nil {
			return verdict{}, attempts, err
		}
		// A Retry-After is honoured: retrying sooner only earns another
		// refusal, and when it is past the budget there is no retry at all.
		pause := max(c.retryPause, f.retryAfter)
		if deadline, _ := budget.Deadline(); time.Until(deadline) <= pause {
			return verdict{}, attempts, err
		}
		if !backoff.Sleep(budget, pause) {
			return verdict{}, attempts, err
		}
	}
}

func (c *Classifier) request(content string) openai.ChatCompletionRequest {
	req := openai.ChatCompletionRequest{
		Model: c.model,
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: systemPrompt},
			{Role: openai.ChatMessageRoleUser, Content: content},
		},
		ResponseFormat: &openai.ChatCompletionResponseFormat{
			Type: openai.ChatCompletionResponseFormatTypeJSONSchema,
			JSONSchema: &openai.ChatCompletionResponseFormatJSONSchema{
				Name:   "classification",
				Schema: c.schema,
				Strict: true,
			},
		},
		// 0 would be dropped by omitempty and the server default (0.8-1.0)
		// used; the smallest float32 goes on the wire and is greedy in effect.
		Temperature:         math.SmallestNonzeroFloat32,
		MaxCompletionTokens: maxAnswerTokens,
	}
	if c.reasoning {
		req.Temperature = 0
		req.MaxCompletionTokens = 0
	}
	return req
}

// attempt makes one request within budget (the Classify's deadline); ctx is
// the caller's, to tell its end from the budget's.
func (c *Classifier) attempt(ctx, budget context.Context, req openai.ChatCompletionRequest) (verdict, error) {
	call, hint := withRetryHint(budget)
	resp, err := c.client.CreateChatCompletion(call, req)
	if err != nil {
		f := c.classifyError(ctx, budget, err)
		f.retryAfter = hint.after
		return verdict{}, f
	}
	if len(resp.Choices) == 0 {
		return verdict{}, &failure{reason: "no choices in answer", detail: "response has an empty choices list"}
	}
	choice := resp.Choices[0]
	switch {
	case choice.Message.Refusal != "":
		return verdict{}, &failure{reason: "model refused", detail: "choices[0].message.refusal is set", fault: faultMessage}
	case choice.FinishReason == openai.FinishReasonContentFilter:
		return verdict{}, &failure{reason: "content filter", detail: "finish_reason content_filter", fault: faultMessage}
	case choice.Message.Content == "" && choice.FinishReason == openai.FinishReasonLength:
		return verdict{}, &failure{reason: "answer cut off", detail: "finish_reason length with empty content"}
	case choice.Message.Content == "":
		return verdict{}, &failure{reason: "empty answer", detail: "choices[0].message.content is empty"}
	}
	v, err := parseAnswer(c.schema, choice.Message.Content)
	if err != nil && choice.FinishReason == openai.FinishReasonLength {
		return verdict{}, &failure{reason: "answer cut off", detail: "finish_reason length: " + err.Error()}
	}
	return v, err
}

// classifyError turns a transport or API error into a short reason, a
// loggable detail that never holds the request, and whether to retry.
func (c *Classifier) classifyError(ctx, budget context.Context, err error) *failure {
	if ctx.Err() != nil {
		return &failure{reason: callerReason(ctx), detail: c.mask(err.Error()), fault: faultLocal}
	}
	if budget.Err() != nil {
		// The whole budget is spent: no time for a retry.
		return &failure{reason: fmt.Sprintf("timeout after %v", c.timeout), detail: c.mask(err.Error())}
	}
	var apiErr *openai.APIError
	var reqErr *openai.RequestError
	var netErr net.Error
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.Is(err, errResponseTooLarge):
		// Not retried: the same endpoint would most likely send it again.
		return &failure{reason: errResponseTooLarge.Error(), detail: c.mask(err.Error())}
	case errors.As(err, &reqErr):
		// First, as it is the outer error and has the status: a body in
		// another shape ({"error":"Unauthorized"} from vLLM) comes as a
		// RequestError wrapping an empty APIError without one. The body is
		// not logged: a proxy might echo the request.
		return &failure{
			reason: fmt.Sprintf("http %d", reqErr.HTTPStatusCode),
			detail: fmt.Sprintf("request error: status %d, %d-byte body not in the OpenAI error format", reqErr.HTTPStatusCode, len(reqErr.Body)) +
				statusHint(reqErr.HTTPStatusCode),
			retry: retryableStatus(reqErr.HTTPStatusCode),
		}
	case errors.As(err, &apiErr):
		return &failure{
			reason: fmt.Sprintf("http %d", apiErr.HTTPStatusCode),
			detail: fmt.Sprintf("api error: status %d, type %q, code %v, message %s",
				apiErr.HTTPStatusCode, apiErr.Type, apiErr.Code, quoteShort(c.mask(apiErr.Message))) +
				statusHint(apiErr.HTTPStatusCode),
			retry: retryableStatus(apiErr.HTTPStatusCode),
		}
	case errors.As(err, &syntaxErr):
		// A 200 with an HTML page (a proxy's sign-in) or an event stream.
		return &failure{reason: "response is not JSON", detail: c.mask(err.Error())}
	case errors.As(err, &typeErr):
		return &failure{reason: "response is not a chat completion", detail: c.mask(err.Error())}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &failure{reason: "response cut short", detail: c.mask(err.Error())}
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return &failure{reason: fmt.Sprintf("timeout after %v", c.timeout), detail: c.mask(err.Error()), retry: true}
	default:
		return &failure{reason: "request failed", detail: c.mask(err.Error())}
	}
}

// mask hides the API key in text from the endpoint before it is logged
// (and before it is cut short, so no part of the key survives the cut).
func (c *Classifier) mask(s string) string {
	if c.apiKey == "" {
		return s
	}
	return strings.ReplaceAll(s, c.apiKey, "[api key]")
}

// statusHint names the settings behind a 404, the answer of a base_url
// without /v1 (Ollama's own API is at its root) and of a model the server
// does not have; the error message itself is cut short, or absent.
func statusHint(code int) string {
	if code != http.StatusNotFound {
		return ""
	}
	return "; a 404 means no chat completions at base_url + /chat/completions, or no such model there: base_url usually ends in /v1, and model must name one the server serves"
}

func retryableStatus(code int) bool {
	return code == http.StatusTooManyRequests || code >= 500
}

// failure is why the model's answer was not used. reason is short and goes
// into the ticket; detail is for the log and never holds message text.
type failure struct {
	reason string
	detail string
	retry  bool
	// retryAfter is the server's Retry-After, when it gave one.
	retryAfter time.Duration
	fault      fault
}

// fault is what a failure says about the endpoint, for the breaker.
type fault int

const (
	// faultEndpoint: no usable answer (timeout, HTTP error, bad JSON); counts
	// toward opening the breaker.
	faultEndpoint fault = iota
	// faultMessage: the endpoint answered (a refusal, a content filter)
	// about this message only; it is alive.
	faultMessage
	// faultLocal: nothing learnt about the endpoint (the caller stopped
	// waiting, the request could not be built).
	faultLocal
)

func (f *failure) Error() string { return f.reason + ": " + f.detail }

func trimmedEmpty(s string) bool {
	for _, r := range s {
		if r != ' ' && r != '\t' && r != '\r' && r != '\n' {
			return false
		}
	}
	return true
}
