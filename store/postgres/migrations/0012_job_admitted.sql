-- Several instances on one database share the hourly cap on
-- acknowledgements: each admits a send only under an advisory lock, counting
-- the hour's sends and every instance's admitted sends still in flight
-- (Store.AdmitJob). admitted_at marks a claimed job admitted; a new claim
-- clears it.
ALTER TABLE jobs ADD COLUMN admitted_at TIMESTAMPTZ;
