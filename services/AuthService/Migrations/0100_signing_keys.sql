-- Data Protection's key ring, shared by every replica (Keys/DatabaseXmlRepository.cs). One row per XML element that
-- Data Protection stores: a key, or a revocation. The XML is stored as handed over: unencrypted unless a certificate
-- is configured (DataProtection:CertificatePath), so read access to this table must be as restricted as the keys.
CREATE TABLE data_protection_keys (
    id bigserial PRIMARY KEY,
    friendly_name text UNIQUE,
    xml text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now());

-- The token service's signing keys (Keys/SigningKeyStore.cs). protected_key is the private key (PKCS#8) encrypted
-- with Data Protection (purpose MlOps.AuthService.SigningKeys), base64; public_jwk is the RFC 7517 public key as
-- published. A key signs from activates_at until the next key's activates_at; expires_at is when, rotated on schedule,
-- no token it signed can still be valid (end of its signing period + access-token lifetime + clock skew).
CREATE TABLE signing_keys (
    kid text PRIMARY KEY,
    algorithm text NOT NULL CHECK (algorithm IN ('ES256', 'RS256')),
    protected_key text NOT NULL,
    public_jwk text NOT NULL,
    created_at timestamptz NOT NULL,
    activates_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL);

-- Two keys never take over at the same instant: a second replica's insert for the same activation is a no-op.
CREATE UNIQUE INDEX signing_keys_activates_at ON signing_keys (activates_at);
