-- Training jobs are the queue: workers claim queued rows with FOR UPDATE SKIP LOCKED and hold them by a lease they
-- renew; a row whose lease expired belongs to a dead worker and goes back to the queue (up to max_attempts).
CREATE TABLE jobs (
    id uuid PRIMARY KEY,
    status text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'canceled')),
    model text NOT NULL,
    experiment text NOT NULL,
    dataset text NOT NULL,
    dataset_version integer NOT NULL,
    dataset_sha256 text NOT NULL,
    target text NOT NULL,
    task text NOT NULL,
    algorithm text NOT NULL,
    hyperparameters jsonb NOT NULL,
    promote text NOT NULL,
    primary_metric text NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    max_attempts integer NOT NULL,
    lease_owner text,
    lease_expires_at timestamptz,
    cancel_requested boolean NOT NULL DEFAULT false,
    progress jsonb,
    run_id uuid,
    model_version integer,
    promotion jsonb,
    error text,
    created_by text NOT NULL,
    created_at timestamptz NOT NULL,
    started_at timestamptz,
    finished_at timestamptz
);

CREATE INDEX jobs_queue ON jobs (created_at) WHERE status = 'queued';
CREATE INDEX jobs_leases ON jobs (lease_expires_at) WHERE status = 'running';
CREATE INDEX jobs_model ON jobs (model, created_at);
CREATE INDEX jobs_status ON jobs (status, created_at);

CREATE TABLE experiments (
    name text PRIMARY KEY,
    created_at timestamptz NOT NULL
);

-- One row per attempt at a job.
CREATE TABLE runs (
    id uuid PRIMARY KEY,
    experiment text NOT NULL REFERENCES experiments (name),
    job_id uuid NOT NULL REFERENCES jobs (id),
    attempt integer NOT NULL,
    status text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'canceled')),
    worker text NOT NULL,
    algorithm text NOT NULL,
    task text NOT NULL,
    target text NOT NULL,
    parameters jsonb NOT NULL,
    dataset text NOT NULL,
    dataset_version integer NOT NULL,
    dataset_sha256 text NOT NULL,
    metrics jsonb NOT NULL DEFAULT '{}',
    timings jsonb,
    artifacts jsonb NOT NULL DEFAULT '[]',
    model_version integer,
    error text,
    started_at timestamptz NOT NULL,
    finished_at timestamptz,
    UNIQUE (job_id, attempt)
);

CREATE INDEX runs_experiment ON runs (experiment, started_at);

-- Metrics per step (the learner's iteration), written in batches while the run trains.
CREATE TABLE run_metrics (
    run_id uuid NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    name text NOT NULL,
    step integer NOT NULL,
    value double precision NOT NULL,
    at timestamptz NOT NULL,
    PRIMARY KEY (run_id, name, step)
);

-- The registry. revision comes from one sequence, so "what changed after revision N" is one indexed query.
CREATE SEQUENCE registry_revision;

CREATE TABLE models (
    name text PRIMARY KEY,
    revision bigint NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

CREATE INDEX models_revision ON models (revision);

CREATE TABLE model_versions (
    model text NOT NULL REFERENCES models (name),
    version integer NOT NULL,
    algorithm text NOT NULL,
    task text NOT NULL,
    target text NOT NULL,
    classes jsonb NOT NULL,
    inputs jsonb NOT NULL,
    metrics jsonb NOT NULL,
    primary_metric text NOT NULL,
    primary_value double precision NOT NULL,
    higher_is_better boolean NOT NULL,
    run_id uuid NOT NULL REFERENCES runs (id),
    job_id uuid NOT NULL REFERENCES jobs (id),
    experiment text NOT NULL,
    dataset text NOT NULL,
    dataset_version integer NOT NULL,
    dataset_sha256 text NOT NULL,
    artifact_key text NOT NULL,
    artifact_size bigint NOT NULL,
    artifact_sha256 text NOT NULL,
    reference_profile jsonb NOT NULL,
    created_by text NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (model, version),
    UNIQUE (run_id)
);

CREATE INDEX model_versions_dataset ON model_versions (dataset, dataset_version);

CREATE TABLE model_aliases (
    model text NOT NULL,
    alias text NOT NULL,
    version integer NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (model, alias),
    FOREIGN KEY (model, version) REFERENCES model_versions (model, version)
);

CREATE TABLE alias_history (
    id bigserial PRIMARY KEY,
    model text NOT NULL REFERENCES models (name),
    alias text NOT NULL,
    from_version integer,
    to_version integer,
    actor text NOT NULL,
    reason text NOT NULL,
    job_id uuid,
    at timestamptz NOT NULL
);

CREATE INDEX alias_history_model ON alias_history (model, id);
