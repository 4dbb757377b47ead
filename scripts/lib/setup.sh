# Shared set-up for scripts/test, scripts/run and scripts/bench (sourced, not run).
# Installs the Debian packages uboost needs, only when one is missing, and finds Swift.

UBOOST_APT_PACKAGES=(libedit-dev libopenblas-dev dataset-fashion-mnist zlib1g-dev pkg-config)

uboost_ensure_packages() {
  local missing=()
  for p in "${UBOOST_APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "uboost: installing missing system packages: ${missing[*]}" >&2
    local sudo=""
    [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && sudo="sudo"
    $sudo apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}" >&2
  fi
}

uboost_find_swift() {
  if ! command -v swift >/dev/null 2>&1; then
    for d in /opt/swift/usr/bin /usr/share/swift/usr/bin; do
      [ -x "$d/swift" ] && export PATH="$d:$PATH" && break
    done
  fi
  command -v swift >/dev/null 2>&1 || { echo "uboost: swift not found (install Swift 6 and put it on PATH)" >&2; exit 1; }
}

uboost_setup() {
  uboost_ensure_packages
  uboost_find_swift
}
