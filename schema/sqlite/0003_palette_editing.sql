-- 0003_palette_editing: region labels and the background swatch.
--
-- The PostgreSQL twin (schema/postgres/0003_palette_editing.sql) has the same version number,
-- column names and semantics.
--
-- region_labels_json: ["00", "01", ...], one per region of regions_json (the app layer keeps the
-- counts equal). background_index: index into colors_json of the swatch marked as background,
-- NULL for none (the app layer resets it when the colours change and it falls out of range).
-- Existing rows get no region labels and no background.

ALTER TABLE palettes ADD COLUMN region_labels_json TEXT NOT NULL DEFAULT '[]';
ALTER TABLE palettes ADD COLUMN background_index INTEGER;
