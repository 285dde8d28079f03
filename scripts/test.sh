#!/usr/bin/env bash
# The project's test command (see README): bash scripts/test.sh [extra maven args]
#
# Phases:
#   1. ./mvnw -B verify: unit tests, @QuarkusTest on the embedded PostgreSQL,
#      failsafe *IT tests against the packaged jar.
#   2. @Tag("storage") tests again, against a throwaway PostgreSQL 15 server
#      started by scripts/external-postgres.sh. Skip with SKIP_EXTERNAL_PG=1.
# Extra arguments (e.g. -Dtest=Foo, -o) are passed to both maven calls.
set -euo pipefail

# ---- Debian packages the tests need (add e.g. tesseract-ocr, chromium here) ----
REQUIRED_PACKAGES=(
  postgresql   # server binaries for the external-PostgreSQL pass
  util-linux   # unshare
  chromium         # the portal's browser test (headless)
  chromium-driver  # WebDriver for it
)
# ---------------------------------------------------------------------------------

cd "$(dirname "$0")/.."
phase() { echo; echo "== phase: $* =="; }

phase "system packages"
missing=()
for pkg in "${REQUIRED_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if (( ${#missing[@]} )); then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y -o DPkg::Lock::Timeout=300 "${missing[@]}"
  # The package creates and starts the default cluster 15/main; we start our own.
  if [[ " ${missing[*]} " == *" postgresql "* ]]; then
    pg_ctlcluster 15 main stop 2>/dev/null || true
  fi
else
  echo "all present: ${REQUIRED_PACKAGES[*]}"
fi

if [[ -z ${JAVA_HOME:-} && -d /usr/lib/jvm/java-17-openjdk-amd64 ]]; then
  export JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64
fi
[[ -n ${JAVA_HOME:-} ]] && export PATH="$JAVA_HOME/bin:$PATH"
echo "JAVA_HOME=${JAVA_HOME:-<unset>}"

phase "unit + embedded PostgreSQL + packaged-jar ITs (mvnw verify)"
# Unset the external-server switch so this phase really uses the embedded server.
env -u ARCHIVE_TEST_JDBC_URL -u ARCHIVE_TEST_DB_USER -u ARCHIVE_TEST_DB_PASSWORD \
  ./mvnw -B verify "$@"

if [[ ${SKIP_EXTERNAL_PG:-0} == 1 ]]; then
  phase "external PostgreSQL: skipped (SKIP_EXTERNAL_PG=1)"
  exit 0
fi

phase "external PostgreSQL 15 (@Tag storage)"
pgdir=$(mktemp -d)
trap 'bash scripts/external-postgres.sh stop "$pgdir"' EXIT
trap 'exit 130' INT   # make Ctrl-C / kill go through the EXIT trap too
trap 'exit 143' TERM
bash scripts/external-postgres.sh start "$pgdir"
# shellcheck disable=SC1091
. "$pgdir/env"
# `test` rather than `surefire:test`: it also runs the lifecycle's Quarkus goals,
# and compilation is an up-to-date no-op after phase 1. A full run must execute
# at least one storage test; a narrowed one (extra args) may select none.
ARCHIVE_TEST_JDBC_URL=$ARCHIVE_TEST_JDBC_URL \
ARCHIVE_TEST_DB_USER=$ARCHIVE_TEST_DB_USER \
ARCHIVE_TEST_DB_PASSWORD=$ARCHIVE_TEST_DB_PASSWORD \
ARCHIVE_TEST_DB_OWNER=$ARCHIVE_TEST_DB_OWNER \
ARCHIVE_TEST_DB_OWNER_PASSWORD=$ARCHIVE_TEST_DB_OWNER_PASSWORD \
ARCHIVE_TEST_DB_APPLICATION=$ARCHIVE_TEST_DB_APPLICATION \
ARCHIVE_TEST_DB_APPLICATION_PASSWORD=$ARCHIVE_TEST_DB_APPLICATION_PASSWORD \
  ./mvnw -B test -Dgroups=storage -Dsurefire.failIfNoSpecifiedTests=false \
    -DfailIfNoTests=$( (( $# )) && echo false || echo true ) "$@"

phase "all phases passed"
