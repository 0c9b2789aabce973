-- Ground truth for logged predictions (POST /api/feedback). One row a prediction: the primary key makes a repeated
-- feedback idempotent. The prediction's version, time and output are copied from serving's inference log when the
-- feedback arrives, so the performance check reads this table alone. Probabilities are in the order of the version's
-- classes.
CREATE TABLE feedback (
    prediction_id uuid PRIMARY KEY,
    model text NOT NULL,
    version integer NOT NULL,
    predicted_at timestamptz NOT NULL,
    predicted_label text,
    probabilities double precision[],
    predicted_value double precision,
    actual_label text,
    actual_value double precision,
    received_at timestamptz NOT NULL,
    caller text NOT NULL
);

CREATE INDEX feedback_model_version_predicted_at ON feedback (model, version, predicted_at DESC);
