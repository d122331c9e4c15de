-- Meetings contacts book with the team.

-- How close to a meeting a contact may still cancel or move it.
CREATE TABLE booking_settings (
    workspace_id        INTEGER PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
    change_notice_hours INTEGER NOT NULL DEFAULT 24
);

-- What can be booked, with whom: durations, buffers and notice in minutes.
CREATE TABLE meeting_types (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id     INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    host_id          INTEGER NOT NULL REFERENCES staff_users(id) ON DELETE CASCADE,
    name             TEXT    NOT NULL,
    duration_min     INTEGER NOT NULL,
    buffer_before_min INTEGER NOT NULL DEFAULT 0,
    buffer_after_min INTEGER NOT NULL DEFAULT 0,
    min_notice_min   INTEGER NOT NULL DEFAULT 0,
    max_days_ahead   INTEGER NOT NULL DEFAULT 30,
    location         TEXT    NOT NULL DEFAULT '',
    active           BOOLEAN NOT NULL DEFAULT TRUE,
    created_at       INTEGER NOT NULL
);

-- Each host's time zone, weekly hours (minutes from local midnight, 1 = Monday) and days off;
-- and the secret of their calendar feed.
CREATE TABLE booking_hosts (
    staff_user_id INTEGER PRIMARY KEY REFERENCES staff_users(id) ON DELETE CASCADE,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    time_zone     TEXT    NOT NULL,
    feed_token    TEXT    NOT NULL UNIQUE
);
CREATE TABLE booking_windows (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    staff_user_id INTEGER NOT NULL REFERENCES staff_users(id) ON DELETE CASCADE,
    weekday       INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    start_min     INTEGER NOT NULL,
    end_min       INTEGER NOT NULL CHECK (end_min > start_min)
);
CREATE TABLE booking_days_off (
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    staff_user_id INTEGER NOT NULL REFERENCES staff_users(id) ON DELETE CASCADE,
    day           TEXT    NOT NULL,
    PRIMARY KEY (staff_user_id, day)
);

CREATE TABLE bookings (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id    INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    client_id       INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    contact_id      INTEGER REFERENCES contacts(id) ON DELETE SET NULL,
    contact_name    TEXT    NOT NULL,
    contact_email   TEXT    NOT NULL,
    meeting_type_id INTEGER NOT NULL REFERENCES meeting_types(id) ON DELETE CASCADE,
    host_id         INTEGER NOT NULL REFERENCES staff_users(id) ON DELETE CASCADE,
    starts_at       INTEGER NOT NULL,
    ends_at         INTEGER NOT NULL,
    -- The contact's zone when they booked: how their emails say the time.
    time_zone       TEXT    NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'confirmed' CHECK (status IN ('confirmed', 'cancelled')),
    -- The .ics sequence: one more at every move and at the cancellation.
    sequence        INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX bookings_client ON bookings(workspace_id, client_id, starts_at);
CREATE INDEX bookings_host ON bookings(host_id, starts_at);

-- No double booking, on both backends: a confirmed booking holds every five-minute block it
-- covers (buffers included) for its host, and a second claim on a block is refused by the
-- primary key — whoever commits second gets the error, however close the race.
CREATE TABLE booking_blocks (
    host_id     INTEGER NOT NULL REFERENCES staff_users(id) ON DELETE CASCADE,
    block_start INTEGER NOT NULL,
    booking_id  INTEGER NOT NULL REFERENCES bookings(id) ON DELETE CASCADE,
    PRIMARY KEY (host_id, block_start)
);
CREATE INDEX booking_blocks_booking ON booking_blocks(booking_id);
