-- Mark the file as this app's database (0x4D4B5A31, 'MKZ1'), so the app can tell it from another
-- program's SQLite file and refuse to touch one that is not ours. Version-1 files, written before
-- this mark existed, are recognised by their tables (storage/database.py) and marked here.
PRAGMA application_id = 1296783921;
