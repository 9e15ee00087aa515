#!/usr/bin/env bash
# The browser tests need Debian's Chromium (and CJK fonts for screenshots): install them with apt
# when missing (as root, or with sudo). SKIP_APT=1 skips this.
set -euo pipefail
[ "${SKIP_APT:-0}" = 1 ] && exit 0
[ -x /usr/bin/chromium ] && dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q 'install ok installed' && exit 0
SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
echo "installing chromium and fonts-noto-cjk with apt-get"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null
