-- The mirror also sends runs that ended without a version (failed or canceled attempts).
ALTER TABLE mlflow_outbox DROP CONSTRAINT mlflow_outbox_kind_check;
ALTER TABLE mlflow_outbox ADD CONSTRAINT mlflow_outbox_kind_check CHECK (kind IN ('version', 'alias', 'run'));
