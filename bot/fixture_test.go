package bot_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"sportel/bot"
	"sportel/classifier"
	"sportel/desk"
	"sportel/inquiry"
	"sportel/internal/devserver"
	"sportel/internal/testutil"
	"sportel/mailer"
	"sportel/outbox"
	"sportel/route"
	"sportel/store/sqlite"
)

const (
	token        = "123456:TEST-token"
	botName      = "sportel_test_bot"
	officersChat = int64(-100900)
	discussion   = int64(-100800)
)

var (
	osman  = models.User{ID: 501, FirstName: "Osman", LastName: "Gashi", LanguageCode: "sq"}
	jusuf  = models.User{ID: 502, FirstName: "Jusuf", LastName: "Lushaku", LanguageCode: "sq"}
	zamira = models.User{ID: 503, FirstName: "Zamira", LastName: "Ahmeti", LanguageCode: "sq"}

	arta  = models.User{ID: 1001, FirstName: "Arta", LastName: "Krasniqi", LanguageCode: "sq"}
	milan = models.User{ID: 1002, FirstName: "Милан", LanguageCode: "sr"}
	john  = models.User{ID: 1003, FirstName: "John", LastName: "Smith", LanguageCode: "en"}
)

var deskOfficers = []inquiry.Officer{
	{ID: "osman", Name: "Osman Gashi", Email: "osman.gashi@mkrs.example", TelegramUserID: osman.ID},
	{ID: "jusuf", Name: "Jusuf Lushaku", Email: "jusuf.lushaku@mkrs.example", TelegramUserID: jusuf.ID},
	{ID: "zamira", Name: "Zamira Ahmeti", Email: "zamira.ahmeti@mkrs.example", TelegramUserID: zamira.ID},
}

func botOfficers() []inquiry.Officer {
	var out []inquiry.Officer
	for _, o := range deskOfficers {
		out = append(out, inquiry.Officer{ID: o.ID, Name: o.Name, TelegramUserID: o.TelegramUserID})
	}
	return out
}

const (
	docRequestSQ = "Të nderuar, në bazë të Ligjit për qasje në dokumente publike kërkoj kopjen e kontratës për renovimin e stadiumit në Prizren dhe raportin e pranimit të punimeve."
	pressSRCyrl  = "Поштовани, новинар сам телевизије Мост. Молимо вас за интервју са министром о обнови позоришта."
	generalEN    = "Hello, what are the opening hours of the ethnographic museum on Sundays? Thank you."
)

type fixture struct {
	t      testing.TB
	ctx    context.Context
	tg     *devserver.Telegram
	smtp   *devserver.SMTP
	store  *sqlite.Store
	path   string // the store's database file
	desk   *desk.Desk
	outbox *outbox.Outbox
	bot    *bot.Bot
	opts   bot.Options
	logs   *testutil.LogBuffer
	log    *slog.Logger
	stop   func()
}

type setup struct {
	opts func(*bot.Options)
	// deskCfg changes the desk's configuration.
	deskCfg func(*desk.Config)
	state   func(bot.State) bot.State
	desk    func(bot.Desk) bot.Desk
	noRun   bool
	// zamiraNeverStarted leaves one officer who never pressed Start.
	zamiraNeverStarted bool
	// storeOpts are the SQLite store's options.
	storeOpts sqlite.Options
}

func newFixture(t testing.TB, s setup) *fixture {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	f := &fixture{t: t, ctx: ctx, logs: testutil.NewLogBuffer(t)}
	f.log = f.logs.Logger(slog.LevelDebug)

	f.tg = devserver.StartTelegram(token, botName)
	t.Cleanup(f.tg.Close)
	for _, o := range []models.User{osman, jusuf} {
		f.tg.MarkStarted(o.ID)
	}
	if !s.zamiraNeverStarted {
		f.tg.MarkStarted(zamira.ID)
	}

	smtpSrv, err := devserver.StartSMTP()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { smtpSrv.Close() })
	f.smtp = smtpSrv

	f.path = filepath.Join(t.TempDir(), "s.db")
	st, err := sqlite.OpenWith(ctx, f.path, s.storeOpts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f.store = st

	cls, err := classifier.New(classifier.Options{})
	if err != nil {
		t.Fatal(err)
	}
	router := route.New([]route.Rule{
		{Match: route.Match{Category: inquiry.DocumentRequest}, Officer: "jusuf"},
		{Match: route.Match{Category: inquiry.PressInquiry}, Officer: "osman"},
		{Officer: "zamira"},
	})
	deskCfg := desk.Config{
		Mailbox:              inquiry.Address{Name: "Divizioni për Komunikim Publik", Address: "komunikimi@mkrs.example"},
		Prefix:               "DKP",
		DocumentDeadlineDays: 7,
		ReopenDays:           14,
		Officers:             deskOfficers,
		NotifyByTelegram:     true,
		OfficersChatID:       officersChat,
		TelegramJoinWindow:   30 * time.Minute,
		BotUsername:          botName,
		RefusalGrounds: []desk.Ground{
			{ID: "personal_data", Label: map[inquiry.Language]string{inquiry.Albanian: "mbrojtja e të dhënave personale",
				inquiry.SerbianLatin: "zaštita ličnih podataka", inquiry.SerbianCyrl: "заштита личних података", inquiry.English: "protection of personal data"}},
			{ID: "classified", Label: map[inquiry.Language]string{inquiry.Albanian: "informacion i klasifikuar",
				inquiry.SerbianLatin: "tajni podaci", inquiry.SerbianCyrl: "тајни подаци", inquiry.English: "classified information"}},
		},
	}
	if s.deskCfg != nil {
		s.deskCfg(&deskCfg)
	}
	d, err := desk.New(deskCfg, st, cls, router, f.log)
	if err != nil {
		t.Fatal(err)
	}
	f.desk = d

	f.opts = bot.Options{
		Token: token, APIURL: f.tg.URL,
		DiscussionChatID: discussion, OfficersChatID: officersChat,
		PollTimeout:   time.Second,
		FloodMessages: 50, FloodPer: time.Minute,
		Officers: botOfficers(),
		Logger:   f.log,
		Grounds:  []bot.Ground{{ID: "personal_data", Label: "mbrojtja e të dhënave personale"}, {ID: "classified", Label: "informacion i klasifikuar"}},
	}
	if s.opts != nil {
		s.opts(&f.opts)
	}
	var state bot.State = st
	if s.state != nil {
		state = s.state(st)
	}
	var bd bot.Desk = d
	if s.desk != nil {
		bd = s.desk(d)
	}
	b, err := bot.New(ctx, f.opts, bd, state)
	if err != nil {
		t.Fatal(err)
	}
	f.bot = b

	m, err := mailer.New(mailer.Options{Addr: smtpSrv.Addr, Security: "none", Logger: f.log})
	if err != nil {
		t.Fatal(err)
	}
	f.outbox = outbox.New(st, m, b, outbox.Config{BackoffMin: 10 * time.Millisecond, BackoffMax: 50 * time.Millisecond, SendTimeout: 10 * time.Second,
		ChatFileRefused: d.ChatFileRefused}, f.log)

	if !s.noRun {
		f.stop = f.run(b)
	}
	return f
}

// run polls with b until the returned stop is called or the test ends.
func (f *fixture) run(b *bot.Bot) (stop func()) {
	return testutil.RunBackground(f.t, "Run", stopLimit, b.Run)
}

// stopLimit is how long Run and the outbox may take to return on cancel.
const stopLimit = 10 * time.Second

// settle waits until the bot has handled every pushed update and the
// outbox has sent everything that is due.
func (f *fixture) settle() {
	f.t.Helper()
	if err := f.tg.WaitDrained(f.ctx); err != nil {
		f.t.Fatal(err)
	}
	// The next getUpdates confirms the batch, and is sent only after the
	// batch's direct replies went out.
	if err := f.outbox.Drain(f.ctx); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) say(from models.User, text string) models.Message {
	f.t.Helper()
	m := f.tg.PushText(from, text)
	f.settle()
	return m
}

func (f *fixture) press(from models.User, msg models.Message, data string) {
	f.t.Helper()
	f.tg.PushCallback(from, msg, data)
	f.settle()
}

func texts(ms []models.Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Text)
	}
	return out
}

// lastSent is the newest message the bot sent to chat.
func (f *fixture) lastSent(chat int64) models.Message {
	f.t.Helper()
	ms := f.tg.Sent(chat)
	if len(ms) == 0 {
		f.t.Fatalf("nothing was sent to chat %d", chat)
	}
	return ms[len(ms)-1]
}

func (f *fixture) ticket(number string) inquiry.Ticket {
	f.t.Helper()
	tk, ok, err := f.store.TicketByNumber(f.ctx, number)
	if err != nil || !ok {
		f.t.Fatalf("ticket %s: found=%v err=%v", number, ok, err)
	}
	return tk
}

func (f *fixture) tickets() []inquiry.Ticket {
	f.t.Helper()
	ts, err := f.desk.Tickets(f.ctx, inquiry.TicketFilter{})
	if err != nil {
		f.t.Fatal(err)
	}
	return ts
}

func (f *fixture) jobs(number string, kind inquiry.JobKind) []inquiry.Job {
	f.t.Helper()
	all, err := f.store.TicketJobs(f.ctx, f.ticket(number).ID)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []inquiry.Job
	for _, j := range all {
		if j.Kind == kind {
			out = append(out, j)
		}
	}
	return out
}

func buttonData(m models.Message) []string {
	var out []string
	if m.ReplyMarkup == nil {
		return nil
	}
	for _, row := range m.ReplyMarkup.InlineKeyboard {
		for _, b := range row {
			out = append(out, b.CallbackData)
		}
	}
	return out
}

func containsAll(s string, words ...string) (missing []string) {
	for _, w := range words {
		if !strings.Contains(s, w) {
			missing = append(missing, w)
		}
	}
	return missing
}

// waitLog waits until the log holds substr.
func (f *fixture) waitLog(substr string) {
	f.t.Helper()
	testutil.Eventually(f.t, fmt.Sprintf("the log to say %q", substr), 30*time.Second, func() (bool, error) {
		return strings.Contains(f.logs.String(), substr), nil
	})
}

var errCrash = errors.New("simulated crash")

// johnAsks files John's general question, by mail (byMail) or in his
// Telegram chat, and sends what it queued, so officers are notified.
func (f *fixture) johnAsks(byMail bool) {
	f.t.Helper()
	if !byMail {
		f.say(john, generalEN)
		return
	}
	_, err := f.desk.Handle(f.ctx, &inquiry.Message{
		Channel: inquiry.ChannelEmail, SourceID: "msgid:q1@example.net", MessageID: "q1@example.net",
		From: inquiry.Address{Name: "John Smith", Address: "john@example.net"}, Subject: "Museum hours",
		Text: generalEN, ReceivedAt: time.Now(),
	})
	if err != nil {
		f.t.Fatal(err)
	}
	if err := f.outbox.Drain(f.ctx); err != nil {
		f.t.Fatal(err)
	}
}
