package desk

import (
	"context"
	"fmt"
	"time"

	"sportel/inquiry"
	"sportel/store"
)

// NoticeAckCap tells the division's heads (or, when none is configured,
// the catch-all officer) that the hourly cap on acknowledgements is holding
// held of them back, the next until then. The outbox calls it once per
// episode: a burst that big is most often forged senders, and someone
// should look. Asked again for the same episode (after a crash), it queues
// nothing more.
func (d *Desk) NoticeAckCap(ctx context.Context, episode string, held int, until time.Time) error {
	var tell []inquiry.Officer
	for _, o := range d.cfg.Officers {
		if o.IsHead() && o.Email != "" {
			tell = append(tell, o)
		}
	}
	if len(tell) == 0 {
		if o := d.officers[d.router.CatchAll()]; o.Email != "" {
			tell = append(tell, o)
		}
	}
	if len(tell) == 0 {
		return fmt.Errorf("notice held acknowledgements: no head or catch-all officer with an email address")
	}
	now := d.now()
	text := fmt.Sprintf("Kufiri për orë i konfirmimeve të pranimit u arrit: %d konfirmime po presin në radhë.\n"+
		"Asnjë nuk humbet: dërgohen sapo të lirohet kufiri (të parat rreth %s).\n\n"+
		"Një valë e tillë shpesh vjen nga mesazhe me adresa të falsifikuara (Reply-To), që synojnë të përdorin "+
		"Sportel-in për të dërguar postë te të tjerët. Shikoni tiketat e fundit (sportel tickets list) dhe "+
		"metrikën sportel_outbox_acks_held.\n",
		held, until.In(d.cfg.Location).Format("02.01.2006 15:04"))
	err := d.store.WithTx(ctx, func(tx store.Tx) error {
		for _, o := range tell {
			job := &inquiry.Job{Kind: inquiry.JobServiceNotice, Recipient: o.ID, State: inquiry.JobPending, NextAt: now, CreatedAt: now,
				Mail: d.staffMail("notice", o, "Sportel: konfirmimet e pranimit po mbahen në radhë", text, now)}
			if _, err := tx.AddJobOnce(episode+":"+o.ID, job); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("notice held acknowledgements: %w", err)
	}
	d.poke()
	return nil
}
