-- A version's content is a CSV or a zip archive of one CSV and the images its image columns name.
ALTER TABLE dataset_versions ADD COLUMN format text NOT NULL DEFAULT 'csv';
