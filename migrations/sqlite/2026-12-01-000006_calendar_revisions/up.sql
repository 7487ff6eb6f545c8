-- Each year on record carries the revision of the official schedule it was
-- seeded from (0: recorded by an administrator) and whether an administrator
-- changed it since, so that a newer official schedule replaces an untouched
-- year on the next start and is only offered for an edited one.
ALTER TABLE calendar_years ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
ALTER TABLE calendar_years ADD COLUMN edited BOOLEAN NOT NULL DEFAULT 0;
UPDATE calendar_years SET revision = 1 WHERE updated_by = 'hệ thống';
UPDATE calendar_years SET edited = 1
WHERE updated_by <> 'hệ thống'
   OR EXISTS (SELECT 1 FROM calendar_days d
              WHERE d.updated_by <> 'hệ thống'
                AND CAST(strftime('%Y', d.day) AS INTEGER) = calendar_years.year);
