-- People move to ASP.NET Core Identity's tables, keeping every account: the users table gains Identity's columns
-- (password hashes are PasswordHasher<T> hashes already, which Identity reads as they are), and the roles array becomes
-- Identity's roles and user_roles. Identity's lockout is not used: the token service's own throttle (login_throttle)
-- counts failures per name and per address and doubles each lock.
ALTER TABLE users
    ADD COLUMN email text NULL,
    ADD COLUMN normalized_email text NULL,
    ADD COLUMN email_confirmed boolean NOT NULL DEFAULT false,
    ADD COLUMN security_stamp text NULL,
    ADD COLUMN concurrency_stamp text NULL,
    ADD COLUMN phone_number text NULL,
    ADD COLUMN phone_number_confirmed boolean NOT NULL DEFAULT false,
    ADD COLUMN two_factor_enabled boolean NOT NULL DEFAULT false,
    ADD COLUMN lockout_end timestamptz NULL,
    ADD COLUMN lockout_enabled boolean NOT NULL DEFAULT false,
    ADD COLUMN access_failed_count integer NOT NULL DEFAULT 0;
UPDATE users SET security_stamp = upper(replace(gen_random_uuid()::text, '-', '')), concurrency_stamp = gen_random_uuid()::text;
CREATE INDEX users_normalized_email ON users (normalized_email);

CREATE TABLE roles (
    id uuid PRIMARY KEY,
    name text NULL,
    normalized_name text NULL UNIQUE,
    concurrency_stamp text NULL);

CREATE TABLE user_roles (
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role_id uuid NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, role_id));
CREATE INDEX user_roles_role ON user_roles (role_id);

CREATE TABLE user_claims (
    id serial PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    claim_type text NULL,
    claim_value text NULL);

CREATE TABLE user_logins (
    login_provider text NOT NULL,
    provider_key text NOT NULL,
    provider_display_name text NULL,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (login_provider, provider_key));

CREATE TABLE user_tokens (
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    login_provider text NOT NULL,
    name text NOT NULL,
    value text NULL,
    PRIMARY KEY (user_id, login_provider, name));

CREATE TABLE role_claims (
    id serial PRIMARY KEY,
    role_id uuid NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    claim_type text NULL,
    claim_value text NULL);

-- The platform's roles (Users/Roles.cs), and each user's.
INSERT INTO roles (id, name, normalized_name, concurrency_stamp)
SELECT gen_random_uuid(), role, upper(role), gen_random_uuid()::text
FROM unnest(ARRAY['admin', 'data-scientist', 'viewer']) AS role;
INSERT INTO user_roles (user_id, role_id)
SELECT DISTINCT u.id, r.id FROM users u CROSS JOIN LATERAL unnest(u.roles) AS held (role) JOIN roles r ON r.name = held.role;
ALTER TABLE users DROP COLUMN roles;
