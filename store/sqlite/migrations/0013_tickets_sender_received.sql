-- The desk looks, for every new mail, for the sender's newest tickets of the
-- last day (a client's resend joins the first copy's ticket). With the
-- sender alone in the index, a sender with thousands of tickets (a contact
-- form writing every citizen's mail from one address) made that look-up read
-- and sort all of them inside the intake transaction; with the time beside
-- the sender it reads the few it returns. Every other look-up by sender uses
-- the index's prefix as it used the old one.
DROP INDEX tickets_sender;
CREATE INDEX tickets_sender ON tickets (lower(sender_address), received_at, id);
