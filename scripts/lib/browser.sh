# Shared by the project's scripts: the browser the console's tests drive.

# Debian's chromium, installed with apt when missing (playwright-core drives it; no browser is
# ever downloaded by npm). Needs root, as the sandbox does.
ensure_chromium() {
  [ -x /usr/bin/chromium ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "the console's browser tests need Debian's chromium: run as root, or apt-get install chromium" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1 ||
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium >/dev/null; }
}
