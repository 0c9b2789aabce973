-- A model's monitoring policy (docs/monitoring.md). A model without a row is watched with the defaults.
-- Durations are whole seconds; a check covers either a time window or the last N predictions.
CREATE TABLE policies (
    model text PRIMARY KEY,
    check_interval_seconds integer NOT NULL,
    window_seconds integer,
    last_predictions integer,
    p_value_threshold double precision NOT NULL,
    distance_threshold double precision NOT NULL,
    drift_share double precision NOT NULL,
    max_performance_drop double precision NOT NULL,
    min_drift_samples integer NOT NULL,
    min_feedback_samples integer NOT NULL,
    auto_retrain boolean NOT NULL,
    retrain_cooldown_seconds integer NOT NULL,
    updated_by text NOT NULL,
    updated_at timestamptz NOT NULL,
    CHECK ((window_seconds IS NULL) <> (last_predictions IS NULL))
);
