-- A dataset is a name; its content lives in immutable, content-addressed versions.
CREATE TABLE datasets (
    name text PRIMARY KEY,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

-- One row per version: where its bytes are in the artifact store, what they hash to, and their profile.
-- The same content uploaded twice under one name is one version (the unique hash).
CREATE TABLE dataset_versions (
    dataset text NOT NULL REFERENCES datasets (name) ON DELETE CASCADE,
    version integer NOT NULL,
    sha256 text NOT NULL,
    size_bytes bigint NOT NULL,
    artifact_key text NOT NULL,
    rows bigint NOT NULL,
    columns jsonb NOT NULL,
    profile jsonb NOT NULL,
    source text NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (dataset, version),
    UNIQUE (dataset, sha256)
);
