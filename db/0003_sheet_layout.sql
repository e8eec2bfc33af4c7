-- How each sheet prints (INTERCHANGE.md `layout`, as JSON; '' is the default layout), and group
-- names that may repeat within a sheet (南区 prints two headings 防災・減災).
ALTER TABLE sheets ADD COLUMN layout TEXT NOT NULL DEFAULT '';

-- SQLite cannot drop a UNIQUE constraint: the table is rebuilt under the same ids. Dropping the
-- old table clears projects.group_id (ON DELETE SET NULL, and foreign keys cannot be switched off
-- inside the migration's transaction), so the links are saved first and put back after.
CREATE TEMP TABLE saved_project_groups AS SELECT id, group_id FROM projects WHERE group_id IS NOT NULL;
CREATE TABLE project_groups_new (
    id INTEGER PRIMARY KEY,
    sheet_id INTEGER NOT NULL REFERENCES sheets (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT ''
);
INSERT INTO project_groups_new (id, sheet_id, position, name, description)
    SELECT id, sheet_id, position, name, description FROM project_groups;
DROP TABLE project_groups;
ALTER TABLE project_groups_new RENAME TO project_groups;
CREATE INDEX project_groups_by_sheet ON project_groups (sheet_id, position);
UPDATE projects SET group_id = (SELECT s.group_id FROM saved_project_groups s WHERE s.id = projects.id)
    WHERE id IN (SELECT id FROM saved_project_groups);
DROP TABLE saved_project_groups;
