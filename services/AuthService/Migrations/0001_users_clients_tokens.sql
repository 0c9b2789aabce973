-- People who sign in with the password grant. Roles map to scopes (Users/Roles.cs).
CREATE TABLE users (
    id uuid PRIMARY KEY,
    user_name text NOT NULL,
    normalized_user_name text NOT NULL UNIQUE,
    password_hash text NOT NULL,
    roles text[] NOT NULL,
    disabled boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

-- Applications and the platform's own services (client_credentials). Secrets are stored hashed only.
CREATE TABLE clients (
    client_id text PRIMARY KEY,
    display_name text NOT NULL,
    secret_hash text NOT NULL,
    scopes text[] NOT NULL,
    disabled boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL,
    secret_rotated_at timestamptz NOT NULL
);

-- Refresh tokens, stored as SHA-256 hashes. Each use consumes one and issues its successor in the same family;
-- presenting a consumed one revokes the whole family (RFC 6819 §5.2.2.3, OAuth 2.0 Security BCP §4.14).
CREATE TABLE refresh_tokens (
    id uuid PRIMARY KEY,
    token_hash text NOT NULL UNIQUE,
    family_id uuid NOT NULL,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id text NULL,
    scope text NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    consumed_at timestamptz NULL,
    revoked_at timestamptz NULL
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

-- Failed sign-ins counted per user name and per client address (keys 'user:…' and 'address:…').
CREATE TABLE login_throttle (
    key text PRIMARY KEY,
    failures integer NOT NULL,
    window_started_at timestamptz NOT NULL,
    locked_until timestamptz NULL,
    lockouts integer NOT NULL
);
