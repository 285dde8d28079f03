#!/usr/bin/env bash
# Throwaway PostgreSQL 15 server for the "external PostgreSQL" test pass.
#
#   scripts/external-postgres.sh start <workdir>   # workdir must be absent or empty
#   scripts/external-postgres.sh stop  <workdir>   # stops the server, deletes workdir
#
# `start` prints PORT=... and PASSWORD=... and writes the same lines, plus the
# ARCHIVE_TEST_* variables the Java tests read, to <workdir>/env (KEY=VALUE,
# sourceable). The server listens on 127.0.0.1 only; role `archive` is a
# superuser with a random scram-sha-256 password; database `archive` belongs to
# `archive_owner`, and `archive_app` may connect to it (docs/security.md).
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
MARKER=.external-postgres   # stop only deletes directories that start created

die() { echo "external-postgres: $*" >&2; exit 1; }

# PostgreSQL refuses to run as root, so as root the server runs as `postgres`.
as_pg() {
  if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Random port below the Linux ephemeral range (32768+) that nothing listens on.
free_port() {
  local p
  for _ in $(seq 200); do
    p=$((20000 + RANDOM % 12000))
    [[ -z $(ss -Htln "sport = :$p") ]] && { echo "$p"; return 0; }
  done
  return 1
}

start() {
  local dir=$1 password port attempt
  [[ -x $PG_BIN/initdb ]] || die "no PostgreSQL 15 in $PG_BIN (apt-get install -y postgresql)"
  mkdir -p "$dir"
  [[ -z $(ls -A "$dir") ]] || die "$dir is not empty"
  # The socket path (<dir>/.s.PGSQL.<port>) must fit in sun_path (107 bytes).
  (( ${#dir} <= 80 )) || die "path too long for a unix socket: $dir"
  chmod 700 "$dir"   # env holds the password
  touch "$dir/$MARKER"
  if [[ $EUID -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || die "OS user postgres missing (it comes with the postgresql package)"
    chown postgres: "$dir"
    as_pg test -w "$dir" || die "user postgres cannot write to $dir (a parent directory is not traversable)"
  fi
  cd "$dir"   # tools run as postgres warn if they cannot access the cwd

  password=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
  (umask 077; echo "$password" > pwfile)
  [[ $EUID -eq 0 ]] && chown postgres: pwfile
  as_pg "$PG_BIN/initdb" -D "$dir/data" -U archive --pwfile="$dir/pwfile" \
    -A scram-sha-256 -E UTF8 --locale=C.UTF-8 --no-sync >initdb.log 2>&1 \
    || { cat initdb.log >&2; die "initdb failed"; }
  rm -f pwfile

  # Parallel runs can race for the same port between the check and the bind: retry.
  for attempt in 1 2 3 4 5; do
    port=$(free_port) || die "no free port found"
    # fsync & co. off: the data is thrown away, speed matters more.
    if as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -s \
         -o "-p $port -k '$dir' -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
         start; then
      break
    fi
    if grep -q 'Address already in use' postgres.log && (( attempt < 5 )); then
      echo "external-postgres: port $port was taken meanwhile, retrying" >&2; continue
    fi
    tail -n 20 postgres.log >&2; die "server did not start"
  done

  # The two roles docs/security.md tells an operator to create (ADR 0016): the schema's owner migrates, the
  # application role runs the tests. `archive` stays the superuser, for tests that tamper on purpose.
  local owner_password app_password
  owner_password=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
  app_password=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
  PGPASSWORD=$password "$PG_BIN/psql" -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U archive -d postgres <<SQL
create role archive_owner login password '$owner_password';
create role archive_app   login password '$app_password';
create database archive owner archive_owner encoding 'UTF8' template template0;
revoke all on database archive from public;
grant connect, temporary on database archive to archive_app;
SQL
  cat > env <<ENV
PORT=$port
PASSWORD=$password
ARCHIVE_TEST_JDBC_URL=jdbc:postgresql://127.0.0.1:$port/archive
ARCHIVE_TEST_DB_USER=archive
ARCHIVE_TEST_DB_PASSWORD=$password
ARCHIVE_TEST_DB_OWNER=archive_owner
ARCHIVE_TEST_DB_OWNER_PASSWORD=$owner_password
ARCHIVE_TEST_DB_APPLICATION=archive_app
ARCHIVE_TEST_DB_APPLICATION_PASSWORD=$app_password
ENV
  chmod 600 env
  echo "PORT=$port"
  echo "PASSWORD=$password"
}

stop() {
  local dir=$1
  [[ -d $dir ]] || return 0
  [[ -e $dir/$MARKER ]] || die "$dir was not created by '$0 start'; not touching it"
  cd "$dir"
  if [[ -f data/postmaster.pid ]]; then
    as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -w -s stop -m fast \
      || as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -w -s stop -m immediate || true
  fi
  cd /
  rm -rf "$dir"
}

[[ $# -eq 2 && ( $1 == start || $1 == stop ) ]] || die "usage: $0 start|stop <workdir>"
"$1" "$(realpath -m "$2")"
