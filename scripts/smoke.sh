#!/usr/bin/env bash
# Smoke test of a running Attendance API: one request per route, one line per check ("ok   ..." or
# "FAIL ..."), exit 1 on the first failure. It creates one record with a unique id, and deletes it again at
# the end, so repeated runs against the same database never collide or leave anything behind.
#   scripts/smoke.sh [BASE_URL]        (default http://localhost:8080)
# When the service requires a write token, pass it as ATTENDANCE_WRITE_TOKEN. Needs only bash, curl and grep.
set -uo pipefail

BASE=${1:-http://localhost:8080}
BASE=${BASE%/}
API=$BASE/api/v1/attendance
ID="smoke-$(date +%s)-$$-$RANDOM"
HEALTHY='{"message":"Attendance API is running fine and ready to serve requests"'
AUTH=()
[ -n "${ATTENDANCE_WRITE_TOKEN:-}" ] && AUTH=(-H "Authorization: Bearer $ATTENDANCE_WRITE_TOKEN")

TMP=$(mktemp -d "${TMPDIR:-/tmp}/smoke.XXXXXX") || { echo "FAIL cannot create a temp directory"; exit 1; }
trap 'rm -rf "$TMP"' EXIT

STATUS=
# request METHOD URL [extra curl args...]: sets STATUS; the body is in $TMP/body, the headers in $TMP/headers.
# Checks grep the files, not a pipe: with pipefail, grep -q closing a pipe early would read as a failure.
request() {
  local method=$1 url=$2; shift 2
  : >"$TMP/body"; : >"$TMP/headers"
  STATUS=$(curl -sS -X "$method" --connect-timeout 5 --max-time 15 -o "$TMP/body" -D "$TMP/headers" \
    -w '%{http_code}' "$@" "$url" 2>"$TMP/err") || STATUS="000 ($(tr -d '\r\n' <"$TMP/err"))"
  tr -d '\r' <"$TMP/headers" >"$TMP/headers.lf"
}

ok() { echo "ok   $*"; }
fail() {
  echo "FAIL $1: got HTTP $STATUS $(head -c 300 "$TMP/body" | tr '\n' ' ')"
  exit 1
}

# check NAME EXPECTED_STATUS: the status, and every further argument as a fixed string in the body.
check() {
  local name=$1 want=$2; shift 2
  [ "$STATUS" = "$want" ] || fail "$name (expected HTTP $want)"
  local needle
  for needle in "$@"; do
    grep -qF -- "$needle" "$TMP/body" || fail "$name (body lacks $needle)"
  done
}

header_is() { # header_is NAME REGEX
  grep -qiE "^$1: $2\$" "$TMP/headers.lf"
}

request GET "$API/health"
check "GET /api/v1/attendance/health" 200 "$HEALTHY}"
header_is content-type 'application/json' || fail "GET /api/v1/attendance/health (Content-Type is not application/json)"
ok "GET /api/v1/attendance/health 200"

request GET "$API/health/detail"
check "GET /api/v1/attendance/health/detail" 200 "$HEALTHY" '"postgresql":"up"' '"status":"up"'
redis=$(grep -oE '"redis":"(up|down)"' "$TMP/body") || fail "GET /api/v1/attendance/health/detail (no redis state)"
# Redis down is not a failure: the service serves from PostgreSQL without it, by design.
ok "GET /api/v1/attendance/health/detail 200 (postgresql up, redis ${redis:9:-1})"

request POST "$API/create" "${AUTH[@]}" -H 'Content-Type: application/json' \
  --data "{\"id\":\"$ID\",\"name\":\"Smoke Test\",\"status\":\"Present\",\"date\":\"2023-01-01\"}"
check "POST /api/v1/attendance/create" 200 "{\"message\":\"Successfully created the record for the employee id: \$$ID\"}"
ok "POST /api/v1/attendance/create 200 (id $ID)"

request GET "$API/search?id=$ID"
check "GET /api/v1/attendance/search?id=$ID" 200 "{\"id\":\"$ID\",\"name\":\"Smoke Test\",\"status\":\"Present\",\"date\":\""
# Either date format the service can be configured for.
grep -qE '"date":"(Sun, 01 Jan 2023 00:00:00 GMT|2023-01-01)"\}' "$TMP/body" \
  || fail "GET /api/v1/attendance/search?id=$ID (wrong date)"
ok "GET /api/v1/attendance/search?id=$ID 200 (the record just created)"

request GET "$API/search/all"
check "GET /api/v1/attendance/search/all" 200 "{\"id\":\"$ID\",\"name\":\"Smoke Test\""
[ "$(head -c 1 "$TMP/body")" = "[" ] || fail "GET /api/v1/attendance/search/all (not a JSON array)"
ok "GET /api/v1/attendance/search/all 200 (lists $ID)"

request GET "$API/search?name=smoke+test&date=2023-01-01&limit=10000"
check "GET /api/v1/attendance/search?name=&date=&limit=" 200 "{\"id\":\"$ID\",\"name\":\"Smoke Test\""
ok "GET /api/v1/attendance/search?name=smoke+test&date=2023-01-01 200 (filtered search finds $ID)"

request GET "$API/summary?from=2023-01-01&to=2023-01-01"
check "GET /api/v1/attendance/summary" 200 '{"date":"2023-01-01","total":' '"Present":'
ok "GET /api/v1/attendance/summary 200 (2023-01-01 counted)"

request GET "$API/export.csv?date=2023-01-01&name=smoke+test"
check "GET /api/v1/attendance/export.csv" 200 "id,name,status,date" "$ID,Smoke Test,Present,2023-01-01"
ok "GET /api/v1/attendance/export.csv 200 (CSV lists $ID)"

request PUT "$API/$ID" "${AUTH[@]}" -H 'Content-Type: application/json' \
  --data '{"name":"Smoke Test","status":"Absent","date":"2023-01-01"}'
check "PUT /api/v1/attendance/$ID" 200 "{\"message\":\"Successfully updated the record for the employee id: $ID\"}"
request GET "$API/search?id=$ID"
check "GET /api/v1/attendance/search?id=$ID after PUT" 200 '"status":"Absent"'
ok "PUT /api/v1/attendance/$ID 200 (read back as Absent)"

request DELETE "$API/$ID" "${AUTH[@]}"
check "DELETE /api/v1/attendance/$ID" 200 "{\"message\":\"Successfully deleted the record for the employee id: $ID\"}"
request GET "$API/search?id=$ID"
check "GET /api/v1/attendance/search?id=$ID after DELETE" 404 '"error":"Not Found"'
ok "DELETE /api/v1/attendance/$ID 200 (then search answers 404)"

request GET "$BASE/metrics"
check "GET /metrics" 200 "flask_http_request_total"
ok "GET /metrics 200 (flask_http_request_total present)"

request GET "$BASE/apidocs"
check "GET /apidocs" 308
header_is location '(https?://[^/]+)?/apidocs/' || fail "GET /apidocs (Location is not /apidocs/)"
ok "GET /apidocs 308 -> /apidocs/"

request GET "$BASE/apidocs/"
check "GET /apidocs/" 200 "swagger-ui"
header_is content-type 'text/html.*' || fail "GET /apidocs/ (Content-Type is not text/html)"
ok "GET /apidocs/ 200 (Swagger UI)"

request GET "$BASE/apispec_1.json"
check "GET /apispec_1.json" 200 '"openapi"' '"/api/v1/attendance/create"' '"/api/v1/attendance/search"' \
  '"/api/v1/attendance/search/all"' '"/api/v1/attendance/health"' '"/api/v1/attendance/health/detail"' \
  '"/api/v1/attendance/{id}"' '"/api/v1/attendance/bulk"' '"/api/v1/attendance/export.csv"' '"/api/v1/attendance/summary"'
ok "GET /apispec_1.json 200 (documents every route)"

echo "smoke test passed against $BASE"
