#!/usr/bin/env bats
# Users, Basic auth and the Bearer token flow, namespaces, private
# repositories, repository settings and search, driven with curl.

load helpers

# users: alice and bob (plain users), root1 (admin).
make_users() {
  reg user add alice --password alice-pw >/dev/null || fail "user add alice"
  echo bob-pw | reg user add bob --password-stdin >/dev/null || fail "user add bob"
  reg user add root1 --password root-pw --admin >/dev/null || fail "user add root1"
}

ALICE=(-u alice:alice-pw)
BOB=(-u bob:bob-pw)
ROOT1=(-u root1:root-pw)

@test "user add/passwd/rm/list manage an htpasswd file that apache's htpasswd accepts" {
  make_users
  run reg user list
  assert_success
  assert_match "$output" "alice +no"
  assert_match "$output" "root1 +yes"
  require_tool htpasswd "apache2-utils"
  run htpasswd -vb "$ROOT/auth/htpasswd" alice alice-pw
  assert_success "htpasswd -v with the right password"
  run htpasswd -vb "$ROOT/auth/htpasswd" alice wrong
  assert_failure "htpasswd -v with a wrong password"
  reg user passwd alice --password new-pw
  run htpasswd -vb "$ROOT/auth/htpasswd" alice new-pw
  assert_success "new password"
  # a user added by htpasswd -B is accepted by the registry
  htpasswd -bB "$ROOT/auth/htpasswd" carol carol-pw 2>/dev/null
  reg user rm bob
  run reg user rm bob
  assert_failure
  assert_match "$output" "no such user: bob"
  run reg user add "Bad Name" --password x
  assert_failure
  run reg user add dave
  assert_failure
  assert_match "$output" "password"
  start_registry
  api GET /v2/ -u carol:carol-pw >/dev/null
  assert_eq "$CODE" 200 "htpasswd -B user logs in"
  api GET /v2/ -u alice:new-pw >/dev/null
  assert_eq "$CODE" 200
  api GET /v2/ -u bob:bob-pw >/dev/null
  assert_eq "$CODE" 401 "removed user"
}

@test "bad credentials and anonymous pings are UNAUTHORIZED with a Bearer challenge" {
  make_users
  start_registry
  api GET /v2/ >/dev/null
  assert_eq "$CODE" 401
  assert_eq "$(err_code)" UNAUTHORIZED
  assert_eq "$(hdr WWW-Authenticate)" "Bearer realm=\"http://$REG/token\",service=\"berth-registry\""
  api GET /v2/ -u alice:wrong >/dev/null
  assert_eq "$CODE" 401
  api GET /v2/ "${ALICE[@]}" >/dev/null
  assert_eq "$CODE" 200
  api GET "/token?service=berth-registry&scope=repository:alice/x:pull" -u alice:wrong >/dev/null
  assert_eq "$CODE" 401
  api GET /v2/ -H "Authorization: Bearer not.a.token" >/dev/null
  assert_eq "$CODE" 401
}

@test "namespaces: alice pushes only under alice/, an admin anywhere, anonymous nowhere" {
  make_users
  start_registry
  put_image alice/app v1 "${ALICE[@]}"
  api POST /v2/bob/app/blobs/uploads/ "${ALICE[@]}" >/dev/null
  assert_eq "$CODE" 403
  assert_eq "$(err_code)" DENIED
  api POST /v2/app/blobs/uploads/ "${ALICE[@]}" >/dev/null
  assert_eq "$CODE" 403 "top-level repository"
  api PUT /v2/bob/app/manifests/v1 "${ALICE[@]}" --data-binary @"$TESTDIR/m.json" >/dev/null
  assert_eq "$CODE" 403
  api POST /v2/alice/app/blobs/uploads/ >/dev/null
  assert_eq "$CODE" 401 "anonymous push"
  assert_eq "$(hdr WWW-Authenticate)" "Bearer realm=\"http://$REG/token\",service=\"berth-registry\",scope=\"repository:alice/app:pull,push\""
  put_image bob/app v1 "${ROOT1[@]}"
  put_image tools v1 "${ROOT1[@]}"
  api DELETE "/v2/alice/app/manifests/v1" "${BOB[@]}" >/dev/null
  assert_eq "$CODE" 403 "bob deletes alice's tag"
  api DELETE "/v2/alice/app/manifests/v1" "${ALICE[@]}" >/dev/null
  assert_eq "$CODE" 202
}

@test "the token flow: scopes are granted as the policy allows and enforced" {
  make_users
  start_registry
  put_image alice/app v1 "${ALICE[@]}"
  local tok
  api GET "/token?service=berth-registry&scope=repository:alice/app:pull,push&scope=repository:bob/app:pull,push" "${ALICE[@]}" >"$TESTDIR/tok.json"
  assert_eq "$CODE" 200
  tok="$(jq -r .token <"$TESTDIR/tok.json")"
  # the payload lists what was granted: push only in alice's namespace
  local claims
  claims="$(cut -d. -f2 <<<"$tok" | tr '_-' '/+')"
  while (( ${#claims} % 4 )); do claims+="="; done
  claims="$(base64 -d <<<"$claims")"
  assert_eq "$(jq -c '[.access[] | {name, actions}]' <<<"$claims")" \
    '[{"name":"alice/app","actions":["pull","push"]},{"name":"bob/app","actions":["pull"]}]'
  assert_eq "$(jq -r .sub <<<"$claims")" alice
  api POST /v2/alice/app/blobs/uploads/ -H "Authorization: Bearer $tok" >/dev/null
  assert_eq "$CODE" 202 "push with the token"
  api POST /v2/bob/app/blobs/uploads/ -H "Authorization: Bearer $tok" >/dev/null
  assert_eq "$CODE" 401 "the token does not grant push on bob/app"
  assert_match "$(hdr WWW-Authenticate)" 'error="insufficient_scope"'
  # anonymous tokens pull public repositories only
  tok="$(api GET "/token?service=berth-registry&scope=repository:alice/app:pull,push" | jq -r .token)"
  api GET /v2/alice/app/manifests/v1 -H "Authorization: Bearer $tok" >/dev/null
  assert_eq "$CODE" 200
  api POST /v2/alice/app/blobs/uploads/ -H "Authorization: Bearer $tok" >/dev/null
  assert_eq "$CODE" 401
  # a token from another registry's key is refused
  local forged="${tok%.*}.AAAA"
  api GET /v2/alice/app/manifests/v1 -H "Authorization: Bearer $forged" >/dev/null
  assert_eq "$CODE" 401
}

@test "private repositories: hidden from other users and anonymous, visible to owner and admins" {
  make_users
  start_registry
  put_image alice/secret v1 "${ALICE[@]}"
  put_image alice/open v1 "${ALICE[@]}"
  local body
  api PUT /berth/v1/repositories/alice/secret "${ALICE[@]}" -d '{"private":true,"description":"top secret"}' >"$TESTDIR/set.json"
  body="$(cat "$TESTDIR/set.json")"
  assert_eq "$CODE" 200 "settings: $body"
  assert_eq "$(jq -c '{private,owner}' <<<"$body")" '{"private":true,"owner":"alice"}'
  api PUT /berth/v1/repositories/alice/secret "${BOB[@]}" -d '{"private":false}' >/dev/null
  assert_eq "$CODE" 403 "bob changes alice's settings"
  api PUT /berth/v1/repositories/alice/secret "${ALICE[@]}" -d '{"private":"yes"}' >/dev/null
  assert_eq "$CODE" 400 "mistyped field"
  api GET /v2/alice/secret/manifests/v1 >/dev/null
  assert_eq "$CODE" 401 "anonymous"
  api GET /v2/alice/secret/manifests/v1 "${BOB[@]}" >/dev/null
  assert_eq "$CODE" 403 "bob"
  assert_eq "$(err_code)" DENIED
  api GET "/v2/alice/secret/blobs/$(sha "$LAYER")" "${BOB[@]}" >/dev/null
  assert_eq "$CODE" 403 "bob, blob"
  api GET /v2/alice/secret/manifests/v1 "${ALICE[@]}" >/dev/null
  assert_eq "$CODE" 200 "alice"
  api GET /v2/alice/secret/manifests/v1 "${ROOT1[@]}" >/dev/null
  assert_eq "$CODE" 200 "admin"
  # bob cannot mount alice's private blob into his repository
  api POST "/v2/bob/copy/blobs/uploads/?mount=$(sha "$LAYER")&from=alice/secret" "${BOB[@]}" >/dev/null
  assert_eq "$CODE" 202 "mount refused, plain upload offered"
  # catalog and search hide it
  assert_eq "$(api GET /v2/_catalog | jq -c .repositories)" '["alice/open"]'
  assert_eq "$(api GET /v2/_catalog "${BOB[@]}" | jq -c .repositories)" '["alice/open"]'
  assert_eq "$(api GET /v2/_catalog "${ALICE[@]}" | jq -c .repositories)" '["alice/open","alice/secret"]'
  assert_eq "$(api GET '/v1/search?q=secret' | jq .num_results)" 0
  assert_eq "$(api GET '/v1/search?q=secret' "${ALICE[@]}" | jq -r '.results[0].description')" "top secret"
  # made public again, everyone pulls
  reg repo set alice/secret --public >/dev/null
  api GET /v2/alice/secret/manifests/v1 >/dev/null
  assert_eq "$CODE" 200 "public again"
}

@test "search: name and description match, n and page, docker's fields; settings through the CLI" {
  make_users
  start_registry
  for r in alice/web alice/db bob/webapp; do
    put_image "$r" v1 "${ROOT1[@]}"
  done
  run "$BERTH_REGISTRY" repo set alice/db --registry "http://$REG" --username alice --password alice-pw \
    --description "A web-scale database"
  assert_success
  run "$BERTH_REGISTRY" repo set alice/db --registry "http://$REG" --username bob --password bob-pw \
    --description "mine now"
  assert_failure
  assert_match "$output" "403"
  local out
  out="$(api GET '/v1/search?q=web')"
  assert_eq "$(jq -c '[.results[].name]' <<<"$out")" '["alice/db","alice/web","bob/webapp"]'
  assert_eq "$(jq -c '.results[0] | keys' <<<"$out")" '["description","is_automated","is_official","is_trusted","name","star_count"]'
  assert_eq "$(jq -r .results[0].description <<<"$out")" "A web-scale database"
  out="$(api GET '/v1/search?q=web&n=2&page=2')"
  assert_eq "$(jq -c '[.results[].name]' <<<"$out")" '["bob/webapp"]'
  assert_eq "$(jq -c '[.num_results, .num_pages, .page, .page_size]' <<<"$out")" '[3,2,2,2]'
  api GET '/v1/search?q=web&n=x' >/dev/null
  assert_eq "$CODE" 400
  run reg repo show alice/db
  assert_success
  assert_eq "$(jq -r .description <<<"$output")" "A web-scale database"
}
