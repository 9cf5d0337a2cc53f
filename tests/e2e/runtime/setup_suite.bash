# Suite-wide setup (bats runs it once per invocation).
#
# crun refuses a cgroup v1 "hybrid" host ("cgroups in hybrid mode not
# supported") unless hugetlb is mounted as v1 too. Only when the runtime under
# test is crun, mount it if it is missing, and undo that at the end.

setup_suite() {
  load helpers
  _HUGETLB_MOUNTED_BY_US=""
  if [[ "$RUNTIME_KIND" == crun && -d /sys/fs/cgroup/unified ]] &&
    ! mountpoint -q /sys/fs/cgroup/hugetlb; then
    mkdir -p /sys/fs/cgroup/hugetlb
    mount -t cgroup -o hugetlb cgroup /sys/fs/cgroup/hugetlb
    _HUGETLB_MOUNTED_BY_US=1
  fi
  export _HUGETLB_MOUNTED_BY_US
}

teardown_suite() {
  if [[ -n "${_HUGETLB_MOUNTED_BY_US:-}" ]]; then
    umount /sys/fs/cgroup/hugetlb || true
    rmdir /sys/fs/cgroup/hugetlb 2>/dev/null || true
  fi
}
