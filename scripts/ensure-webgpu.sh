#!/usr/bin/env bash
# The WebGPU tests need a WebGPU adapter. On a machine without a GPU, Mesa's lavapipe (a Vulkan
# driver that runs on the CPU) gives ONNX Runtime's bundled WebGPU provider a real adapter; Dawn
# needs Mesa >= 24 (Debian 12's 22.3 lacks a required feature), which Debian 12 has in
# bookworm-backports. Installs it with apt when missing (as root, or with sudo); never fails: the
# WebGPU tests skip, saying why, when no adapter can be had. SKIP_APT=1 skips this.
set -uo pipefail
[ "${SKIP_APT:-0}" = 1 ] && exit 0
command -v apt-get >/dev/null || exit 0
have() { dpkg-query -W -f='${Status} ${Version}\n' "$1" 2>/dev/null | grep 'install ok installed'; }
if have libvulkan1 >/dev/null && have mesa-vulkan-drivers | awk '{print $4}' | grep -qE '^(2[4-9]|[3-9][0-9])\.'; then exit 0; fi
SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
echo "installing a Vulkan driver (Mesa lavapipe) for the WebGPU tests with apt-get"
. /etc/os-release 2>/dev/null || true
TARGET=()
if [ "${VERSION_CODENAME:-}" = bookworm ]; then
  echo "deb http://deb.debian.org/debian bookworm-backports main" | $SUDO tee /etc/apt/sources.list.d/finetune-bookworm-backports.list >/dev/null
  TARGET=(-t bookworm-backports)
fi
{ $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${TARGET[@]}" libvulkan1 mesa-vulkan-drivers >/dev/null; } ||
  echo "could not install mesa-vulkan-drivers; the WebGPU tests will be skipped"
exit 0
