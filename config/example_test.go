package config

import (
	"os"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"sportel/inquiry"
)

const examplePath = "../sportel.example.yaml"

func readExample(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatalf("read example: %v", err)
	}
	return data
}

// commentedSetting matches the example's optional settings: "#" directly
// followed by a key or by indentation, unlike prose comments ("# ...").
var commentedSetting = regexp.MustCompile(`(?m)^#([a-z_]+:.*|  +\S.*)$`)

// uncomment enables every optional setting shown in the example.
func uncomment(data []byte) []byte {
	return commentedSetting.ReplaceAll(data, []byte("$1"))
}

func envMap(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

func TestExampleParses(t *testing.T) {
	cfg, err := Parse(readExample(t), envMap(map[string]string{"SPORTEL_IMAP_PASSWORD": "imap-pw"}))
	if err != nil {
		t.Fatalf("parse example:\n%v", err)
	}
	wantOfficers := []inquiry.Officer{
		{ID: "osman", Name: "Osman D. Gashi", Title: "Udhëheqës i Divizionit për Komunikim Publik", Email: "osman.gashi@mkrs.example", Role: inquiry.RoleHead},
		{ID: "jusuf", Name: "Jusuf Lushaku", Title: "Zyrtar i Lartë për Informim", Email: "jusuf.lushaku@mkrs.example"},
		{ID: "zamira", Name: "Zamira Ahmeti", Title: "Zyrtare për Informim dhe Monitorim", Email: "zamira.ahmeti@mkrs.example"},
	}
	if !reflect.DeepEqual(cfg.Officers, wantOfficers) {
		t.Errorf("officers:\n got %+v\nwant %+v", cfg.Officers, wantOfficers)
	}
	wantRouting := []RouteRule{
		{Match: RouteMatch{Category: "document_request"}, Officer: "jusuf"},
		{Match: RouteMatch{Category: "press_inquiry"}, Officer: "osman"},
		{Officer: "zamira"},
	}
	if !reflect.DeepEqual(cfg.Routing, wantRouting) {
		t.Errorf("routing:\n got %+v\nwant %+v", cfg.Routing, wantRouting)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"mailbox", cfg.Mailbox, MailboxConfig{Address: "komunikimi@mkrs.example", DisplayName: "Divizioni për Komunikim Publik"}},
		{"imap.addr", cfg.IMAP.Addr, "127.0.0.1:1143"},
		{"imap.password", cfg.IMAP.Password.Reveal(), "imap-pw"},
		{"smtp.password", cfg.SMTP.Password.Reveal(), ""},
		{"smtp.security", cfg.SMTP.Security, SecurityStartTLS},
		{"telegram", cfg.Telegram == nil, true},
		{"classifier.openai", cfg.Classifier.OpenAI == nil, true},
		{"tickets.location", cfg.Tickets.Location.String(), "Europe/Belgrade"},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if o, ok := cfg.Officer("jusuf"); !ok || o.Name != "Jusuf Lushaku" {
		t.Errorf("Officer(jusuf) = %+v, %v", o, ok)
	}
	if _, ok := cfg.Officer("bob"); ok {
		t.Error("Officer(bob) found")
	}
}

func TestExampleOptionalSettingsParse(t *testing.T) {
	env := map[string]string{"SPORTEL_IMAP_PASSWORD": "imap-pw", "SPORTEL_TELEGRAM_TOKEN": "123:tok"}
	cfg, err := Parse(uncomment(readExample(t)), envMap(env))
	if err != nil {
		t.Fatalf("parse uncommented example:\n%v", err)
	}
	if cfg.Telegram == nil || cfg.Telegram.Token.Reveal() != "123:tok" || cfg.Telegram.OfficersChatID != -1001000000002 {
		t.Errorf("telegram = %+v", cfg.Telegram)
	}
	if cfg.Classifier.OpenAI == nil || cfg.Classifier.OpenAI.Model != "qwen2.5:7b-instruct" {
		t.Errorf("classifier.openai = %+v", cfg.Classifier.OpenAI)
	}
	if heads := cfg.Heads(); len(heads) != 1 || heads[0].ID != "osman" {
		t.Errorf("heads = %+v, want osman alone", heads)
	}
	if cfg.Officers[0].TelegramUserID != 100000001 {
		t.Errorf("officers[0].telegram_user_id = %d", cfg.Officers[0].TelegramUserID)
	}
	want := RouteRule{Match: RouteMatch{Channel: "telegram", Language: "sr-Cyrl"}, Officer: "zamira"}
	if len(cfg.Routing) != 4 || cfg.Routing[2] != want {
		t.Errorf("routing = %+v", cfg.Routing)
	}
}

// structKeys lists every key path a type accepts; list elements appear
// as "[]".
func structKeys(t reflect.Type, prefix string, out map[string]bool) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		if t.Kind() == reflect.Slice {
			prefix += "[]"
		}
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || t == reflect.TypeFor[time.Location]() {
		return
	}
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name == "" || name == "-" {
			continue
		}
		p := joinPath(prefix, name)
		out[p] = true
		structKeys(t.Field(i).Type, p, out)
	}
}

func nodeKeys(n *yaml.Node, prefix string, out map[string]bool) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			nodeKeys(c, prefix, out)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			p := joinPath(prefix, n.Content[i].Value)
			out[p] = true
			nodeKeys(n.Content[i+1], p, out)
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			nodeKeys(c, prefix+"[]", out)
		}
	}
}

// The example must document every key the program accepts, and nothing else.
func TestExampleListsEveryKey(t *testing.T) {
	var doc yaml.Node
	if err := yaml.Unmarshal(uncomment(readExample(t)), &doc); err != nil {
		t.Fatal(err)
	}
	inFile, inStruct := map[string]bool{}, map[string]bool{}
	nodeKeys(&doc, "", inFile)
	structKeys(reflect.TypeFor[Config](), "", inStruct)
	var missing, extra []string
	for k := range inStruct {
		if !inFile[k] {
			missing = append(missing, k)
		}
	}
	for k := range inFile {
		if !inStruct[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 || len(extra) > 0 {
		t.Errorf("example is out of date:\n missing keys: %v\n unknown keys: %v", missing, extra)
	}
	if len(inStruct) < 80 {
		t.Errorf("only %d keys found in Config; the walk is broken", len(inStruct))
	}
}

// leaves flattens a struct into path → value for comparison.
func leaves(v reflect.Value, prefix string, out map[string]any) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			leaves(v.Elem(), prefix, out)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
			if name == "" || name == "-" || t.Field(i).Type.Kind() == reflect.Slice {
				continue
			}
			leaves(v.Field(i), joinPath(prefix, name), out)
		}
	default:
		out[prefix] = v.Interface()
	}
}

// Values written in the example are the real defaults, except the ones
// that are required or only examples.
func TestExampleShowsDefaults(t *testing.T) {
	env := map[string]string{"SPORTEL_IMAP_PASSWORD": "imap-pw", "SPORTEL_TELEGRAM_TOKEN": "123:tok"}
	cfg, err := Parse(uncomment(readExample(t)), envMap(env))
	if err != nil {
		t.Fatalf("parse:\n%v", err)
	}
	def := Default()
	tg, oa := DefaultTelegram(), DefaultOpenAI()
	def.Telegram, def.Classifier.OpenAI = &tg, &oa
	notDefault := map[string]bool{
		"mailbox.address": true, "mailbox.display_name": true,
		"imap.addr": true, "imap.username": true, "imap.password": true,
		"smtp.addr":                  true,
		"classifier.openai.base_url": true, "classifier.openai.model": true,
		"telegram.token":              true,
		"telegram.discussion_chat_id": true, "telegram.officers_chat_id": true,
		"web.addr":                 true,
		"mail.trusted_authserv_id": true,
	}
	got, want := map[string]any{}, map[string]any{}
	leaves(reflect.ValueOf(*cfg), "", got)
	leaves(reflect.ValueOf(def), "", want)
	for path, w := range want {
		if notDefault[path] {
			continue
		}
		if !reflect.DeepEqual(got[path], w) {
			t.Errorf("example shows %s = %v, but the default is %v", path, got[path], w)
		}
	}
}
