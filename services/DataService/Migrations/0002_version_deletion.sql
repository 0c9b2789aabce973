-- A deleted version stays as a tombstone: its number is never handed out again, so "dataset x version n" names one
-- content forever. Its content may be uploaded again, as a new version.
ALTER TABLE dataset_versions ADD COLUMN deleted_at timestamptz, ADD COLUMN deleted_by text;
ALTER TABLE dataset_versions DROP CONSTRAINT dataset_versions_dataset_sha256_key;
CREATE UNIQUE INDEX dataset_versions_live_sha256 ON dataset_versions (dataset, sha256) WHERE deleted_at IS NULL;
