// Command sportel runs the public inbox of the Public Communication Division:
// it turns mail and Telegram messages into routed, acknowledged tickets.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"slices"
	"sort"
	"strings"
	"syscall"

	"sportel/config"
	"sportel/internal/buildinfo"
)

// version is set at build time with -ldflags "-X main.version=..."; the
// module's build info is used otherwise.
var version = ""

type command struct {
	summary string
	run     func(ctx context.Context, args []string, env *env) int
}

// env carries the process's outside world, so commands are testable.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) (string, bool)
}

func commands() map[string]command {
	return map[string]command{
		"run":          {"Run the daemon: watch the mailbox (and Telegram), file tickets, send acknowledgements.", cmdRun},
		"demo":         {"Run the whole pipeline once on built-in servers and sample inquiries; needs no configuration.", cmdDemo},
		"tickets":      {"Work tickets from the command line: list and search, show, save attachments, note, assign, close.", cmdTickets},
		"report":       {"The annual report on access to public documents, and the inbox's volumes over a period.", cmdReport},
		"calendar":     {"Kosovo's working calendar: a document request's legal deadline, a year's days off.", cmdCalendar},
		"backup":       {"Copy the store to a new file, consistently, also while `sportel run` is running.", cmdBackup},
		"store":        {"Move the store between databases (store copy), or after a restore put its ticket counter past a number (store raise-counter).", cmdStore},
		"check-config": {"Validate a configuration file and print a summary, or every error; --connect also logs in to IMAP and SMTP and asks the LLM endpoint.", cmdCheckConfig},
		"classify":     {"Classify one message (.eml or plain text) and print category, confidence and language.", cmdClassify},
		"eval":         {"Measure the classifier on a labelled JSONL file and print precision, recall and F1.", cmdEval},
		"web":          {"The web workspace's sessions (list them, or revoke one or all of an officer's) and its audit log.", cmdWeb},
		"version":      {"Print the version, and the commit and its date the binary was built from.", cmdVersion},
	}
}

func main() {
	os.Exit(run(os.Args[1:], &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.LookupEnv}))
}

func run(args []string, e *env) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(e.stdout, cmds)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	name := args[0]
	if name == "--version" || name == "-version" {
		// What admins type first after installing a binary.
		name = "version"
	}
	c, ok := cmds[name]
	if !ok {
		fmt.Fprintf(e.stderr, "sportel: unknown command %q\n\n", args[0])
		usage(e.stderr, cmds)
		return 2
	}
	ctx, stop := signalContext(e.stderr)
	defer stop()
	return c.run(ctx, args[1:], e)
}

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "Sportel files the public inbox of the Public Communication Division as routed, acknowledged tickets.")
	fmt.Fprintln(w, "\nUsage: sportel COMMAND [flags]\n\nCommands:")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-13s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'sportel COMMAND --help' for a command's flags.")
}

// signalContext is cancelled by the first SIGINT or SIGTERM, so work in
// flight can finish; a second signal exits at once.
func signalContext(stderr io.Writer) (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case s := <-sigs:
			fmt.Fprintf(stderr, "sportel: %s: finishing work in flight (signal again to exit at once)\n", s)
			cancel()
		case <-ctx.Done():
			return
		}
		<-sigs
		fmt.Fprintln(stderr, "sportel: second signal: exiting now")
		os.Exit(130)
	}()
	return ctx, func() { signal.Stop(sigs); cancel() }
}

// newFlags makes a flag set whose --help prints the command's purpose.
func newFlags(name, summary, argsUsage string, e *env) *flag.FlagSet {
	fs := flag.NewFlagSet("sportel "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "%s\n\nUsage: %s\n", summary, strings.TrimSpace("sportel "+name+" [flags] "+argsUsage))
		fs.PrintDefaults()
	}
	return fs
}

// foreignFlag is the first flag set on the command line that is not among
// takes (a subcommand's own and the common ones), or "": a flag meant for a
// sibling subcommand would otherwise be ignored without a word, and its
// user would get an answer to another question.
func foreignFlag(fs *flag.FlagSet, takes ...string) string {
	bad := ""
	fs.Visit(func(f *flag.Flag) {
		if bad == "" && !slices.Contains(takes, f.Name) {
			bad = f.Name
		}
	})
	return bad
}

// parseFlags parses and maps --help to exit 0 and other errors to exit 2.
func parseFlags(fs *flag.FlagSet, args []string) (int, bool) {
	if err := fs.Parse(interleave(fs, args)); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, false
		}
		return 2, false
	}
	return 0, true
}

// strayArgs refuses the positional arguments past the max a command takes,
// so none is ignored unsaid: `sportel check-config /etc/sportel/sportel.yaml`
// would check ./sportel.yaml and answer for a file nobody named.
func strayArgs(name string, fs *flag.FlagSet, max int, e *env) bool {
	if fs.NArg() <= max {
		return false
	}
	arg := fs.Arg(max)
	fmt.Fprintf(e.stderr, "sportel %s: unexpected argument %q", name, arg)
	if fs.Lookup("config") != nil && (strings.HasSuffix(arg, ".yaml") || strings.HasSuffix(arg, ".yml")) {
		fmt.Fprintf(e.stderr, " (the configuration file is given with --config: sportel %s --config %s)", name, arg)
	}
	fmt.Fprintln(e.stderr)
	return true
}

// interleave moves flags after positional arguments to the front, so
// `sportel tickets show DKP-2026-000001 --config x.yaml` works as people type it.
func interleave(fs *flag.FlagSet, args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if strings.HasPrefix(a, "-") && a != "-" {
			flags = append(flags, a)
			name := strings.TrimLeft(a, "-")
			if !strings.Contains(name, "=") {
				if f := fs.Lookup(name); f != nil {
					if bf, ok := f.Value.(interface{ IsBoolFlag() bool }); !ok || !bf.IsBoolFlag() {
						if i+1 < len(args) {
							flags = append(flags, args[i+1])
							i++
						}
					}
				}
			}
			continue
		}
		pos = append(pos, a)
	}
	return append(flags, pos...)
}

func loadConfig(path string, e *env) (*config.Config, error) {
	if path == "" {
		return nil, errors.New("no configuration: pass --config FILE (see sportel.example.yaml)")
	}
	return config.Load(path, e.getenv)
}

// mustLoadConfig loads the configuration or prints every problem in it.
func mustLoadConfig(path string, e *env) (*config.Config, bool) {
	return mustLoadConfigWith(path, e, config.ParseOptions{})
}

// mustLoadConfigWith is mustLoadConfig with parse options: commands that
// never use the secrets load with SecretsOptional, so an operator without
// the daemon's credentials can run them.
func mustLoadConfigWith(path string, e *env, opts config.ParseOptions) (*config.Config, bool) {
	var (
		cfg *config.Config
		err error
	)
	if path == "" {
		err = errors.New("no configuration: pass --config FILE (see sportel.example.yaml)")
	} else {
		cfg, err = config.LoadWith(path, e.getenv, opts)
	}
	if err != nil {
		hint := ""
		if errors.Is(err, fs.ErrNotExist) {
			// The newcomer's first error: `sportel check-config` before any
			// file was made, or run where none is.
			hint = "; give the configuration with --config FILE, or start one from sportel.example.yaml"
		}
		fmt.Fprintf(e.stderr, "%s: configuration has errors:\n%v%s\n", path, err, hint)
		return nil, false
	}
	return cfg, true
}

func cmdCheckConfig(ctx context.Context, args []string, e *env) int {
	fs := newFlags("check-config", commands()["check-config"].summary, "", e)
	path := fs.String("config", "sportel.yaml", "configuration file")
	connect := fs.Bool("connect", false, "also log in to the IMAP and SMTP servers with the configured secrets, check the mailboxes\n"+
		"(creating the processed and quarantine mailboxes when missing, as run would) and the TLS names,\n"+
		"and report what the servers said; with classifier.kind openai, ask the LLM endpoint to classify one\n"+
		"fixed sample; no mail is read or sent")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if strayArgs("check-config", fs, 0, e) {
		return 2
	}
	// Offline, the secrets are checked only when this user has them.
	cfg, ok := mustLoadConfigWith(*path, e, config.ParseOptions{SecretsOptional: !*connect, SecretFilesMustExist: true})
	if !ok {
		return 1
	}
	fmt.Fprintf(e.stdout, "%s: OK\n\n", *path)
	if len(cfg.UncheckedSecrets) > 0 {
		fmt.Fprintf(e.stdout, "secrets not checked (not available to this user): %s\n\n", strings.Join(cfg.UncheckedSecrets, ", "))
	}
	if keys := exampleAddressKeys(cfg); len(keys) > 0 {
		fmt.Fprintf(e.stdout, "still example addresses (a reserved domain: no mail reaches them); put in the division's before starting: %s\n\n", strings.Join(keys, ", "))
	}
	cfg.Summary(e.stdout)
	if !*connect {
		return 0
	}
	fmt.Fprintln(e.stdout)
	if !checkConnections(ctx, cfg, e) {
		return 1
	}
	return 0
}

func cmdVersion(_ context.Context, args []string, e *env) int {
	fs := newFlags("version", commands()["version"].summary, "", e)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if strayArgs("version", fs, 0, e) {
		return 2
	}
	fmt.Fprint(e.stdout, buildinfo.Read(version))
	return 0
}
