-- What the MLflow mirror still has to send, in the order it happened: written in the transaction of the change it
-- mirrors (a registered version, an alias move), so nothing the registry records is missed, and sent one entry at a
-- time, in id order, by whichever replica holds the mirror's advisory lock. stage says how far a multi-step entry got,
-- so a retry resumes where it stopped and MLflow receives each thing once.
CREATE TABLE mlflow_outbox (
    id bigserial PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('version', 'alias')),
    payload jsonb NOT NULL,
    created_at timestamptz NOT NULL,
    stage integer NOT NULL DEFAULT 0,
    attempts integer NOT NULL DEFAULT 0,
    last_error text,
    sent_at timestamptz
);

CREATE INDEX mlflow_outbox_pending ON mlflow_outbox (id) WHERE sent_at IS NULL;

-- Our ids and MLflow's: a run (our run id → MLflow run id) and a model version ("model/version" → MLflow's version).
CREATE TABLE mlflow_mappings (
    kind text NOT NULL,
    our_id text NOT NULL,
    mlflow_id text NOT NULL,
    PRIMARY KEY (kind, our_id)
);
