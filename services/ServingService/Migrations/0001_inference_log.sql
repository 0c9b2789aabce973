-- Every prediction served, written in batches by the inference-log writer. The id is the prediction id the caller
-- received (a UUIDv7, so ids sort by time); the primary key makes every write idempotent, which is what lets a batch
-- whose commit was uncertain, or a spill file replayed twice, land exactly once.
CREATE TABLE inference_log (
    id uuid PRIMARY KEY,
    model text NOT NULL,
    version integer NOT NULL,
    at timestamptz NOT NULL,
    inputs jsonb NOT NULL,
    output jsonb NOT NULL,
    latency_ms double precision NOT NULL,
    request_id text,
    caller text NOT NULL
);

CREATE INDEX inference_log_model_id ON inference_log (model, id);
