package web_test

import (
	"strings"
	"testing"
)

// The stylesheet is served as a file the browser may keep; the directory
// it is in is never listed, and what is not a file there is the
// workspace's own "not found", which no cache keeps (it may set the
// pre-session cookie).
func TestStaticServesFilesNotDirectories(t *testing.T) {
	f := newFixture(t, nil)
	anon := f.browser()
	tests := []struct {
		method, path string
		status       int
		file         bool // the stylesheet itself
	}{
		{"GET", "/static/style.css", 200, true},
		{"HEAD", "/static/style.css", 200, true},
		{"GET", "/static/", 404, false},
		{"HEAD", "/static/", 404, false},
		{"GET", "/static/nowhere.css", 404, false},
		{"GET", "/static/style.css/", 404, false},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			r := anon.do(tt.method, tt.path, nil)
			if r.status != tt.status {
				t.Fatalf("%s %s = %d, want %d", tt.method, tt.path, r.status, tt.status)
			}
			// A listing links each file by its name.
			if strings.Contains(r.body, `href="style.css"`) {
				t.Errorf("%s %s lists the directory:\n%s", tt.method, tt.path, r.body)
			}
			cache := r.header.Get("Cache-Control")
			if tt.file {
				if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
					t.Errorf("%s %s: Content-Type %q, want text/css", tt.method, tt.path, ct)
				}
				if strings.Contains(cache, "no-store") {
					t.Errorf("%s %s: Cache-Control %q: the stylesheet may be kept", tt.method, tt.path, cache)
				}
				return
			}
			if cache != "no-store" {
				t.Errorf("%s %s: Cache-Control %q, want no-store", tt.method, tt.path, cache)
			}
			if tt.method == "GET" && !strings.Contains(r.body, "Nuk u gjet.") {
				t.Errorf("%s %s is not the workspace's page for not found:\n%s", tt.method, tt.path, r.body)
			}
		})
	}
	// The stylesheet is the one the pages link.
	if page := anon.get("/signin"); !strings.Contains(page.body, `href="/static/style.css"`) {
		t.Errorf("the sign-in page does not link /static/style.css:\n%s", page.body)
	}
}
