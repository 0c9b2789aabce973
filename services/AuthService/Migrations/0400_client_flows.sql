-- Clients made before the authorization-code, device, revocation and introspection endpoints existed get the
-- permissions a confidential client has now (Clients/ClientApplications.cs): revoke and introspect their tokens, and
-- the device flow. Redirect URIs (and so the authorization-code flow) are given only to clients created with them.
UPDATE openiddict_applications a
SET permissions = (SELECT json_agg(permission ORDER BY permission)
                   FROM (SELECT jsonb_array_elements_text(COALESCE(a.permissions, '[]')::jsonb) AS permission
                         UNION SELECT unnest(ARRAY['ept:revocation', 'ept:introspection', 'ept:device_authorization',
                                                   'gt:urn:ietf:params:oauth:grant-type:device_code'])) AS permissions)::text,
    concurrency_token = gen_random_uuid()::text
WHERE a.client_type = 'confidential';
