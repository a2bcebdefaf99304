package config

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Load reads the file at path and parses it like Parse. A file that cannot
// be read gives the os error (which names the path); problems inside the
// file give Errors.
func Load(path string, getenv func(string) (string, bool)) (*Config, error) {
	return LoadWith(path, getenv, ParseOptions{})
}

// Parse decodes a YAML configuration strictly, expands ${NAME} references
// with getenv (os.LookupEnv when nil), applies defaults and validates. On
// any problem it returns Errors listing all of them.
func Parse(data []byte, getenv func(string) (string, bool)) (*Config, error) {
	return ParseWith(data, getenv, ParseOptions{})
}

// ParseOptions change how Parse treats the file.
type ParseOptions struct {
	// SecretsOptional: a secret whose environment variable is unset or
	// whose file cannot be read is left empty and named in
	// Config.UncheckedSecrets instead of failing the parse. For commands
	// that never use the secrets (reading tickets, reports, check-config
	// without --connect), run by an operator who does not have them.
	SecretsOptional bool
	// SecretFilesMustExist: with SecretsOptional, a secret file missing
	// from a directory that is there is still an error (check-config: that
	// is a mistake `sportel run` stops at, not a secret kept from this
	// user). The reading commands leave it out, so the store can be read
	// while the daemon is down for it.
	SecretFilesMustExist bool
}

// LoadWith is Load with options.
func LoadWith(path string, getenv func(string) (string, bool), opts ParseOptions) (*Config, error) {
	data, err := readBounded(path, maxConfigBytes)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return ParseWith(data, getenv, opts)
}

// ParseWith is Parse with options.
func ParseWith(data []byte, getenv func(string) (string, bool), opts ParseOptions) (*Config, error) {
	if getenv == nil {
		getenv = os.LookupEnv
	}
	if err := checkUTF8(data); err != nil {
		return nil, err
	}
	root, err := parseDocument(data)
	if err != nil {
		return nil, err
	}
	d := &decoder{getenv: getenv, lines: map[string]int{}, raw: map[string]string{}, secretsOptional: opts.SecretsOptional, secretFilesMustExist: opts.SecretFilesMustExist, unchecked: map[string]bool{}, unsetSecrets: map[string]unsetSecret{}, fileUnresolved: map[string]bool{}}
	cfg := Default()
	if root != nil {
		d.decode("", root, reflect.ValueOf(&cfg).Elem(), "")
	}
	d.checkSecretLines(&cfg)
	d.loadSecretFiles(&cfg)
	validate(d, &cfg)
	if len(d.errs) > 0 {
		// File order reads best; problems without a line (an empty file)
		// go last.
		slices.SortStableFunc(d.errs, func(a, b *FieldError) int {
			return cmp.Compare(sortLine(a.Line), sortLine(b.Line))
		})
		return nil, d.errs
	}
	for name := range d.unchecked {
		cfg.UncheckedSecrets = append(cfg.UncheckedSecrets, name)
	}
	slices.Sort(cfg.UncheckedSecrets)
	return &cfg, nil
}

// checkUTF8 names the line of the first byte that is not UTF-8: yaml's own
// error names none, and a file saved in a legacy encoding (Windows-1252
// from an editor) is an easy mistake. A UTF-16 file with its BOM is left to
// yaml, which reads it.
func checkUTF8(data []byte) error {
	if bytes.HasPrefix(data, []byte{0xFE, 0xFF}) || bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || utf8.Valid(data) {
		return nil
	}
	i := 0
	for i < len(data) {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			break
		}
		i += size
	}
	return Errors{{Msg: "the file is not UTF-8 text: save it as UTF-8", Line: 1 + bytes.Count(data[:i], []byte("\n"))}}
}

// parseDocument returns the single document's top node, nil for an empty
// file.
func parseDocument(data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, Errors{{Msg: "parse YAML: " + strings.TrimPrefix(err.Error(), "yaml: ") + tabHint(data, err)}}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		line := extra.Line
		if err != nil {
			return nil, Errors{{Msg: "parse YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}}
		}
		return nil, Errors{{Msg: "only one YAML document is allowed", Line: line}}
	}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		return doc.Content[0], nil
	}
	return nil, nil
}

// tabHint names the first line indented with a tab when yaml stopped at
// one: its own words ("found character that cannot start any token") say
// nothing of a tab, and under an indented key it names the line above. An
// editor's tab is the usual cause of a file that will not parse.
func tabHint(data []byte, err error) string {
	msg := err.Error()
	if !strings.Contains(msg, "cannot start any token") && !strings.Contains(msg, "tab character") {
		return ""
	}
	for i, line := range bytes.Split(data, []byte("\n")) {
		rest := bytes.TrimLeft(line, " \t")
		if len(bytes.TrimSpace(rest)) == 0 || rest[0] == '#' {
			continue // blank or a comment: a tab there troubles nobody
		}
		if bytes.IndexByte(line[:len(line)-len(rest)], '\t') >= 0 {
			return fmt.Sprintf("; line %d is indented with a tab: indent with spaces only", i+1)
		}
	}
	return ""
}

func sortLine(l int) int {
	if l == 0 {
		return math.MaxInt
	}
	return l
}

var (
	durationType = reflect.TypeFor[time.Duration]()
	secretType   = reflect.TypeFor[Secret]()
)

// decoder walks the yaml.Node tree into Go values itself, rather than
// through yaml's reflection, so every problem gets a key path, decoding goes
// on after the first problem, and no error quotes a value that came from
// the environment.
type decoder struct {
	getenv func(string) (string, bool)
	errs   Errors
	// lines maps each key path seen in the file to its value's line; a path
	// missing here was not in the file.
	lines map[string]int
	// raw holds the text as written for values that ${NAME} expansion
	// changed, so messages can show that instead of the expanded value.
	raw map[string]string
	// secretsOptional and unchecked: see ParseOptions.SecretsOptional;
	// unchecked holds the secrets (by their key, e.g. "imap.password")
	// left unresolved.
	secretsOptional      bool
	secretFilesMustExist bool // see ParseOptions.SecretFilesMustExist
	unchecked            map[string]bool
	// unsetSecrets holds the secrets written as ${NAME} whose variable is
	// unset, by key, with the reference as written: what that means is
	// known only once the file is read (see secretFile).
	unsetSecrets map[string]unsetSecret
	// fileUnresolved holds the secrets whose *_file key was written but
	// could not be expanded (${CREDENTIALS_DIRECTORY} outside the unit):
	// the file is named all the same.
	fileUnresolved map[string]bool
}

type unsetSecret struct {
	ref, name string
	line      int
}

// secretFileKeys maps each *_file key to the secret it holds.
func secretOfFileKey(path string) (string, bool) {
	switch path {
	case "imap.password_file", "smtp.password_file", "classifier.openai.api_key_file", "telegram.token_file":
		return strings.TrimSuffix(path, "_file"), true
	}
	// A token file or command names where a secret is (often under
	// ${CREDENTIALS_DIRECTORY}); commands that never log in do without it.
	for _, section := range []string{"imap", "smtp"} {
		if path == section+".oauth2_token_file" || strings.HasPrefix(path, section+".oauth2_token_command[") {
			return section + ".oauth2_token", true
		}
	}
	return "", false
}

func (d *decoder) errorf(path string, line int, format string, args ...any) {
	d.errs = append(d.errs, &FieldError{Path: path, Line: line, Msg: fmt.Sprintf(format, args...)})
}

func (d *decoder) hasError(path string) bool {
	for _, e := range d.errs {
		if e.Path == path {
			return true
		}
	}
	return false
}

// present reports whether path was written in the file.
func (d *decoder) present(path string) bool {
	_, ok := d.lines[path]
	return ok
}

// lineOf is the line of path, or of its nearest written parent.
func (d *decoder) lineOf(path string) int {
	for path != "" {
		if l, ok := d.lines[path]; ok {
			return l
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return 0
}

// show quotes a value for a message: as written in the file when it came
// from the environment, so the environment's value is never printed.
func (d *decoder) show(path, value string) string {
	if raw, ok := d.raw[path]; ok {
		return strconv.Quote(raw)
	}
	return strconv.Quote(value)
}

func joinPath(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return "a single value"
	}
	return "nothing"
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// resolve follows aliases; yaml.v3 already rejects alias cycles.
func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// decode stores node n into v; opt is the field's `config` tag.
func (d *decoder) decode(path string, n *yaml.Node, v reflect.Value, opt string) {
	n = resolve(n)
	if _, ok := d.lines[path]; !ok && path != "" {
		d.lines[path] = n.Line
	}
	if isNull(n) {
		return // an empty value keeps the default
	}
	switch {
	case v.Type() == durationType:
		d.duration(path, n, v)
		return
	case v.Type() == secretType:
		d.secret(path, n, v)
		return
	case opt == "size":
		d.size(path, n, v)
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(newWithDefaults(v.Type().Elem()))
		}
		d.decode(path, n, v.Elem(), opt)
	case reflect.Struct:
		d.mapping(path, n, v)
	case reflect.Slice:
		d.sequence(path, n, v)
	case reflect.String:
		if s, ok := d.scalar(path, n, "text"); ok {
			v.SetString(s)
		}
	case reflect.Bool:
		s, ok := d.scalar(path, n, "true or false")
		if !ok {
			return
		}
		switch s {
		case "true":
			v.SetBool(true)
		case "false":
			v.SetBool(false)
		default:
			d.errorf(path, n.Line, "%s is not true or false", d.show(path, s))
		}
	case reflect.Int, reflect.Int64:
		s, ok := d.scalar(path, n, "a whole number")
		if !ok {
			return
		}
		i, err := strconv.ParseInt(strings.ReplaceAll(s, "_", ""), 10, v.Type().Bits())
		if err != nil {
			d.errorf(path, n.Line, "%s is not a whole number", d.show(path, s))
			return
		}
		v.SetInt(i)
	case reflect.Float64:
		s, ok := d.scalar(path, n, "a number")
		if !ok {
			return
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			d.errorf(path, n.Line, "%s is not a number", d.show(path, s))
			return
		}
		v.SetFloat(f)
	default:
		// Only reachable if a field of an unsupported type is added.
		panic(fmt.Sprintf("config: no decoder for %s at %s", v.Type(), path))
	}
}

// newWithDefaults allocates an optional section with its defaults.
func newWithDefaults(t reflect.Type) reflect.Value {
	p := reflect.New(t)
	switch t {
	case reflect.TypeFor[TelegramConfig]():
		p.Elem().Set(reflect.ValueOf(DefaultTelegram()))
	case reflect.TypeFor[OpenAIConfig]():
		p.Elem().Set(reflect.ValueOf(DefaultOpenAI()))
	}
	return p
}

func (d *decoder) mapping(path string, n *yaml.Node, v reflect.Value) {
	if n.Kind != yaml.MappingNode {
		d.errorf(path, n.Line, "want a mapping of keys, got %s", kindName(n))
		return
	}
	t := v.Type()
	fields := map[string]int{}
	var names []string
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name == "" || name == "-" {
			continue
		}
		fields[name] = i
		names = append(names, name)
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := resolve(n.Content[i]), n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.errorf(path, k.Line, "a key must be a plain name, got %s", kindName(k))
			continue
		}
		key := k.Value
		kpath := joinPath(path, key)
		if key == "<<" {
			d.errorf(path, k.Line, "merge keys (<<) are not supported; write the keys out")
			continue
		}
		if first, dup := seen[key]; dup {
			d.errorf(kpath, k.Line, "duplicate key (first at line %d)", first)
			continue
		}
		seen[key] = k.Line
		// The key's line, not the value's: a missing key below is then
		// reported at its section's header.
		d.lines[kpath] = k.Line
		idx, ok := fields[key]
		if !ok {
			msg := "unknown key"
			if s := suggest(key, names); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			}
			d.errorf(kpath, k.Line, "%s", msg)
			continue
		}
		d.decode(kpath, val, v.Field(idx), t.Field(idx).Tag.Get("config"))
	}
}

func (d *decoder) sequence(path string, n *yaml.Node, v reflect.Value) {
	if n.Kind != yaml.SequenceNode {
		d.errorf(path, n.Line, "want a list, got %s", kindName(n))
		return
	}
	out := reflect.MakeSlice(v.Type(), 0, len(n.Content))
	for i, item := range n.Content {
		ipath := fmt.Sprintf("%s[%d]", path, i)
		item = resolve(item)
		if isNull(item) {
			d.lines[ipath] = item.Line
			d.errorf(ipath, item.Line, "empty list entry")
			continue
		}
		elem := newWithDefaults(v.Type().Elem()).Elem()
		d.decode(ipath, item, elem, "")
		out = reflect.Append(out, elem)
	}
	v.Set(out)
}

// scalar returns n's text with ${NAME} references expanded.
func (d *decoder) scalar(path string, n *yaml.Node, want string) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		d.errorf(path, n.Line, "want %s, got %s", want, kindName(n))
		return "", false
	}
	s, changed, err := expand(n.Value, d.getenv)
	if err != nil {
		secret, isFile := secretOfFileKey(path)
		if isFile {
			d.fileUnresolved[secret] = true
		}
		if d.secretsOptional && (isFile || want == "${ENV_VAR}") {
			if !isFile {
				secret = path
			}
			d.unchecked[secret] = true
			return "", true
		}
		d.errorf(path, n.Line, "%v", err)
		return "", false
	}
	if changed {
		d.raw[path] = n.Value
	}
	return s, true
}

func (d *decoder) duration(path string, n *yaml.Node, v reflect.Value) {
	s, ok := d.scalar(path, n, "a duration")
	if !ok {
		return
	}
	dur, err := time.ParseDuration(s)
	if err != nil {
		d.errorf(path, n.Line, "%s is not a duration (write it like 60s, 5m or 1h30m)", d.show(path, s))
		return
	}
	v.SetInt(int64(dur))
}

func (d *decoder) size(path string, n *yaml.Node, v reflect.Value) {
	s, ok := d.scalar(path, n, "a size")
	if !ok {
		return
	}
	b, err := parseSize(s)
	if err != nil {
		d.errorf(path, n.Line, "%s is not a size (write bytes, or like 10MiB or 25MB)", d.show(path, s))
		return
	}
	v.SetInt(b)
}

// secretRef is the only form a secret may take in the file: one reference,
// optionally defaulting to empty.
var secretRef = regexp.MustCompile(`^\$\{([A-Za-z_][A-Za-z0-9_]*)(:-)?\}$`)

func (d *decoder) secret(path string, n *yaml.Node, v reflect.Value) {
	if n.Kind == yaml.ScalarNode && n.Value != "" && !secretRef.MatchString(n.Value) {
		// The value itself is not repeated: it may be the real secret.
		d.errorf(path, n.Line, "secrets must not be written in the file; write ${ENV_VAR} or use %s_file", path[strings.LastIndexByte(path, '.')+1:])
		return
	}
	if m := secretRef.FindStringSubmatch(n.Value); m != nil && m[2] == "" {
		if _, set := d.getenv(m[1]); !set {
			d.unsetSecrets[path] = unsetSecret{ref: n.Value, name: m[1], line: n.Line}
			return
		}
	}
	if s, ok := d.scalar(path, n, "${ENV_VAR}"); ok {
		v.SetString(s)
	}
}

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// expand replaces ${NAME} and ${NAME:-default} (default when NAME is unset
// or empty) with values from getenv; $$ is a literal $, and a $ followed by
// anything else is kept as is. It reports whether anything was replaced.
// Errors name variables, never values.
func expand(s string, getenv func(string) (string, bool)) (string, bool, error) {
	if !strings.Contains(s, "$") {
		return s, false, nil
	}
	var b strings.Builder
	var unset []string
	changed := false
	for i := 0; i < len(s); {
		if s[i] != '$' {
			b.WriteByte(s[i])
			i++
			continue
		}
		switch {
		case strings.HasPrefix(s[i:], "$$"):
			b.WriteByte('$')
			i += 2
			changed = true
			continue
		case !strings.HasPrefix(s[i:], "${"):
			b.WriteByte('$')
			i++
			continue
		}
		end := strings.IndexByte(s[i+2:], '}')
		if end < 0 {
			return "", false, errors.New("unterminated ${ (write $$ for a literal $)")
		}
		name, def, hasDef := strings.Cut(s[i+2:i+2+end], ":-")
		if !envName.MatchString(name) {
			return "", false, fmt.Errorf("%q is not an environment variable name", name)
		}
		val, ok := getenv(name)
		switch {
		case hasDef && val == "":
			val = def
		case !ok:
			unset = append(unset, name)
		}
		b.WriteString(val)
		changed = true
		i += 2 + end + 1
	}
	switch len(unset) {
	case 0:
		return b.String(), changed, nil
	case 1:
		return "", false, fmt.Errorf("environment variable %s is not set", unset[0])
	default:
		return "", false, fmt.Errorf("environment variables %s are not set", strings.Join(unset, ", "))
	}
}

var sizePattern = regexp.MustCompile(`^(\d+)\s*([A-Za-z]*)$`)

// parseSize reads a byte count: plain bytes, or with a decimal (kB, MB, GB)
// or binary (KiB, MiB, GiB) unit, case-insensitively.
func parseSize(s string) (int64, error) {
	m := sizePattern.FindStringSubmatch(strings.TrimSpace(strings.ReplaceAll(s, "_", "")))
	if m == nil {
		return 0, errors.New("not a size")
	}
	var unit int64
	switch strings.ToLower(m[2]) {
	case "", "b":
		unit = 1
	case "kb":
		unit = 1000
	case "mb":
		unit = 1000 * 1000
	case "gb":
		unit = 1000 * 1000 * 1000
	case "kib":
		unit = KiB
	case "mib":
		unit = MiB
	case "gib":
		unit = GiB
	default:
		return 0, fmt.Errorf("unknown unit %q", m[2])
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil || n > math.MaxInt64/unit {
		return 0, errors.New("size too large")
	}
	return n * unit, nil
}

// suggest returns the known name closest to key when it is a likely typo.
func suggest(key string, names []string) string {
	best, bestDist := "", 3
	for _, name := range names {
		if dist := editDistance(key, name); dist < bestDist {
			best, bestDist = name, dist
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// loadSecretFiles reads *_file alternatives into their secrets.
func (d *decoder) loadSecretFiles(c *Config) {
	d.secretFile("imap.password", &c.IMAP.Password, c.IMAP.PasswordFile)
	d.secretFile("smtp.password", &c.SMTP.Password, c.SMTP.PasswordFile)
	if c.Classifier.OpenAI != nil {
		d.secretFile("classifier.openai.api_key", &c.Classifier.OpenAI.APIKey, c.Classifier.OpenAI.APIKeyFile)
	}
	if c.Telegram != nil {
		d.secretFile("telegram.token", &c.Telegram.Token, c.Telegram.TokenFile)
	}
}

// checkSecretLines refuses a secret written in the file or taken from the
// environment that holds a line break: no password or token does, and one
// would be sent as part of it, failing every login unsaid. The common
// cause is a variable set from a file with its newline
// (IMAP_PASSWORD="$(cat f; echo)", an env file with CRLF line ends). The
// secret itself is never printed.
func (d *decoder) checkSecretLines(c *Config) {
	secrets := map[string]Secret{"imap.password": c.IMAP.Password, "smtp.password": c.SMTP.Password}
	if c.Classifier.OpenAI != nil {
		secrets["classifier.openai.api_key"] = c.Classifier.OpenAI.APIKey
	}
	if c.Telegram != nil {
		secrets["telegram.token"] = c.Telegram.Token
	}
	for _, path := range slices.Sorted(maps.Keys(secrets)) {
		if strings.ContainsAny(secrets[path].Reveal(), "\r\n") {
			d.errorf(path, d.lineOf(path), "%s holds a line break (from an environment variable set with its newline, or a CRLF env file?); a password or token is one line", path)
		}
	}
}

func (d *decoder) secretFile(path string, secret *Secret, file string) {
	fpath := path + "_file"
	key, fkey := path[strings.LastIndexByte(path, '.')+1:], fpath[strings.LastIndexByte(fpath, '.')+1:]
	// A secret whose variable is unset is that variable's error, unless
	// the file is set too: the example's password line left beside a
	// password_file is two ways of giving it, and the fix is to delete a
	// line, not to set a variable the unit never sets.
	if u, ok := d.unsetSecrets[path]; ok {
		switch {
		case file != "" || d.fileUnresolved[path]:
			d.errorf(fpath, d.lineOf(fpath), "set %s or %s, not both: %s is %s, which is not set; delete that line to read the file", key, fkey, key, u.ref)
			return
		case d.secretsOptional:
			d.unchecked[path] = true
		default:
			d.errorf(path, u.line, "environment variable %s is not set", u.name)
		}
	}
	if file == "" {
		return
	}
	if *secret != "" {
		d.errorf(fpath, d.lineOf(fpath), "set %s or %s, not both", key, fkey)
		return
	}
	// Stat first: a FIFO or device is never opened (opening a FIFO waits
	// for a writer), and a missing or forbidden file is told from one
	// that is plainly wrong.
	if fi, err := os.Stat(file); err == nil && !fi.Mode().IsRegular() {
		d.errorf(fpath, d.lineOf(fpath), "%s is not a regular file", file)
		return
	}
	data, err := readBounded(file, maxSecretFileBytes)
	if tl := (*tooLargeError)(nil); errors.As(err, &tl) {
		d.errorf(fpath, d.lineOf(fpath), "%v (a secret file holds one password or token)", err)
		return
	}
	if err != nil {
		if d.secretsOptional && !(d.secretFilesMustExist && missingFromItsDirectory(file, err)) {
			d.unchecked[path] = true
			return
		}
		d.errorf(fpath, d.lineOf(fpath), "read secret: %v", err)
		return
	}
	// Files written by echo or an editor end in a newline that is not part
	// of the secret.
	s := strings.TrimSuffix(strings.TrimSuffix(string(data), "\n"), "\r")
	if s == "" {
		d.errorf(fpath, d.lineOf(fpath), "%s is empty", file)
		return
	}
	// No password or token holds a line break: one left after the last
	// line's end was taken off is a blank line or a second line, and
	// would be sent as part of the secret, failing every login unsaid.
	if strings.ContainsAny(s, "\r\n") {
		d.errorf(fpath, d.lineOf(fpath), "%s holds more than one line (a blank line at its end counts); a secret file holds one password or token on one line", file)
		return
	}
	*secret = Secret(s)
}

// missingFromItsDirectory reports a secret file that is not there although
// its directory is. That is no secret kept from this user (a credentials
// directory only the service may enter, or one that exists only while it
// runs), but a misspelt name or a file never put in place, which `sportel
// run` would stop at.
func missingFromItsDirectory(file string, err error) bool {
	if !errors.Is(err, fs.ErrNotExist) {
		return false
	}
	_, err = os.Stat(filepath.Dir(file))
	return err == nil
}

// Bounds on the files read while loading: far above any real one, far
// below what hurts when a setting names the wrong file (a log, an image,
// /dev/zero), which would otherwise be read whole into memory.
const (
	maxConfigBytes     = 1 << 20
	maxSecretFileBytes = 64 << 10
	maxCAFileBytes     = 8 << 20
)

// tooLargeError is a file longer than its bound.
type tooLargeError struct {
	path string
	max  int64
}

func (e *tooLargeError) Error() string {
	return fmt.Sprintf("%s is larger than %s; is it the right file?", e.path, formatSize(e.max))
}

// readBounded reads the file at path, refusing one longer than max bytes
// with a *tooLargeError. It reads at most max+1 bytes, so a device without
// end is refused too.
func readBounded(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, &tooLargeError{path, max}
	}
	return data, nil
}
