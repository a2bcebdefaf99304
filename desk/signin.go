package desk

import (
	"context"
	"fmt"
	"time"

	"sportel/inquiry"
	"sportel/store"
)

// signInTexts are the sign-in mail's subject and body by the officer's
// language: %[1]s is the link, %[2]s when it expires.
var signInTexts = map[inquiry.Language][2]string{
	inquiry.Albanian: {"Sportel: lidhja për t'u kyçur",
		"Për t'u kyçur në hapësirën e punës së Sportel, hapni këtë lidhje:\n\n%[1]s\n\nLidhja vlen një herë, deri në %[2]s.\nNëse nuk e keni kërkuar ju, injorojeni këtë mesazh.\n"},
	inquiry.SerbianLatin: {"Sportel: link za prijavu",
		"Da biste se prijavili u radni prostor Sportel, otvorite ovaj link:\n\n%[1]s\n\nLink važi jednom, do %[2]s.\nAko ga niste tražili, zanemarite ovu poruku.\n"},
	inquiry.SerbianCyrl: {"Sportel: линк за пријаву",
		"Да бисте се пријавили у радни простор Sportel, отворите овај линк:\n\n%[1]s\n\nЛинк важи једном, до %[2]s.\nАко га нисте тражили, занемарите ову поруку.\n"},
	inquiry.English: {"Sportel: your sign-in link",
		"To sign in to the Sportel workspace, open this link:\n\n%[1]s\n\nThe link works once, until %[2]s.\nIf you did not ask for it, ignore this message.\n"},
}

// MailSignInLink queues a mail to the officer with a one-time sign-in link
// to the web workspace, through the outbox like all mail.
func (d *Desk) MailSignInLink(ctx context.Context, officerID, link string, expires time.Time) error {
	o, ok := d.officers[officerID]
	if !ok {
		return fmt.Errorf("mail sign-in link: unknown officer %q", officerID)
	}
	texts, ok := signInTexts[o.Language]
	if !ok {
		texts = signInTexts[inquiry.Albanian]
	}
	now := d.now()
	m := d.staffMail("signin", o, texts[0], fmt.Sprintf(texts[1], link, expires.In(d.cfg.Location).Format("02.01.2006 15:04")), now)
	err := d.store.WithTx(ctx, func(tx store.Tx) error {
		return tx.AddJob(&inquiry.Job{Kind: inquiry.JobSignIn, Recipient: o.ID, Mail: m, State: inquiry.JobPending, NextAt: now, CreatedAt: now})
	})
	if err != nil {
		return fmt.Errorf("mail sign-in link to %s: %w", o.ID, err)
	}
	d.poke()
	return nil
}
