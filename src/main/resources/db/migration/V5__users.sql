-- Portal and API users (D6). Passwords are bcrypt hashes in modular crypt format; roles: clinician, compliance, admin.
create table app_user (
    id              bigint      primary key,
    username        text        not null unique,
    password        text        not null,
    role            text        not null check (role in ('clinician', 'compliance', 'admin')),
    created_at      timestamptz not null
);
