-- The ward project sheets: one sheet per ward and fiscal year.
CREATE TABLE sheets (
    id INTEGER PRIMARY KEY,
    ward TEXT NOT NULL,
    fiscal_year INTEGER NOT NULL,
    title TEXT NOT NULL,
    vision TEXT NOT NULL DEFAULT '',
    unit TEXT NOT NULL DEFAULT '千円',
    UNIQUE (ward, fiscal_year)
);

-- The amount columns of a sheet, in order; a locked (確定) stage is read-only in the editor.
CREATE TABLE stages (
    sheet_id INTEGER NOT NULL REFERENCES sheets (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    locked INTEGER NOT NULL DEFAULT 0 CHECK (locked IN (0, 1)),
    PRIMARY KEY (sheet_id, position)
) WITHOUT ROWID;

CREATE TABLE categories (
    id INTEGER PRIMARY KEY,
    sheet_id INTEGER NOT NULL REFERENCES sheets (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    allocation INTEGER CHECK (allocation IS NULL OR allocation >= 0),
    UNIQUE (sheet_id, name)
);

CREATE TABLE project_groups (
    id INTEGER PRIMARY KEY,
    sheet_id INTEGER NOT NULL REFERENCES sheets (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    UNIQUE (sheet_id, name)
);

-- Projects and their sub-items (parent_id set, one level). position orders siblings.
-- AUTOINCREMENT: an id is never reused, so history rows stay with the one project they describe.
CREATE TABLE projects (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sheet_id INTEGER NOT NULL REFERENCES sheets (id) ON DELETE CASCADE,
    parent_id INTEGER REFERENCES projects (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    no TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    category_id INTEGER NOT NULL REFERENCES categories (id),
    group_id INTEGER REFERENCES project_groups (id) ON DELETE SET NULL,
    is_new INTEGER NOT NULL DEFAULT 0 CHECK (is_new IN (0, 1)),
    status TEXT NOT NULL DEFAULT 'planned'
        CHECK (status IN ('planned', 'implemented', 'cancelled', 'postponed', 'partial', 'reduced')),
    note TEXT NOT NULL DEFAULT '',
    section TEXT,
    district TEXT,
    notes_heading TEXT
);
CREATE INDEX projects_by_sheet ON projects (sheet_id, parent_id, position);
CREATE INDEX projects_by_parent ON projects (parent_id);
CREATE INDEX projects_by_category ON projects (category_id);
CREATE INDEX projects_by_group ON projects (group_id);

-- One row per project and stage that has an amount; no row means ― (no budget line).
CREATE TABLE amounts (
    project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    stage INTEGER NOT NULL,
    value INTEGER NOT NULL CHECK (value >= 0 AND value <= 99999999),
    PRIMARY KEY (project_id, stage)
) WITHOUT ROWID;

-- Every change, written by the same transaction as the change itself.
CREATE TABLE history (
    id INTEGER PRIMARY KEY,
    sheet_id INTEGER REFERENCES sheets (id) ON DELETE CASCADE,
    -- No foreign key: a deleted project's history stays, and comes back with it on undo.
    project_id INTEGER,
    project_label TEXT NOT NULL DEFAULT '',
    field TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT,
    changed_at TEXT NOT NULL,
    changed_by TEXT NOT NULL
);
CREATE INDEX history_by_project ON history (project_id, id);
CREATE INDEX history_by_sheet ON history (sheet_id, id);
