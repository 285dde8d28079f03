#!/usr/bin/env bash
# What an API caller pays to sign in, per request (docs/benchmarks.md, "API sign-in"): N identifier look-ups with
# HTTP Basic against N with an API token, against a running server, A/B in turn with farm-bench when it is there.
#
#   scripts/bench-api-auth.sh USER PASSWORD TOKEN [BASE_URL] [N]
#
# Start the server with ARCHIVE_SECURITY_BASIC_CREDENTIAL_CACHE=PT0S to measure Basic as it was before the cache
# (a bcrypt on every request); with the default (PT5M) only the first call of a credential pays it.
set -euo pipefail
user=${1:?user}; password=${2:?password}; token=${3:?token}; base=${4:-http://127.0.0.1:8080}; n=${5:-50}
calls=$(mktemp)
trap 'rm -f "$calls"' EXIT
cat > "$calls" <<SCRIPT
#!/bin/sh
for i in \$(seq $n); do curl -s -o /dev/null "\$@" "$base/api/patients?identifier=MRN-4711"; done
SCRIPT
chmod +x "$calls"
"$calls" -u "$user:$password"   # warm up both paths once
"$calls" -H "Authorization: Bearer $token"
echo "one Basic call:  $(curl -s -o /dev/null -w '%{time_total}' -u "$user:$password" "$base/api/patients?identifier=MRN-4711") s"
echo "one token call:  $(curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $token" "$base/api/patients?identifier=MRN-4711") s"
if command -v farm-bench >/dev/null; then
  farm-bench -n 5 --vs "$calls -H 'Authorization: Bearer $token'" -- "$calls" -u "$user:$password"
else
  time "$calls" -u "$user:$password"
  time "$calls" -H "Authorization: Bearer $token"
fi
