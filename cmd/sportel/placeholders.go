package main

import (
	"fmt"
	"strings"

	"sportel/config"
)

// exampleAddressKeys names the configured addresses in a domain reserved
// for examples (RFC 2606, RFC 6761): the example file, which the package
// installs as /etc/sportel/sportel.yaml, is valid as it stands, so an
// unedited key would otherwise pass check-config and reach `sportel run`.
func exampleAddressKeys(cfg *config.Config) []string {
	var keys []string
	add := func(key, addr string) {
		if at := strings.LastIndexByte(addr, '@'); at >= 0 && reservedDomain(addr[at+1:]) {
			keys = append(keys, key)
		}
	}
	add("mailbox.address", cfg.Mailbox.Address)
	add("imap.username", cfg.IMAP.Username)
	add("smtp.username", cfg.SMTP.Username)
	for i, o := range cfg.Officers {
		add(fmt.Sprintf("officers[%d].email (%s)", i, o.ID), o.Email)
	}
	return keys
}

// reservedDomain reports whether mail to domain can never be delivered:
// the reserved top-level names and example.com, .net and .org.
func reservedDomain(domain string) bool {
	d := strings.TrimSuffix(strings.ToLower(domain), ".")
	for _, r := range []string{"example", "invalid", "test", "localhost", "example.com", "example.net", "example.org"} {
		if d == r || strings.HasSuffix(d, "."+r) {
			return true
		}
	}
	return false
}
