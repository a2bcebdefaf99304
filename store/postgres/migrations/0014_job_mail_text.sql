-- A job's mail text, apart from the rest of its mail (store.EncodeJobMail):
-- the text is most of a mail's bytes, an officer's notification quoting the
-- citizen's whole message, and encoding it into the JSON at intake and
-- decoding it at the claim was most of what a job cost. Rows written
-- before keep their text in the JSON, with mail_text NULL, and read back
-- as they were. (store/sqlite migration 0017.)
ALTER TABLE jobs ADD COLUMN mail_text TEXT;
