package config

import (
	"strings"
	"testing"
	"time"
)

func TestOAuth2Login(t *testing.T) {
	const imapBase = "imap:\n  addr: outlook.office365.com:993\n  username: komunikimi@mkrs.example\n"
	const smtpBase = "smtp:\n  addr: smtp.office365.com:587\n"
	tests := []struct {
		name       string
		imap, smtp string
		wantErrs   []string // each a line of the error, by prefix
		check      func(t *testing.T, c *Config)
	}{
		{
			name: "imap xoauth2 from a command, smtp oauthbearer from a file",
			imap: imapBase + "  auth: xoauth2\n  oauth2_token_command: [/usr/local/bin/m365-token, --user, komunikimi@mkrs.example]\n  oauth2_token_timeout: 10s\n",
			smtp: smtpBase + "  username: komunikimi@mkrs.example\n  auth: oauthbearer\n  oauth2_token_file: /run/sportel/token\n",
			check: func(t *testing.T, c *Config) {
				o := c.IMAP.OAuth2()
				if o.Auth != AuthXOAUTH2 || len(o.TokenCommand) != 3 || o.TokenTimeout != 10*time.Second || !o.UsesToken() {
					t.Errorf("imap = %+v", o)
				}
				if s := c.SMTP.OAuth2(); s.Auth != AuthOAuthBearer || s.TokenFile != "/run/sportel/token" || s.TokenTimeout != 30*time.Second {
					t.Errorf("smtp = %+v", s)
				}
				var b strings.Builder
				c.Summary(&b)
				for _, want := range []string{"xoauth2, token from command /usr/local/bin/m365-token (timeout 10s)", "oauthbearer, token from file /run/sportel/token"} {
					if !strings.Contains(b.String(), want) {
						t.Errorf("summary lacks %q:\n%s", want, b.String())
					}
				}
				if strings.Contains(b.String(), "--user") {
					t.Errorf("summary shows the command's arguments:\n%s", b.String())
				}
			},
		},
		{
			name: "password stays the default",
			imap: imapBase + "  password: ${IMAP_PW}\n",
			smtp: smtpBase,
			check: func(t *testing.T, c *Config) {
				if c.IMAP.Auth != AuthPassword || c.SMTP.Auth != AuthPassword || c.IMAP.OAuth2().UsesToken() {
					t.Errorf("auth = %q / %q", c.IMAP.Auth, c.SMTP.Auth)
				}
			},
		},
		{
			name:     "unknown mechanism",
			imap:     imapBase + "  password: ${IMAP_PW}\n  auth: oauth\n",
			smtp:     smtpBase,
			wantErrs: []string{`imap.auth: "oauth" is not one of password, xoauth2, oauthbearer`},
		},
		{
			name:     "token without a source",
			imap:     imapBase + "  auth: xoauth2\n",
			smtp:     smtpBase,
			wantErrs: []string{"imap.auth: xoauth2 needs imap.oauth2_token_file or imap.oauth2_token_command"},
		},
		{
			name:     "both sources",
			imap:     imapBase + "  auth: xoauth2\n  oauth2_token_file: /t\n  oauth2_token_command: [/bin/tok]\n",
			smtp:     smtpBase,
			wantErrs: []string{"imap.oauth2_token_command: set imap.oauth2_token_file or imap.oauth2_token_command, not both"},
		},
		{
			name:     "password with a token",
			imap:     imapBase + "  auth: xoauth2\n  password: ${IMAP_PW}\n  oauth2_token_file: /t\n",
			smtp:     smtpBase,
			wantErrs: []string{"imap.password: not used with imap.auth xoauth2"},
		},
		{
			name:     "a command line written as one string",
			imap:     imapBase + "  auth: xoauth2\n  oauth2_token_command: [\"/usr/local/bin/m365-token --user x\"]\n",
			smtp:     smtpBase,
			wantErrs: []string{"imap.oauth2_token_command: is run without a shell"},
		},
		{
			name:     "token source with password auth",
			imap:     imapBase + "  password: ${IMAP_PW}\n  oauth2_token_file: /t\n",
			smtp:     smtpBase,
			wantErrs: []string{"imap.oauth2_token_file: only used with imap.auth xoauth2 or oauthbearer"},
		},
		{
			name:     "smtp token without username",
			imap:     imapBase + "  password: ${IMAP_PW}\n",
			smtp:     smtpBase + "  auth: xoauth2\n  oauth2_token_command: [/bin/tok]\n",
			wantErrs: []string{"smtp.username: required with smtp.auth xoauth2"},
		},
		{
			name:     "token in clear text",
			imap:     "imap:\n  addr: imap.mkrs.example:143\n  security: none\n  username: u\n  auth: oauthbearer\n  oauth2_token_file: /t\n  oauth2_token_timeout: 0s\n",
			smtp:     smtpBase,
			wantErrs: []string{"imap.security: none would send the access token in clear text", "imap.oauth2_token_timeout:"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse(doc(map[string]string{"imap": tt.imap, "smtp": tt.smtp}), testEnv())
			if len(tt.wantErrs) == 0 {
				if err != nil {
					t.Fatalf("Parse:\n%v", err)
				}
				tt.check(t, c)
				return
			}
			if err == nil {
				t.Fatalf("Parse accepted it, want %q", tt.wantErrs)
			}
			lines := strings.Split(err.Error(), "\n")
			for _, w := range tt.wantErrs {
				found := false
				for _, l := range lines {
					if strings.Contains(l, w) {
						found = true
					}
				}
				if !found {
					t.Errorf("errors lack %q:\n%v", w, err)
				}
			}
		})
	}
}

// A token command under ${CREDENTIALS_DIRECTORY} does not stop commands
// that never log in (tickets, reports) run by an operator without it;
// `sportel run` still needs it.
func TestOAuth2TokenSourceOptional(t *testing.T) {
	data := doc(map[string]string{
		"imap": "imap:\n  addr: outlook.office365.com:993\n  username: u@mkrs.example\n  auth: xoauth2\n" +
			"  oauth2_token_command: [/usr/bin/curl, -d, \"@${CREDENTIALS_DIRECTORY}/m365\", https://login.microsoftonline.com/t/oauth2/v2.0/token]\n",
		"smtp": "smtp:\n  addr: smtp.office365.com:587\n  username: u@mkrs.example\n  auth: xoauth2\n  oauth2_token_file: ${CREDENTIALS_DIRECTORY}/token\n",
	})
	c, err := ParseWith(data, testEnv(), ParseOptions{SecretsOptional: true})
	if err != nil {
		t.Fatalf("ParseWith(SecretsOptional):\n%v", err)
	}
	if got := strings.Join(c.UncheckedSecrets, ","); got != "imap.oauth2_token,smtp.oauth2_token" {
		t.Errorf("unchecked = %s", got)
	}
	if _, err := Parse(data, testEnv()); err == nil || !strings.Contains(err.Error(), "imap.oauth2_token_command[2]") {
		t.Errorf("Parse = %v, want an error naming imap.oauth2_token_command[2]", err)
	}
	env := func(k string) (string, bool) {
		if k == "CREDENTIALS_DIRECTORY" {
			return "/run/credentials/sportel.service", true
		}
		return testEnv()(k)
	}
	c, err = Parse(data, env)
	if err != nil {
		t.Fatalf("Parse with the variable set:\n%v", err)
	}
	if c.IMAP.OAuth2TokenCommand[2] != "@/run/credentials/sportel.service/m365" || c.SMTP.OAuth2TokenFile != "/run/credentials/sportel.service/token" {
		t.Errorf("expanded to %q and %q", c.IMAP.OAuth2TokenCommand, c.SMTP.OAuth2TokenFile)
	}
}
