-- Sign-in security (docs/security.md, ADR 0011): sessions the server can end, API tokens stored hashed, and users
-- that can be disabled or get a new password, either of which ends what they had signed in with.
-- A user signs in either with a local password or by single sign-on (OIDC): an OIDC user is created at its first
-- sign-in, has no usable password, and takes its role from the identity provider at every sign-in.
alter table app_user
    add column disabled_at         timestamptz,
    add column password_changed_at timestamptz,
    add column source              text not null default 'local' check (source in ('local', 'oidc'));

-- A portal session: only the SHA-256 of the random token in the browser's cookie is kept, so a copy of this table
-- opens no session. A session ends by sign-out, a new password, a disabled user, or a timeout (idle, absolute).
create table user_session (
    token_hash      char(64)    primary key,
    username        text        not null references app_user (username),
    created_at      timestamptz not null,
    last_seen_at    timestamptz not null,
    ended_at        timestamptz,
    end_reason      text
);
create index user_session_open on user_session (username) where ended_at is null;

-- A personal access token for API clients (Authorization: Bearer): checked by a hash lookup, not a bcrypt per
-- request. Created and revoked by an admin with `token create` / `token revoke`; the token itself is shown once.
create table api_token (
    id              bigint      primary key,
    username        text        not null references app_user (username),
    name            text        not null,
    token_hash      char(64)    not null unique,
    created_at      timestamptz not null,
    expires_at      timestamptz not null,
    revoked_at      timestamptz,
    last_used_at    timestamptz
);
