-- Benchmark data set for PostgreSQL, run by tests/bench.sh through `psql` (as the owner) on a
-- database that `portico migrate` has just created. The same data as seed.sqlite.sql, made
-- with generate_series in one transaction. psql variables (-v):
--   workspaces clients contacts (per client, at most 16) projects tasks gated hash now
--   replication_role: the seed's session_replication_role: `replica` skips the foreign-key
--   checks and row triggers, as pg_restore --disable-triggers does (~3x faster); `origin`
--   checks every reference (bench.sh uses it up to 20 workspaces, as a check of this file).
-- See seed.sqlite.sql for the id scheme and what each table gets.

\set ON_ERROR_STOP on
SET TIME ZONE 'UTC';
SET synchronous_commit = off;
SET maintenance_work_mem = '256MB';
SET work_mem = '64MB';

BEGIN;
SET LOCAL session_replication_role = :replication_role;

-- Every permission granted below would bump its workspace's revision (a row trigger updating
-- `workspaces` once per row): pointless on a database nobody serves yet, and 100,000s of
-- updates of the same few rows. Off for the seed, on again before COMMIT.
ALTER TABLE contact_permissions DISABLE TRIGGER contact_permissions_bump_revision;

CREATE TEMP TABLE n AS SELECT i FROM generate_series(1, GREATEST(:workspaces, :clients, :contacts, :projects, :tasks, 32)) AS i;
ALTER TABLE n ADD PRIMARY KEY (i);

CREATE TEMP TABLE agency_words (i serial PRIMARY KEY, v text);
INSERT INTO agency_words (v) VALUES ('Northwind'), ('Brightpath'), ('Summit'), ('Bluebird'),
    ('Copperleaf'), ('Lighthouse'), ('Redwood'), ('Silverline'), ('Foxglove'), ('Harbor'),
    ('Ironbark'), ('Meadow');
CREATE TEMP TABLE agency_kinds (i serial PRIMARY KEY, v text);
INSERT INTO agency_kinds (v) VALUES ('Studio'), ('Digital'), ('Creative'), ('Labs'), ('Agency'), ('Works');
CREATE TEMP TABLE company_words (i serial PRIMARY KEY, v text);
INSERT INTO company_words (v) VALUES ('Acme'), ('Blue Harbor'), ('Cedar'), ('Delta'), ('Evergreen'),
    ('Fjord'), ('Granite'), ('Horizon'), ('Juniper'), ('Keystone'), ('Lumen'), ('Maple'),
    ('Nimbus'), ('Orchard'), ('Pioneer'), ('Quarry'), ('Riverside'), ('Sequoia'), ('Tidewater'), ('Umber');
CREATE TEMP TABLE company_kinds (i serial PRIMARY KEY, v text);
INSERT INTO company_kinds (v) VALUES ('Bakery'), ('Hotels'), ('Health'), ('Outdoor'), ('Foods'),
    ('Shipping'), ('Legal'), ('Dental');
CREATE TEMP TABLE first_names (i serial PRIMARY KEY, v text);
INSERT INTO first_names (v) VALUES ('Ada'), ('Ben'), ('Cleo'), ('Dana'), ('Eli'), ('Fay'), ('Gus'),
    ('Hana'), ('Ivo'), ('Jade'), ('Kai'), ('Lena'), ('Milo'), ('Nia'), ('Omar'), ('Pia');
CREATE TEMP TABLE last_names (i serial PRIMARY KEY, v text);
INSERT INTO last_names (v) VALUES ('Park'), ('Ortiz'), ('Tan'), ('Wells'), ('Moss'), ('Lund'),
    ('Hale'), ('Berg'), ('Dahl'), ('Novak'), ('Reyes'), ('Sato'), ('Quinn'), ('Frost'), ('Adler'), ('Vance');
CREATE TEMP TABLE project_names (i serial PRIMARY KEY, v text);
INSERT INTO project_names (v) VALUES ('Website redesign'), ('Brand refresh'), ('Spring campaign'),
    ('Mobile app'), ('Product launch'), ('SEO audit'), ('Newsletter templates'), ('Trade show booth'),
    ('Packaging design'), ('Annual report'), ('Social media kit'), ('Photo shoot'),
    ('Onboarding videos'), ('Intranet'), ('Online shop'), ('Menu design'), ('Signage'),
    ('Investor deck'), ('Recruiting site'), ('Holiday campaign');
CREATE TEMP TABLE task_names (i serial PRIMARY KEY, v text);
INSERT INTO task_names (v) VALUES ('Kick-off workshop'), ('Sitemap and navigation'),
    ('Homepage design'), ('Content migration'), ('Review round'), ('Accessibility pass'),
    ('Copywriting'), ('Final QA'), ('Launch checklist'), ('Handover');
CREATE TEMP TABLE deliverables (i serial PRIMARY KEY, v text);
INSERT INTO deliverables (v) VALUES ('Homepage mockup'), ('Logo concepts'), ('Campaign visuals'),
    ('Wireframes'), ('Style guide'), ('Brochure layout'), ('Banner set'), ('Landing page');
CREATE TEMP TABLE shared_names (i serial PRIMARY KEY, v text, content_type text, size bigint,
    folder text, thumb text);
INSERT INTO shared_names (v, content_type, size, folder, thumb) VALUES
    ('Logo primary.png', 'image/png', 48213, 'Brand', 'image/png'),
    ('Logo mono.png', 'image/png', 31877, 'Brand', 'image/png'),
    ('Homepage hero.jpg', 'image/jpeg', 812455, '', 'image/jpeg'),
    ('Team photo.jpg', 'image/jpeg', 1630092, 'Photos', 'image/jpeg'),
    ('Product shot.jpg', 'image/jpeg', 954310, 'Photos', 'image/jpeg'),
    ('Launch teaser.mp4', 'video/mp4', 18433021, '', NULL),
    ('Brand guidelines.pdf', 'application/pdf', 2402113, 'Brand', NULL),
    ('Proposal.pdf', 'application/pdf', 388104, '', NULL),
    ('Sitemap.pdf', 'application/pdf', 120553, '', NULL),
    ('Meeting notes.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 28817, '', NULL);
CREATE TEMP TABLE role_permissions (role text, permission text);
INSERT INTO role_permissions VALUES
    ('client_admin', 'can_view_projects'), ('client_admin', 'can_view_invoices'),
    ('client_admin', 'can_approve_work'), ('client_admin', 'can_add_comments'),
    ('client_admin', 'can_view_files'), ('client_admin', 'can_change_colleagues_meetings'),
    ('client_finance', 'can_view_invoices'), ('client_finance', 'can_add_comments'),
    ('client_finance', 'can_view_files'),
    ('client_viewer', 'can_view_projects'), ('client_viewer', 'can_view_files');

-- ISO date `d` days from today.
CREATE FUNCTION pg_temp.day(d bigint) RETURNS text LANGUAGE sql STABLE AS
    $$ SELECT to_char(current_date + d::int, 'YYYY-MM-DD') $$;
CREATE FUNCTION pg_temp.day_from(base text, d bigint) RETURNS text LANGUAGE sql STABLE AS
    $$ SELECT to_char(base::date + d::int, 'YYYY-MM-DD') $$;

INSERT INTO workspaces (id, slug, name, plan_id, accent_color, created_at, sender_name,
                        welcome_message, support_email)
SELECT n.i, 'agency-' || n.i, a.v || ' ' || k.v,
       CASE WHEN n.i > :workspaces - :gated THEN 'starter' ELSE 'scale' END,
       '#4f46e5', :now - 400 * 86400, a.v || ' ' || k.v,
       'Welcome to your project space. Follow each project, review designs and find every file we shared.',
       'hello@agency-' || n.i || '.example'
FROM n JOIN agency_words a ON a.i = 1 + n.i % 12 JOIN agency_kinds k ON k.i = 1 + (n.i / 12) % 6
WHERE n.i <= :workspaces;

INSERT INTO invoice_settings (workspace_id, prefix, next_number, payment_instructions)
SELECT id, 'INV-', :clients * 12 + 1, 'Bank transfer to IBAN GB33 BUKB 2020 1555 5555 55, quoting the invoice number.'
FROM workspaces;

INSERT INTO staff_users (id, workspace_id, email, name, role, password_hash, created_at)
SELECT (w.id - 1) * 3 + n.i, w.id, lower(f.v) || '.' || lower(l.v) || '@agency-' || w.id || '.example',
       f.v || ' ' || l.v, CASE n.i WHEN 1 THEN 'owner' WHEN 2 THEN 'admin' ELSE 'member' END,
       :'hash', w.created_at
FROM workspaces w CROSS JOIN n
JOIN first_names f ON f.i = 1 + (w.id * 3 + n.i) % 16
JOIN last_names l ON l.i = 1 + (w.id * 5 + n.i) % 16
WHERE n.i <= 3;

INSERT INTO clients (id, workspace_id, name, active, created_at)
SELECT (w.id - 1) * :clients + n.i, w.id, cw.v || ' ' || ck.v, TRUE, w.created_at + n.i * 86400
FROM workspaces w CROSS JOIN n
JOIN company_words cw ON cw.i = 1 + (n.i - 1) % 20
JOIN company_kinds ck ON ck.i = 1 + (w.id + n.i) % 8
WHERE n.i <= :clients;

INSERT INTO contacts (id, workspace_id, client_id, email, name, password_hash, active, created_at)
SELECT (c.id - 1) * :contacts + n.i, c.workspace_id, c.id,
       lower(f.v) || '.' || lower(l.v) || '@client' || c.id || '.example',
       f.v || ' ' || l.v, :'hash', TRUE, c.created_at + 3600 * n.i
FROM clients c CROSS JOIN n
JOIN first_names f ON f.i = 1 + (c.id * 5 + n.i) % 16
JOIN last_names l ON l.i = 1 + (c.id * 3 + n.i * 7) % 16
WHERE n.i <= :contacts;

INSERT INTO contact_permissions (contact_id, permission)
SELECT c.id, rp.permission
FROM contacts c JOIN role_permissions rp ON rp.role = CASE (c.id - 1) % :contacts
    WHEN 0 THEN 'client_admin' WHEN 1 THEN 'client_admin' WHEN 2 THEN 'client_finance'
    ELSE 'client_viewer' END;

INSERT INTO projects (id, workspace_id, client_id, name, description, status, start_date,
                      due_date, progress, created_at, updated_at, lead_id)
SELECT id, workspace_id, client_id, name, description, status,
       pg_temp.day(-30 - p * 3),
       pg_temp.day(CASE WHEN status = 'completed' THEN -p * 3 ELSE p * 6 - 20 + client_id % 5 END),
       CASE status WHEN 'completed' THEN 100 WHEN 'planning' THEN 0 ELSE 5 + (p * 37 + client_id) % 90 END,
       created_at, created_at + 86400 * (p % 20), lead_id
FROM (
    SELECT (c.id - 1) * :projects + n.i AS id, c.workspace_id, c.id AS client_id, n.i AS p,
           pn.v || CASE WHEN n.i > 20 THEN ' ' || ((n.i - 1) / 20 + 1) ELSE '' END AS name,
           'Scope, schedule and deliverables of the ' || lower(pn.v) || ' for ' || c.name || '.' AS description,
           CASE n.i % 10 WHEN 0 THEN 'completed' WHEN 5 THEN 'completed' WHEN 1 THEN 'planning'
                         WHEN 2 THEN 'in_review' WHEN 3 THEN 'on_hold' ELSE 'in_progress' END AS status,
           c.created_at + n.i * 3600 AS created_at,
           (c.workspace_id - 1) * 3 + 1 + n.i % 3 AS lead_id
    FROM clients c CROSS JOIN n
    JOIN project_names pn ON pn.i = 1 + (n.i - 1) % 20
    WHERE n.i <= :projects
) src;

INSERT INTO milestones (id, project_id, workspace_id, client_id, title, due_date, completed_at, position)
SELECT (p.id - 1) * 2 + n.i, p.id, p.workspace_id, p.client_id,
       CASE n.i WHEN 1 THEN 'Design sign-off' ELSE 'Launch' END,
       pg_temp.day_from(p.due_date, CASE n.i WHEN 1 THEN -21 ELSE 0 END),
       CASE WHEN p.status = 'completed' OR (n.i = 1 AND p.progress >= 50) THEN :now - 5 * 86400 END,
       n.i
FROM projects p CROSS JOIN n
WHERE n.i <= 2;

INSERT INTO tasks (id, project_id, workspace_id, client_id, title, description, internal_notes,
                   status, priority, assignee_id, due_date, client_visible, position,
                   created_at, updated_at, completed_at)
SELECT id, project_id, workspace_id, client_id, title, description, internal_notes, status,
       priority, assignee_id, due_date, client_visible, position, created_at, created_at + 86400,
       CASE WHEN status = 'done' THEN created_at + 2 * 86400 END
FROM (
    SELECT (p.id - 1) * :tasks + n.i AS id, p.id AS project_id, p.workspace_id, p.client_id,
           tn.v AS title, 'What this step delivers, and what we need from you for it.' AS description,
           'Estimate: ' || (n.i * 3) || ' h. Check the budget before starting.' AS internal_notes,
           CASE WHEN p.status = 'completed' THEN 'done' WHEN p.status = 'planning' THEN 'todo'
                ELSE CASE n.i WHEN 1 THEN 'done' WHEN 2 THEN 'in_review' WHEN 3 THEN 'in_progress' ELSE 'todo' END
           END AS status,
           CASE (p.id + n.i) % 7 WHEN 0 THEN 'low' WHEN 1 THEN 'high' WHEN 2 THEN 'urgent' ELSE 'normal' END AS priority,
           (p.workspace_id - 1) * 3 + 1 + (p.id + n.i) % 3 AS assignee_id,
           pg_temp.day_from(p.start_date, n.i * 7) AS due_date,
           n.i < :tasks AS client_visible, n.i AS position, p.created_at + n.i * 600 AS created_at
    FROM projects p CROSS JOIN n
    JOIN task_names tn ON tn.i = 1 + (n.i - 1) % 10
    WHERE n.i <= :tasks
) src;

INSERT INTO comments (id, workspace_id, client_id, project_id, task_id, kind, body,
                      author_staff_id, author_contact_id, created_at, edited_at)
SELECT (p.id - 1) * 3 + n.i, p.workspace_id, p.client_id, p.id,
       CASE n.i WHEN 2 THEN (p.id - 1) * :tasks + 1 END,
       CASE n.i WHEN 3 THEN 'note' ELSE 'reply' END,
       CASE n.i WHEN 1 THEN 'This week: the first designs are attached. Tell us what you think!'
                WHEN 2 THEN 'Looks good to us. Could the header be a little calmer?'
                ELSE 'Client prefers calls on Tuesdays.' END,
       CASE n.i WHEN 2 THEN NULL ELSE p.lead_id END,
       CASE n.i WHEN 2 THEN (p.client_id - 1) * :contacts + 1 END,
       p.created_at + 86400 * n.i, NULL
FROM projects p CROSS JOIN n
WHERE n.i <= 3;

INSERT INTO files (id, workspace_id, client_id, storage_key, name, content_type, size,
                   uploaded_by, created_at, thumbnail_state, thumbnail_type, thumbnail_size)
SELECT (c.id - 1) * (10 + :projects) + sn.i, c.workspace_id, NULL,
       'ws/' || c.workspace_id || '/' || lpad(to_hex((c.id - 1) * (10 + :projects) + sn.i), 32, '0'),
       sn.v, sn.content_type, sn.size + c.id % 1000, s.name, c.created_at + sn.i * 86400,
       CASE WHEN sn.thumb IS NOT NULL THEN 'ready' END, sn.thumb,
       CASE WHEN sn.thumb IS NOT NULL THEN 18000 + sn.i * 731 END
FROM clients c CROSS JOIN shared_names sn
JOIN staff_users s ON s.id = (c.workspace_id - 1) * 3 + 1 + sn.i % 3;

INSERT INTO shared_files (id, workspace_id, client_id, file_id, folder, shared_by, shared_at, project_id)
SELECT f.id, f.workspace_id, c.id, f.id, sn.folder, f.uploaded_by, f.created_at + 600,
       CASE WHEN sn.i IN (3, 8) THEN (c.id - 1) * :projects + 1 + sn.i % :projects END
FROM clients c CROSS JOIN shared_names sn
JOIN files f ON f.id = (c.id - 1) * (10 + :projects) + sn.i;

CREATE TEMP TABLE approval_src AS
SELECT p.id, p.workspace_id, p.client_id, p.lead_id, s.name AS lead_name,
       (p.id - 1) % :projects + 1 AS p,
       CASE ((p.id - 1) % :projects + 1) / 2 % 3 WHEN 1 THEN 'pending' WHEN 2 THEN 'approved'
            ELSE 'revision_requested' END AS status,
       d.v AS title, p.created_at + 86400 * 3 AS sent_at
FROM projects p
JOIN staff_users s ON s.id = p.lead_id
JOIN deliverables d ON d.i = 1 + (p.id / 2) % 8
WHERE ((p.id - 1) % :projects + 1) % 2 = 0;

INSERT INTO approvals (id, workspace_id, client_id, project_id, title, description, due_date,
                       status, version, created_by_id, created_by, created_at, updated_at)
SELECT id, workspace_id, client_id, id, title, 'Please review the attached ' || lower(title) || '.',
       pg_temp.day(p - 4), status, 1, lead_id, lead_name, sent_at - 3600,
       sent_at + CASE status WHEN 'pending' THEN 0 ELSE 86400 END
FROM approval_src;

INSERT INTO approval_versions (id, workspace_id, client_id, approval_id, number, created_at, submitted_at)
SELECT id, workspace_id, client_id, id, 1, sent_at - 3600, sent_at FROM approval_src;

INSERT INTO files (id, workspace_id, client_id, storage_key, name, content_type, size,
                   uploaded_by, created_at, thumbnail_state, thumbnail_type, thumbnail_size)
SELECT (client_id - 1) * (10 + :projects) + 10 + p, workspace_id, NULL,
       'ws/' || workspace_id || '/' || lpad(to_hex((client_id - 1) * (10 + :projects) + 10 + p), 32, '0'),
       title || ' v1.png', 'image/png', 240000 + id % 5000, lead_name, sent_at - 3600,
       'ready', 'image/png', 21000
FROM approval_src;

INSERT INTO approval_files (id, workspace_id, client_id, approval_id, version_id, file_id)
SELECT id, workspace_id, client_id, id, id, (client_id - 1) * (10 + :projects) + 10 + p
FROM approval_src;

INSERT INTO approval_events (id, workspace_id, client_id, approval_id, kind, version, body,
                             actor, contact_id, staff_user_id, created_at)
SELECT id * 2 - 1, workspace_id, client_id, id, 'submitted', 1, '', lead_name, NULL, lead_id, sent_at
FROM approval_src;

INSERT INTO approval_events (id, workspace_id, client_id, approval_id, kind, version, body,
                             actor, contact_id, staff_user_id, created_at)
SELECT a.id * 2, a.workspace_id, a.client_id, a.id, a.status, 1,
       CASE a.status WHEN 'approved' THEN '' ELSE 'Please make the logo larger and use our new colours.' END,
       ct.name, ct.id, NULL, a.sent_at + 86400
FROM approval_src a JOIN contacts ct ON ct.id = (a.client_id - 1) * :contacts + 1
WHERE a.status <> 'pending';

CREATE TEMP TABLE invoice_src AS
SELECT (c.id - 1) * 12 + n.i AS id, c.workspace_id, c.id AS client_id,
       'INV-' || CASE WHEN seq < 10000 THEN lpad(seq::text, 4, '0') ELSE seq::text END AS number,
       CASE WHEN n.i >= 10 THEN 'sent' WHEN n.i = 3 THEN 'void' ELSE 'paid' END AS status,
       pg_temp.day(-(12 - n.i) * 30) AS issue_date,
       pg_temp.day(30 - (12 - n.i) * 30) AS due_date,
       120000 + n.i * 500 AS design, s.name AS staff_name,
       :now - (12 - n.i) * 30 * 86400 AS issued_at
FROM clients c CROSS JOIN n
CROSS JOIN LATERAL (SELECT ((c.id - 1) % :clients) * 12 + n.i AS seq) q
JOIN staff_users s ON s.id = (c.workspace_id - 1) * 3 + 1
WHERE n.i <= 12;

INSERT INTO invoices (id, workspace_id, client_id, number, status, currency, issue_date, due_date,
                      discount_bp, tax_bp, notes, payment_instructions, subtotal, discount, tax,
                      total, paid, created_by, created_at, updated_at, issued_at)
SELECT id, workspace_id, client_id, number, status, 'USD', issue_date, due_date, 0, 2000,
       'Thank you for your business.',
       'Bank transfer to IBAN GB33 BUKB 2020 1555 5555 55, quoting the invoice number.',
       design + 23750 + 4900, 0, (design + 23750 + 4900) / 5, (design + 23750 + 4900) * 6 / 5,
       CASE status WHEN 'paid' THEN (design + 23750 + 4900) * 6 / 5 ELSE 0 END,
       staff_name, issued_at - 86400, issued_at, issued_at
FROM invoice_src;

INSERT INTO invoice_lines (id, workspace_id, client_id, invoice_id, description, quantity,
                           unit_price, discount_bp, tax_bp)
SELECT (i.id - 1) * 3 + n.i, i.workspace_id, i.client_id, i.id,
       CASE n.i WHEN 1 THEN 'Design and development' WHEN 2 THEN 'Copywriting, hours' ELSE 'Hosting, one month' END,
       CASE n.i WHEN 2 THEN 2500 ELSE 1000 END,
       CASE n.i WHEN 1 THEN i.design WHEN 2 THEN 9500 ELSE 4900 END,
       0, NULL
FROM invoice_src i CROSS JOIN n
WHERE n.i <= 3;

INSERT INTO invoice_payments (id, workspace_id, client_id, invoice_id, amount, method, reference,
                              paid_on, recorded_by, provider_event, created_at, refund_due)
SELECT id, workspace_id, client_id, id, (design + 23750 + 4900) * 6 / 5, 'bank_transfer',
       'TRX-' || id, pg_temp.day_from(due_date, -5), staff_name, NULL, issued_at + 25 * 86400, 0
FROM invoice_src WHERE status = 'paid';

INSERT INTO notifications (id, workspace_id, client_id, contact_id, kind, title, body, link,
                           created_at, read_at, digest_pending, source, about_type, about_id)
SELECT (ct.id - 1) * 3 + n.i, ct.workspace_id, ct.client_id, ct.id,
       CASE n.i WHEN 1 THEN 'task_done' WHEN 2 THEN 'reply' ELSE 'project_update' END,
       CASE n.i WHEN 1 THEN 'Done: Sitemap and navigation' WHEN 2 THEN 'Your team replied on ' || p.name
                ELSE p.name || ' moved on' END,
       CASE n.i WHEN 1 THEN 'In ' || p.name || '.' WHEN 2 THEN 'The first designs are attached.'
                ELSE 'Progress: ' || p.progress || ' %.' END,
       '/projects/' || p.id, :now - n.i * 7200,
       CASE WHEN n.i = 3 THEN :now - 3600 END, FALSE, NULL, 'project', p.id
FROM contacts ct CROSS JOIN n
JOIN projects p ON p.id = (ct.client_id - 1) * :projects + 1 + (ct.id + n.i) % :projects
WHERE n.i <= 3 AND (ct.id - 1) % :contacts <> 2;

-- Explicit ids were given: move every identity sequence past them, as the app would find it.
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT table_name, column_name FROM information_schema.columns
             WHERE table_schema = current_schema() AND is_identity = 'YES'
    LOOP
        EXECUTE format(
            'SELECT setval(pg_get_serial_sequence(%L, %L), GREATEST(MAX(%I), 1), MAX(%I) IS NOT NULL) FROM %I',
            r.table_name, r.column_name, r.column_name, r.column_name, r.table_name);
    END LOOP;
END $$;

ALTER TABLE contact_permissions ENABLE TRIGGER contact_permissions_bump_revision;

COMMIT;

VACUUM ANALYZE;
