#!/bin/sh
# Installs what the playground's browser test needs, each only when missing:
# Chromium (and Node.js with npm) from Debian, then the npm packages of
# package-lock.json (playwright-core, which downloads no browser, and the
# packages whose files stand in for the CDN). Idempotent and quiet: prints
# only what it installs. Run by .ci/run and by the test itself.
set -eu
cd "$(dirname "$0")"

apt_install() {
	echo "installing $* (apt-get)" >&2
	sudo=""
	if [ "$(id -u)" != 0 ]; then sudo="sudo -n"; fi
	log=$(mktemp)
	if ! DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 "$@" >"$log" 2>&1; then
		# A fresh machine may have no package lists yet.
		DEBIAN_FRONTEND=noninteractive $sudo apt-get update -q -o DPkg::Lock::Timeout=300 >>"$log" 2>&1 &&
			DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 "$@" >>"$log" 2>&1 ||
			{ cat "$log" >&2; rm -f "$log"; exit 1; }
	fi
	rm -f "$log"
}

[ -x /usr/bin/chromium ] || apt_install chromium
{ command -v node && command -v npm; } >/dev/null 2>&1 || apt_install nodejs npm

# node_modules/.lock-installed is a copy of the lock file it was installed from.
if ! cmp -s package-lock.json node_modules/.lock-installed 2>/dev/null; then
	echo "installing the npm packages of $(pwd)/package-lock.json (npm ci)" >&2
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >&2
	cp package-lock.json node_modules/.lock-installed
fi
