package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"sportel/internal/testutil"
)

// lockedBuffer is the demo's output, read while the demo writes it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// `sportel demo --web` stays up with the workspace and prints a link that
// signs the head of the division in to the demo's queue; Ctrl-C (the
// context) stops it cleanly.
func TestDemoWeb(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out lockedBuffer
	done := make(chan error, 1)
	go func() { done <- runDemoWith(ctx, &out, demoOptions{web: true}) }()

	linkRE := regexp.MustCompile(`(http://127\.0\.0\.1:\d+)/signin/link\?t=([A-Za-z0-9_-]+)`)
	var m []string
	testutil.Eventually(t, "the demo's sign-in link", 90*time.Second, func() (bool, error) {
		select {
		case err := <-done:
			t.Fatalf("demo ended early: %v\n%s", err, out.String())
		default:
		}
		m = linkRE.FindStringSubmatch(out.String())
		return m != nil, nil
	})
	if !strings.Contains(out.String(), "Osman D. Gashi") {
		t.Errorf("the link is not the head's:\n%s", out.String())
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.Get(m[0])
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	csrf := regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`).FindSubmatch(page)
	if csrf == nil {
		t.Fatalf("link page without a form:\n%s", page)
	}
	resp, err = c.PostForm(m[1]+"/signin/link", url.Values{"csrf": {string(csrf[1])}, "t": {m[2]}})
	if err != nil {
		t.Fatal(err)
	}
	queue, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(queue), "Osman D. Gashi") || !strings.Contains(string(queue), `<tr data-number="DKP-`) {
		t.Fatalf("queue after the demo's link = %d\n%s", resp.StatusCode, queue)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("demo after Ctrl-C: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("demo did not stop")
	}
}
