package bot_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"sportel/bot"
	"sportel/web"
)

func TestLoginSendsAOneTimeLinkInPrivateOnly(t *testing.T) {
	var f *fixture
	f = newFixture(t, setup{opts: func(o *bot.Options) {
		o.SignInLinks = &web.Linker{Store: lazyLinkStore{&f}, BaseURL: "https://dkp.mkrs.example"}
	}})
	linkRE := regexp.MustCompile(`https://dkp\.mkrs\.example/signin/link\?t=([A-Za-z0-9_%-]+)`)

	f.say(jusuf, "/login")
	got := f.lastSent(jusuf.ID).Text
	m := linkRE.FindStringSubmatch(got)
	if m == nil {
		t.Fatalf("/login answered %q, want a link", got)
	}
	tok, _ := url.QueryUnescape(m[1])
	sum := sha256.Sum256([]byte(tok))
	if officer, ok, err := f.store.UseSignInLink(f.ctx, hex.EncodeToString(sum[:]), time.Now()); officer != "jusuf" || !ok || err != nil {
		t.Errorf("the link signs in %q, %v, %v; want jusuf", officer, ok, err)
	}

	// In the officers' group the link would be anyone's: refused.
	before := len(f.tg.Sent(officersChat))
	f.tg.PushMessage(models.Message{From: &jusuf, Chat: models.Chat{ID: officersChat, Type: models.ChatTypeSupergroup}, Text: "/login"})
	f.settle()
	group := f.tg.Sent(officersChat)
	if len(group) != before+1 || linkRE.MatchString(group[len(group)-1].Text) || !strings.Contains(group[len(group)-1].Text, "bisedën private") {
		t.Errorf("group answer to /login = %q, want a refusal without a link", texts(group[before:]))
	}

	// A citizen gets no link.
	f.say(john, "/login")
	for _, s := range f.tg.Sent(john.ID) {
		if linkRE.MatchString(s.Text) {
			t.Errorf("a citizen got a sign-in link: %q", s.Text)
		}
	}
}

func TestLoginWithoutWorkspace(t *testing.T) {
	f := newFixture(t, setup{})
	f.say(jusuf, "/login")
	if got := f.lastSent(jusuf.ID).Text; !strings.Contains(got, "web.addr") || strings.Contains(got, "http") {
		t.Errorf("/login without the workspace answered %q", got)
	}
}

// lazyLinkStore reaches the fixture's store, which exists only once the
// fixture is built.
type lazyLinkStore struct{ f **fixture }

func (l lazyLinkStore) AddSignInLink(ctx context.Context, hash, officer string, created, expires time.Time) error {
	return (*l.f).store.AddSignInLink(ctx, hash, officer, created, expires)
}
