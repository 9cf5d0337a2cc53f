#!/usr/bin/env bats
# A slow volume prune (a large volume's content being deleted) does not hold
# up container creates: creates without volumes never take the volume lock,
# and the prune deletes content only after releasing it.

load helpers

setup_file() { ct_setup_file; }
teardown_file() { ct_teardown_file; }
teardown() { vol_teardown; }

# fill_volume NAME: 200k empty files in 400 directories (deleting them takes
# seconds; a create takes tens of milliseconds).
fill_volume() {
  /usr/bin/python3 - "$DATA/volumes/$1/_data" <<'EOF'
import os, sys
root = sys.argv[1]
for i in range(400):
    d = os.path.join(root, str(i))
    os.mkdir(d)
    for j in range(500):
        os.close(os.open(os.path.join(d, str(j)), os.O_CREAT | os.O_WRONLY, 0o644))
EOF
}

# trash_busy: the prune is still deleting (something is left in .trash).
trash_busy() { [[ -n "$(ls -A "$DATA/volumes/.trash" 2>/dev/null)" ]]; }

@test "create completes while a prune is still deleting a large volume" {
  b volume create big >/dev/null
  fill_volume big
  b volume prune -f >"$BATS_TEST_TMPDIR/prune.out" 2>&1 &
  local prune=$!
  # The prune is under way once the volume left its place (renamed into .trash).
  wait_for 60 test ! -e "$DATA/volumes/big"
  run_berth create --name nv busybox true
  assert_success
  trash_busy || fail "the create returned only after the prune had deleted the volume"
  wait "$prune" || fail "prune failed: $(cat "$BATS_TEST_TMPDIR/prune.out")"
  grep -qx big "$BATS_TEST_TMPDIR/prune.out" || fail "prune output: $(cat "$BATS_TEST_TMPDIR/prune.out")"
}
