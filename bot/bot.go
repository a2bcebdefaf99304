// Package bot is Sportel's Telegram adapter: it long-polls the Bot API with
// its own at-least-once loop, turns citizens' messages into desk messages,
// lets officers work tickets from Telegram, and sends the outbox's chat
// jobs (SendChat).
package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"sportel/inquiry"
	"sportel/internal/backoff"
	"sportel/internal/outage"
	"sportel/internal/textsafe"
	"sportel/store"
)

// Desk is what the bot asks of the pipeline.
type Desk interface {
	Handle(ctx context.Context, m *inquiry.Message) (inquiry.Disposition, error)
	// Known reports whether a message was taken in already (an update
	// replayed after a crash): its files need not be downloaded again.
	Known(ctx context.Context, sourceID string) (bool, error)
	Take(ctx context.Context, number, officerID string) (inquiry.Ticket, error)
	Assign(ctx context.Context, number, officerID, by string) (inquiry.Ticket, error)
	Recategorize(ctx context.Context, number string, c inquiry.Category, by string) (inquiry.Ticket, error)
	// AnswerOnce sends an officer's answer, once for each key (the
	// officer's message): a replayed update does not send it again.
	AnswerOnce(ctx context.Context, key, number, officerID, text string) (inquiry.Ticket, bool, error)
	// AnswerOnceWithFiles is AnswerOnce with Telegram files sent after
	// the text, for a ticket whose citizen's private chat is known (else
	// a desk.Refusal of kind desk.RefusedFilesChannel).
	AnswerOnceWithFiles(ctx context.Context, key, number, officerID, text string, files []inquiry.ChatFile) (inquiry.Ticket, bool, error)
	Ticket(ctx context.Context, number string) (inquiry.Ticket, bool, error)
	TicketByRef(ctx context.Context, ref string) (inquiry.Ticket, inquiry.ThreadRef, bool, error)
	Tickets(ctx context.Context, f inquiry.TicketFilter) ([]inquiry.Ticket, error)
	LinkPrivateChat(ctx context.Context, number string, userID, chatID int64) (inquiry.Ticket, error)
	// Quarantine sets aside what keeps failing while the store still takes
	// writes, so one update never blocks the chats behind it.
	Quarantine(ctx context.Context, m *inquiry.Message, reason string) (inquiry.Disposition, error)
	Lifecycle
}

// State is the store's small key-value table: the update offset and each
// chat's language choice live there.
type State interface {
	GetState(ctx context.Context, key string) (string, bool, error)
	SetState(ctx context.Context, key, value string) error
}

// Options configures the bot.
type Options struct {
	Token  string
	APIURL string // default https://api.telegram.org
	// DiscussionChatID is the group linked to the ministry's channel: comments
	// there that mention or answer the bot become tickets. 0: none.
	DiscussionChatID int64
	// OfficersChatID is the officers' group; there only commands act. 0: none.
	OfficersChatID int64
	PollTimeout    time.Duration // long-poll timeout (default 50s)
	// FloodMessages per FloodPer is what one chat may send before the bot
	// stops answering it for FloodPer (default 20 per minute).
	FloodMessages int
	FloodPer      time.Duration
	Officers      []inquiry.Officer
	Logger        *slog.Logger
	HTTPClient    *http.Client // optional; its Timeout must exceed PollTimeout
	// RetryMin and RetryMax space the retries of a failed fetch or update
	// (default 1s, doubling up to 30s).
	RetryMin, RetryMax time.Duration
	// Grounds are the refusal grounds offered after a refusal button.
	Grounds []Ground
	// Location dates deadlines in officers' messages (default UTC).
	Location *time.Location
	// SignInLinks, when set, answers an officer's /login with a one-time
	// link to the web workspace; nil: the workspace is off.
	SignInLinks SignInLinks
	// MaxFileBytes is the largest file a citizen sends that is downloaded
	// into the ticket's record (mail.max_attachment_bytes; default, and at
	// most, the 20 MB the Bot API lets a bot download). MaxRawBytes caps
	// the whole record of a message, its text and files as one MIME
	// message (mail.max_raw_bytes; default 25 MiB). FileTimeout bounds
	// fetching one file, which the update loop waits for (default 30s).
	// See files.go.
	MaxFileBytes int64
	MaxRawBytes  int64
	FileTimeout  time.Duration
	// MaxUploadBytes is the largest file the Bot API takes from the bot
	// (telegram.max_upload_bytes; default Telegram's 50 MB), which officers
	// are told when the bot explains how a file reaches a citizen.
	MaxUploadBytes int64
	// FileCooldown is how long downloads are not tried after one failed
	// for the file server's sake (a timeout, a connection error, a 5xx);
	// each failed probe after a cool-down doubles it, up to
	// FileCooldownMax (default 1m, doubling up to 15m). See filebreaker.go.
	FileCooldown, FileCooldownMax time.Duration
	// ReplyTimeout bounds each Bot API call of a direct answer (to a
	// command or a button), which the update loop waits for (default
	// 10s): the HTTP client's timeout, sized for the long poll, held every
	// chat behind an answer Telegram never finished.
	ReplyTimeout time.Duration
}

// SignInLinks issues one-time sign-in links to the web workspace.
type SignInLinks interface {
	NewLink(ctx context.Context, officerID string) (link string, expires time.Time, err error)
}

const (
	keyOffset     = "telegram.offset"
	keyLangPrefix = "telegram.lang."
	keyNewPrefix  = "telegram.new."
	// keyPartPrefix ties an earlier part of a split text to its last part.
	keyPartPrefix = "telegram.part."
	// poisonTries is how often one update must fail before it is tried
	// once more and, failing again, set aside (when the store takes that
	// write; otherwise it stays unconfirmed and is retried).
	poisonTries = 3
)

// Bot is the Telegram adapter. Run and SendChat may be used concurrently.
type Bot struct {
	opts  Options
	api   *tgbot.Bot
	http  *http.Client
	desk  Desk
	state State
	log   *slog.Logger
	me    models.User
	flood *floodGate
	// unsupported spaces the answers to content the bot cannot read, per
	// chat (declineUnsupported).
	unsupported *floodGate
	// edits spaces the answers to a citizen's edited messages, per chat
	// (onEdited).
	edits *floodGate
	now   func() time.Time
	// staff is who the officers are; Reconfigure swaps it while the bot
	// runs.
	staff atomic.Pointer[staff]

	// files downloads citizens' files: http without its timeout, which
	// is sized for the long poll; FileTimeout bounds a download instead.
	files *http.Client
	// breaker skips downloads while the file server does not answer.
	breaker *fileBreaker

	// blocked is when every update, and every set-aside, began failing.
	blocked atomic.Pointer[time.Time]
	// lastPoll is when getUpdates last answered without an error: the
	// proof, for readiness, that polling is alive.
	lastPoll atomic.Pointer[time.Time]
	// pollDown logs getUpdates failing: its first failure at error, the
	// retries (every 30 s at most) quieter, its end.
	pollDown *outage.Log

	// fetchMu keeps a second Run in this process from polling the token
	// too: Telegram would answer one of them with 409.
	fetchMu sync.Mutex
}

// New connects to the Bot API: it asks getMe for the bot's name and removes
// any webhook, since a webhook and long polling exclude each other.
func New(ctx context.Context, opts Options, d Desk, st State) (*Bot, error) {
	if strings.TrimSpace(opts.Token) == "" {
		return nil, errors.New("telegram: no bot token")
	}
	if opts.APIURL == "" {
		opts.APIURL = "https://api.telegram.org"
	}
	opts.APIURL = strings.TrimRight(opts.APIURL, "/")
	if opts.PollTimeout <= 0 {
		opts.PollTimeout = 50 * time.Second
	}
	if opts.FloodMessages <= 0 {
		opts.FloodMessages = 20
	}
	if opts.RetryMin <= 0 {
		opts.RetryMin = time.Second
	}
	if opts.RetryMax < opts.RetryMin {
		opts.RetryMax = max(30*time.Second, opts.RetryMin)
	}
	if opts.FloodPer <= 0 {
		opts.FloodPer = time.Minute
	}
	if opts.ReplyTimeout <= 0 {
		opts.ReplyTimeout = defaultReplyTimeout
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	client := opts.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: opts.PollTimeout + 10*time.Second}
	}
	if client.Timeout != 0 && client.Timeout <= opts.PollTimeout {
		// Every long poll would be cut off by the client and look like an error.
		return nil, fmt.Errorf("telegram: HTTP client timeout %v must exceed the poll timeout %v", client.Timeout, opts.PollTimeout)
	}
	files := *client
	files.Timeout = 0
	b := &Bot{
		opts:  opts,
		http:  client,
		files: &files,
		desk:  d,
		state: st,
		log:   opts.Logger.With("component", "telegram"),
		flood: newFloodGate(opts.FloodMessages, opts.FloodPer),
		// One answer, then quiet for the window (see floodGate.note).
		unsupported: newFloodGate(1, unsupportedEvery),
		edits:       newFloodGate(1, unsupportedEvery),
		now:         time.Now,
	}
	b.breaker = newFileBreaker(opts.FileCooldown, opts.FileCooldownMax, func() time.Time { return b.now() }, b.log)
	b.pollDown = outage.New(b.log, 0, func() time.Time { return b.now() })
	b.staff.Store(newStaff(opts.Officers, opts.Grounds, opts.Location))
	api, err := tgbot.New(opts.Token,
		tgbot.WithServerURL(opts.APIURL),
		tgbot.WithHTTPClient(opts.PollTimeout, client),
		// getMe is called below with the caller's context instead.
		tgbot.WithSkipGetMe(),
		// Handlers run inside Run's loop, one update at a time, so the
		// offset is committed only after its update was handled.
		tgbot.WithNotAsyncHandlers(),
		tgbot.WithMiddlewares(b.recoverPanics),
		tgbot.WithDefaultHandler(b.onUpdate),
		tgbot.WithErrorsHandler(func(err error) { b.log.Error("telegram client", "err", err) }),
	)
	if err != nil {
		return nil, fmt.Errorf("telegram: create client: %w", err)
	}
	b.api = api
	api.RegisterHandlerMatchFunc(func(u *models.Update) bool { return u.CallbackQuery != nil }, b.onCallback)

	me, err := api.GetMe(ctx)
	if err != nil {
		return nil, fmt.Errorf("telegram: getMe: %w", err)
	}
	b.me = *me
	if _, err := api.DeleteWebhook(ctx, &tgbot.DeleteWebhookParams{}); err != nil {
		return nil, fmt.Errorf("telegram: deleteWebhook: %w", err)
	}
	b.log.Info("telegram bot ready", "username", me.Username)
	return b, nil
}

// Username is the bot's @name without the @.
func (b *Bot) Username() string { return b.me.Username }

// Run long-polls for updates until ctx is done and returns nil then. Each
// update is handled before the next offset is asked for, and the offset is
// stored after it, so a crash at any point replays the update instead of
// losing it; the desk's intake is idempotent on "tg:<chat>:<message>".
func (b *Bot) Run(ctx context.Context) error {
	if !b.fetchMu.TryLock() {
		return errors.New("telegram: Run is already polling this bot token")
	}
	defer b.fetchMu.Unlock()

	offset, err := b.loadOffset(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	bo := backoff.Backoff{Min: b.opts.RetryMin, Max: b.opts.RetryMax}
	failures := 0 // in a row, of fetches or of one update
	attempts := map[int64]int{}
	albums := albumHold{}
	// The first poll, and the first after a failure, does not wait for
	// updates: it shows at once that Telegram answers (LastPoll) instead
	// of after a whole long poll.
	short := true
	// On shutdown no new update is taken, but the one being handled
	// finishes, is confirmed and gets its replies, for at most updateGrace:
	// cut off after the desk committed it, it would come again at the next
	// start, and an officer's command is not idempotent as a citizen's
	// message is. A Telegram API that hangs does not hold the stop longer.
	handling, stopHandling := afterGrace(ctx, updateGrace)
	defer stopHandling()
	// What the update in hand downloaded, kept across its retries.
	held := newUpdateFiles(ctx)
	handling = withUpdateFiles(handling, held)
	for ctx.Err() == nil {
		pollFor := b.opts.PollTimeout
		if short {
			pollFor = 0
		}
		updates, err := b.fetch(ctx, offset, pollFor)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			short = true
			failures++
			wait := bo.Delay(failures)
			var apiErr *APIError
			switch {
			case errors.As(err, &apiErr) && apiErr.Code == http.StatusConflict:
				b.pollDown.Failed("another process polls this bot token (or a webhook is set): only one Sportel may run per bot", "err", err, "retry_in", wait)
			case errors.As(err, &apiErr) && apiErr.RetryAfter > 0:
				wait = max(wait, time.Duration(apiErr.RetryAfter)*time.Second)
				b.log.Warn("getUpdates rate limited", "retry_in", wait)
			default:
				b.pollDown.Failed("getUpdates failed: no Telegram message is received until it answers", "err", err, "retry_in", wait)
			}
			if !backoff.Sleep(ctx, wait) {
				return nil
			}
			continue
		}
		now := b.now()
		b.lastPoll.Store(&now)
		b.pollDown.Ended("getUpdates answers again: Telegram messages are received")
		short = false
		failures = 0
		updates = captionFirst(updates)
		ready := albums.ready(updates, time.Now())
		for i, f := range updates[:ready] {
			u := f.Update
			if u.ID < offset {
				continue // confirmed before; Telegram should not send it again
			}
			if ctx.Err() != nil {
				return nil
			}
			held.begin(u.ID)
			w := b.handle(handling, f)
			if w.retry == nil {
				b.unblock()
			}
			if w.retry != nil && ctx.Err() == nil {
				attempts[u.ID]++
				if attempts[u.ID] >= poisonTries {
					w = b.lastResort(withUpdateFiles(ctx, held), f, attempts[u.ID])
				}
				if w.retry != nil {
					// Paced by this update's own tries: failures counts the
					// fetches, and every good fetch resets it.
					wait := bo.Delay(attempts[u.ID])
					// Said once an update, and not while intake is known to
					// be blocked: an outage's tries would be a line each.
					level := slog.LevelDebug
					if attempts[u.ID] == 1 && b.blocked.Load() == nil {
						level = slog.LevelWarn
					}
					b.log.Log(ctx, level, "update not handled, will retry", "update_id", u.ID, "err", w.retry, "attempt", attempts[u.ID], "retry_in", wait)
					if !backoff.Sleep(ctx, wait) {
						return nil
					}
					break // fetch again from the same offset
				}
			}
			if w.retry != nil {
				// Failed as the shutdown came: left unconfirmed, it comes
				// again at the next start.
				return nil
			}
			delete(attempts, u.ID)
			held.drop()
			// An album's captioned part handled first confirms nothing:
			// the parts before it are not handled yet.
			if next := confirmable(updates, i); next > offset {
				offset = next
				if err := b.state.SetState(handling, keyOffset, strconv.FormatInt(offset, 10)); err != nil {
					// The update itself is committed by the desk; a lost offset
					// means it is replayed: a citizen's message is then a
					// duplicate, an officer's command runs again.
					b.log.Error("store telegram offset", "offset", offset, "err", err)
				}
			}
			// Direct replies go out after the commit: a replayed update must
			// not answer twice. Chat jobs from the desk go through the outbox.
			b.flush(handling, w)
		}
		if ready < len(updates) {
			// An album at the end still waits for its caption: the next
			// fetch, soon, brings it again with what came since.
			short = true
			if !backoff.Sleep(ctx, albumPoll) {
				return nil
			}
		}
	}
	return nil
}

// handle handles one fetched update, or sets it aside when the bot cannot
// read it.
func (b *Bot) handle(ctx context.Context, f fetched) *work {
	if f.unreadable == "" {
		return b.process(ctx, f)
	}
	return b.setAsideUnreadable(ctx, f)
}

// setAsideUnreadable records an update the bot cannot read as a
// quarantined update, as Telegram sent it, so that nothing a citizen wrote
// is dropped unrecorded. Only when the store refuses that write is it
// retried, as any update whose handling failed.
func (b *Bot) setAsideUnreadable(ctx context.Context, f fetched) *work {
	if _, err := b.desk.Quarantine(ctx, updateRecord(f, b.now()), f.unreadable); err != nil {
		return &work{retry: fmt.Errorf("set aside unreadable update %d: %w", f.ID, err)}
	}
	b.log.Warn("telegram update the bot cannot read was set aside; the updates behind it go on", "update_id", f.ID, "reason", f.unreadable)
	return &work{}
}

// lastResort handles an update that failed tries times: once more now (a
// store that just recovered takes it), else, when that try failed for a
// reason that is not the store's own (a lost connection, a busy database),
// set aside as a quarantined update so it never blocks the chats behind
// it. When the store refuses that write too, the store is sick, not the
// update: it stays unconfirmed (Telegram keeps it for 24 hours) and intake
// is reported blocked.
func (b *Bot) lastResort(ctx context.Context, f fetched, tries int) *work {
	u := f.Update
	w := b.handle(ctx, f)
	if w.retry == nil || ctx.Err() != nil {
		if w.retry == nil {
			b.unblock()
		}
		return w
	}
	if errors.Is(w.retry, store.ErrConnLost) || errors.Is(w.retry, store.ErrBusy) {
		// The store failed this try, not the update: a set-aside that then
		// goes through (on another of the pool's connections) would prove
		// nothing against it, so it is tried again.
		return w
	}
	var err error
	if f.unreadable == "" {
		reason := fmt.Sprintf("handling it failed %d times while other writes went through: %v", tries+1, w.retry)
		_, err = b.desk.Quarantine(ctx, updateRecord(f, b.now()), reason)
	} else {
		// Setting it aside is what failed, again: the store is sick.
		err = w.retry
	}
	if err != nil {
		now := b.now()
		// Said at error when it begins, and once more when it ends
		// (unblock); the tries in between only at debug.
		level := slog.LevelDebug
		if b.blocked.CompareAndSwap(nil, &now) {
			level = slog.LevelError
		}
		b.log.Log(ctx, level, "telegram intake is blocked: the store refuses writes; the update stays unconfirmed and is retried (Telegram keeps it for 24 hours)",
			"update_id", u.ID, "err", w.retry, "set_aside_err", err, "blocked_since", *b.blocked.Load())
		return w
	}
	b.unblock()
	b.log.Error("telegram update set aside after repeated failures; the chats behind it go on", "update_id", u.ID, "err", w.retry)
	return &work{}
}

// unblock ends a blockage of intake, if one was under way, saying so with
// how long it lasted.
func (b *Bot) unblock() {
	if since := b.blocked.Swap(nil); since != nil {
		b.log.Info("telegram intake goes on again: the store takes updates", "blocked_for", b.now().Sub(*since).Round(time.Millisecond))
	}
}

// LastPoll is when getUpdates last answered without an error; zero before
// the first answer. A healthy poller renews it at least once per poll
// timeout (a long poll with nothing new ends then).
func (b *Bot) LastPoll() time.Time {
	if t := b.lastPoll.Load(); t != nil {
		return *t
	}
	return time.Time{}
}

// BlockedSince is when handling updates began failing for every update,
// store writes included; zero while updates go through.
func (b *Bot) BlockedSince() time.Time {
	if t := b.blocked.Load(); t != nil {
		return *t
	}
	return time.Time{}
}

// updateRecord is what is kept of an update that is set aside: the whole
// update as Telegram sent it, and enough to name its sender.
func updateRecord(f fetched, now time.Time) *inquiry.Message {
	u, raw := f.Update, []byte(f.raw)
	if len(raw) == 0 {
		var err error
		if raw, err = json.Marshal(u); err != nil {
			raw = []byte(fmt.Sprintf("update %d: %v", u.ID, err))
		}
	}
	m := &inquiry.Message{
		Channel:    inquiry.ChannelTelegram,
		SourceID:   fmt.Sprintf("tgupdate:%d", u.ID),
		Subject:    fmt.Sprintf("Telegram update %d", u.ID),
		Raw:        raw,
		ReceivedAt: now,
	}
	msg := u.Message
	if msg == nil {
		msg = u.EditedMessage
	}
	if msg != nil {
		m.ChatID, m.ChatMsgID, m.Text = msg.Chat.ID, msg.ID, msg.Text
		if msg.From != nil {
			m.UserID = msg.From.ID
			m.From = inquiry.Address{Name: displayName(msg.From)}
		}
	}
	if cq := u.CallbackQuery; cq != nil {
		m.UserID = cq.From.ID
		m.From = inquiry.Address{Name: displayName(&cq.From)}
		m.Text = "button: " + cq.Data
	}
	return m
}

func (b *Bot) loadOffset(ctx context.Context) (int64, error) {
	v, ok, err := b.state.GetState(ctx, keyOffset)
	if err != nil {
		return 0, fmt.Errorf("telegram: load offset: %w", err)
	}
	if !ok || v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("telegram: load offset: bad value %q: %w", v, err)
	}
	return n, nil
}

// APIError is an error answer from the Bot API.
type APIError struct {
	Method      string
	Code        int
	Description string
	RetryAfter  int // seconds, for 429
}

func (e *APIError) Error() string {
	return fmt.Sprintf("%s: telegram error %d: %s", e.Method, e.Code, e.Description)
}

// fetched is one update of a getUpdates answer, decoded and as Telegram
// sent it.
type fetched struct {
	models.Update
	raw json.RawMessage
	// unreadable, when set, is why the bot cannot handle the update: it
	// did not decode into the library's model, or it holds no kind of
	// update the bot asks for. Such an update is set aside, not handled.
	unreadable string
}

// askedFor are the kinds of update getUpdates asks for; the bot handles
// these and no others.
const askedFor = `["message","edited_message","callback_query"]`

// fetch calls getUpdates itself: the library only offers it inside
// b.Start, which confirms updates before they are handled.
func (b *Bot) fetch(ctx context.Context, offset int64, wait time.Duration) ([]fetched, error) {
	form := url.Values{
		"timeout":         {strconv.Itoa(int(wait / time.Second))},
		"allowed_updates": {askedFor},
	}
	if offset > 0 {
		form.Set("offset", strconv.FormatInt(offset, 10))
	}
	endpoint := b.opts.APIURL + "/bot" + b.opts.Token + "/getUpdates"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("getUpdates: %w", b.scrub(err))
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := b.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("getUpdates: %w", b.scrub(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("getUpdates: read answer: %w", err)
	}
	var ans struct {
		OK          bool              `json:"ok"`
		Result      []json.RawMessage `json:"result"`
		ErrorCode   int               `json:"error_code"`
		Description string            `json:"description"`
		Parameters  struct {
			RetryAfter int `json:"retry_after"`
		} `json:"parameters"`
	}
	if err := json.Unmarshal(body, &ans); err != nil {
		return nil, fmt.Errorf("getUpdates: decode answer (HTTP %d): %w", resp.StatusCode, err)
	}
	if !ans.OK {
		return nil, &APIError{Method: "getUpdates", Code: ans.ErrorCode, Description: ans.Description, RetryAfter: ans.Parameters.RetryAfter}
	}
	updates := make([]fetched, 0, len(ans.Result))
	for _, raw := range ans.Result {
		f := fetched{raw: raw}
		// One update the model cannot take must not block the rest, nor be
		// lost: it is kept as sent, to be set aside and confirmed. What did
		// decode of it (its id, its sender) names it in the record.
		if err := json.Unmarshal(raw, &f.Update); err != nil {
			var id struct {
				ID int64 `json:"update_id"`
			}
			_ = json.Unmarshal(raw, &id)
			f.ID = id.ID
			f.unreadable = "the update could not be decoded: " + err.Error()
		} else if f.Message == nil && f.EditedMessage == nil && f.CallbackQuery == nil {
			// Telegram may still send a kind asked for before allowed_updates
			// changed, or one newer than the library.
			f.unreadable = "the update holds none of message, edited_message, callback_query (the kinds the bot asks for)"
		}
		updates = append(updates, f)
	}
	return updates, nil
}

// scrub keeps the token out of error texts (a url.Error names the URL).
func (b *Bot) scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		ue.URL = strings.ReplaceAll(ue.URL, b.opts.Token, "***")
	}
	return err
}

// work is what handling one update leaves to do after its offset is
// committed, and whether it must be retried.
type work struct {
	retry error
	out   []outgoing
	// raw is the update as Telegram sent it, for its record if it is set
	// aside.
	raw json.RawMessage
}

type outgoing struct {
	send   *tgbot.SendMessageParams
	answer *tgbot.AnswerCallbackQueryParams
	edit   *tgbot.EditMessageReplyMarkupParams
}

type workKey struct{}

func workOf(ctx context.Context) *work {
	w, _ := ctx.Value(workKey{}).(*work)
	return w
}

func (b *Bot) process(ctx context.Context, f fetched) *work {
	w := &work{raw: f.raw}
	u := f.Update
	b.api.ProcessUpdate(context.WithValue(ctx, workKey{}, w), &u)
	return w
}

// recoverPanics keeps one bad update from killing the daemon. The update
// is set aside as Telegram sent it, with the crash as the reason, and then
// counts as handled, so it is not replayed into the same panic forever and
// what the citizen wrote is not confirmed unrecorded; only when the store
// refuses that write is it retried, as any update whose handling failed.
func (b *Bot) recoverPanics(next tgbot.HandlerFunc) tgbot.HandlerFunc {
	return func(ctx context.Context, api *tgbot.Bot, u *models.Update) {
		defer func() {
			if r := recover(); r != nil {
				b.log.Error("telegram handler panicked; the update is set aside", "update_id", u.ID, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				w := workOf(ctx)
				if w == nil {
					return
				}
				w.retry = nil
				reason := fmt.Sprintf("the bot failed on this update (%v); it is kept as Telegram sent it", r)
				if _, err := b.desk.Quarantine(ctx, updateRecord(fetched{Update: *u, raw: w.raw}, b.now()), reason); err != nil {
					w.retry = fmt.Errorf("set aside update %d the bot failed on: %w", u.ID, err)
				}
			}
		}()
		next(ctx, api, u)
	}
}

// failed marks the update for retry: the desk could not commit it.
func failed(ctx context.Context, err error) {
	if w := workOf(ctx); w != nil {
		w.retry = err
	}
}

func (b *Bot) queue(ctx context.Context, o outgoing) {
	if w := workOf(ctx); w != nil {
		w.out = append(w.out, o)
		return
	}
	b.flush(ctx, &work{out: []outgoing{o}})
}

// reply queues a direct answer (not an outbox job: these are answers to
// commands and button presses, worthless if late, at most once).
func (b *Bot) reply(ctx context.Context, chat int64, replyTo int, text string, kb *models.InlineKeyboardMarkup) {
	// Answers may quote subjects and names from citizens.
	text = textsafe.Text(text)
	for i, part := range splitText(text, maxMessageLen) {
		p := &tgbot.SendMessageParams{ChatID: chat, Text: part, LinkPreviewOptions: noPreview()}
		if i == 0 && replyTo != 0 {
			p.ReplyParameters = &models.ReplyParameters{MessageID: replyTo, AllowSendingWithoutReply: true}
		}
		if kb != nil && i == len(splitText(text, maxMessageLen))-1 {
			p.ReplyMarkup = kb
		}
		b.queue(ctx, outgoing{send: p})
	}
}

func (b *Bot) flush(ctx context.Context, w *work) {
	for _, o := range w.out {
		err := b.retryOnce(ctx, func() error {
			// Each call is bounded on its own: the update loop waits for it.
			ctx, cancel := context.WithTimeout(ctx, b.opts.ReplyTimeout)
			defer cancel()
			var err error
			switch {
			case o.send != nil:
				_, err = b.api.SendMessage(ctx, o.send)
			case o.answer != nil:
				_, err = b.api.AnswerCallbackQuery(ctx, o.answer)
			case o.edit != nil:
				_, err = b.api.EditMessageReplyMarkup(ctx, o.edit)
			}
			return err
		})
		if err != nil && ctx.Err() == nil {
			b.log.Warn("telegram reply not sent", "err", errText(err))
		}
	}
}

// retryOnce obeys one short 429 for a direct reply; longer waits are not
// worth holding the update loop for.
func (b *Bot) retryOnce(ctx context.Context, f func() error) error {
	err := f()
	var tm *tgbot.TooManyRequestsError
	if errors.As(err, &tm) && tm.RetryAfter <= 5 {
		if !backoff.Sleep(ctx, time.Duration(max(tm.RetryAfter, 1))*time.Second) {
			return err
		}
		return f()
	}
	return err
}

func noPreview() *models.LinkPreviewOptions {
	t := true
	return &models.LinkPreviewOptions{IsDisabled: &t}
}

// CheckOfficers warns about every officer the bot cannot write to (they
// never pressed Start, or blocked the bot) and about group chats it cannot
// see. sendChatAction is the cheapest call that fails exactly as a message
// to them would.
func (b *Bot) CheckOfficers(ctx context.Context) {
	for _, o := range b.staff.Load().officers {
		if o.TelegramUserID == 0 {
			continue
		}
		_, err := b.api.SendChatAction(ctx, &tgbot.SendChatActionParams{ChatID: o.TelegramUserID, Action: models.ChatActionTyping})
		if err != nil {
			b.log.Warn("officer cannot be reached on Telegram: they must open the bot and press Start",
				"officer", o.ID, "telegram_user_id", o.TelegramUserID, "err", err)
		}
	}
	for name, chat := range map[string]int64{"officers_chat_id": b.opts.OfficersChatID, "discussion_chat_id": b.opts.DiscussionChatID} {
		if chat == 0 {
			continue
		}
		if _, err := b.api.GetChat(ctx, &tgbot.GetChatParams{ChatID: chat}); err != nil {
			b.log.Warn("telegram group cannot be reached: add the bot to it", "setting", name, "chat_id", chat, "err", err)
		}
	}
}

// LookupUsername asks getMe for the bot's @name before the bot is built:
// the desk needs it for t.me links and the bot needs the desk.
func LookupUsername(ctx context.Context, opts Options) (string, error) {
	if opts.APIURL == "" {
		opts.APIURL = "https://api.telegram.org"
	}
	client := opts.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	api, err := tgbot.New(opts.Token, tgbot.WithServerURL(strings.TrimRight(opts.APIURL, "/")),
		tgbot.WithHTTPClient(time.Minute, client), tgbot.WithSkipGetMe())
	if err != nil {
		return "", fmt.Errorf("telegram: create client: %w", err)
	}
	me, err := api.GetMe(ctx)
	if err != nil {
		return "", fmt.Errorf("telegram: getMe: %w", err)
	}
	return me.Username, nil
}

// defaultReplyTimeout bounds one call of a direct answer: Telegram
// answers a sendMessage in well under a second.
const defaultReplyTimeout = 10 * time.Second

// updateGrace is how long the update in hand may run on after shutdown.
const updateGrace = 10 * time.Second

// afterGrace returns a context that ends grace after ctx does, or when
// stop is called.
func afterGrace(ctx context.Context, grace time.Duration) (c context.Context, stop func()) {
	c, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var timer *time.Timer
	var mu sync.Mutex
	stopAfter := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		timer = time.AfterFunc(grace, cancel)
	})
	return c, func() {
		stopAfter()
		mu.Lock()
		if timer != nil {
			timer.Stop()
		}
		mu.Unlock()
		cancel()
	}
}
