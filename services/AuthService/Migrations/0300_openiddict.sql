-- Clients, authorizations and refresh tokens move to OpenIddict's tables (its EF Core stores, snake_case names). Every
-- client keeps its id, display name, scopes and secret: its hash is a PasswordHasher<T> hash, the format OpenIddict
-- checks client secrets in. What OpenIddict has no field for (disabled, created_at, secret_rotated_at) goes in its
-- properties. Refresh tokens of before are not carried over: their holders sign in again.
CREATE TABLE openiddict_applications (
    id text PRIMARY KEY,
    application_type varchar(50) NULL,
    client_id varchar(100) NULL UNIQUE,
    client_secret text NULL,
    client_type varchar(50) NULL,
    concurrency_token varchar(50) NULL,
    consent_type varchar(50) NULL,
    display_name text NULL,
    display_names text NULL,
    json_web_key_set text NULL,
    permissions text NULL,
    post_logout_redirect_uris text NULL,
    properties text NULL,
    redirect_uris text NULL,
    requirements text NULL,
    settings text NULL);

CREATE TABLE openiddict_scopes (
    id text PRIMARY KEY,
    concurrency_token varchar(50) NULL,
    description text NULL,
    descriptions text NULL,
    display_name text NULL,
    display_names text NULL,
    name varchar(200) NULL UNIQUE,
    properties text NULL,
    resources text NULL);

CREATE TABLE openiddict_authorizations (
    id text PRIMARY KEY,
    application_id text NULL REFERENCES openiddict_applications (id),
    concurrency_token varchar(50) NULL,
    creation_date timestamptz NULL,
    properties text NULL,
    scopes text NULL,
    status varchar(50) NULL,
    subject varchar(400) NULL,
    type varchar(50) NULL);
CREATE INDEX openiddict_authorizations_lookup ON openiddict_authorizations (application_id, status, subject, type);

CREATE TABLE openiddict_tokens (
    id text PRIMARY KEY,
    application_id text NULL REFERENCES openiddict_applications (id),
    authorization_id text NULL REFERENCES openiddict_authorizations (id),
    concurrency_token varchar(50) NULL,
    creation_date timestamptz NULL,
    expiration_date timestamptz NULL,
    payload text NULL,
    properties text NULL,
    redemption_date timestamptz NULL,
    reference_id varchar(100) NULL UNIQUE,
    status varchar(50) NULL,
    subject varchar(400) NULL,
    type varchar(150) NULL);
CREATE INDEX openiddict_tokens_lookup ON openiddict_tokens (application_id, status, subject, type);
CREATE INDEX openiddict_tokens_authorization ON openiddict_tokens (authorization_id);

INSERT INTO openiddict_applications (id, client_id, client_secret, client_type, consent_type, concurrency_token, display_name, permissions, properties)
SELECT gen_random_uuid()::text, c.client_id, c.secret_hash, 'confidential', 'implicit', gen_random_uuid()::text, c.display_name,
       (SELECT json_agg(permission ORDER BY permission)
        FROM (SELECT unnest(ARRAY['ept:token', 'gt:client_credentials', 'gt:password', 'gt:refresh_token']) AS permission
              UNION SELECT 'scp:' || scope FROM unnest(c.scopes) AS scope) AS permissions)::text,
       json_build_object(
           'disabled', c.disabled,
           'created_at', to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
           'secret_rotated_at', to_char(c.secret_rotated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))::text
FROM clients c;

DROP TABLE refresh_tokens;
DROP TABLE clients;

-- OpenIddict wants an encryption key even though nothing uses it here (access tokens are signed, not encrypted, and
-- refresh tokens are protected with Data Protection): one key, protected with Data Protection, the same for every
-- replica and every start (Keys/TokenEncryptionKey.cs).
CREATE TABLE token_encryption_key (
    id integer PRIMARY KEY CHECK (id = 1),
    protected_key text NOT NULL,
    created_at timestamptz NOT NULL);
