-- Each year on record carries the revision of the official schedule it was
-- seeded from (0: recorded by an administrator) and whether an administrator
-- changed it since, so that a newer official schedule replaces an untouched
-- year on the next start and is only offered for an edited one.
ALTER TABLE calendar_years ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
ALTER TABLE calendar_years ADD COLUMN edited BOOLEAN NOT NULL DEFAULT 0;
-- Every year 2015-2026 on record came from the first seed.
UPDATE calendar_years SET revision = 1 WHERE year BETWEEN 2015 AND 2026;
-- Edited: a day put or removed, or the source changed, by an administrator
-- (every such correction is audited; a year adopted by rule is not edited).
UPDATE calendar_years SET edited = 1
WHERE EXISTS (SELECT 1 FROM audit_events a
              WHERE a.action IN ('calendar.put_day', 'calendar.delete_day')
                AND substr(a.subject, 7, 4) = CAST(calendar_years.year AS TEXT))
   OR EXISTS (SELECT 1 FROM audit_events a
              WHERE a.action = 'calendar.year_source'
                AND a.subject = CAST(calendar_years.year AS TEXT));
-- The leader's list of due dates moved by calendar changes.
CREATE INDEX dossier_events_action_at_idx ON dossier_events(action, at);
-- Failed-login rows a day old are deleted on the next failure.
CREATE INDEX login_failures_last_idx ON login_failures(last_failed_at);
