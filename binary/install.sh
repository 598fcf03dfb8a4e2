#!/usr/bin/env bash
# install.sh: the composite action's install step on Linux and macOS.
#
# Puts the release's cloudflare-purge binary for this runner in the tool
# cache, checked against the SHA-256 that action.yml pins, and writes its
# path as the step's output "path". Nothing runs unless the checksum
# matches: a mismatch, a platform the release has no binary for or a failed
# download fail the step first.
#
# Environment (action.yml sets the first three; the runner the others):
#   CLOUDFLARE_PURGE_DOWNLOAD  base URL of the release downloads
#                              (.../releases/download)
#   CLOUDFLARE_PURGE_VERSION   the release's tag (v1.2.3); "unreleased" on main
#   CLOUDFLARE_PURGE_SHA256    "<sha256>  <file>" lines, as sha256sum writes
#   RUNNER_OS, RUNNER_ARCH     Linux or macOS; X64 or ARM64
#   RUNNER_TOOL_CACHE          where tools are kept between jobs (else RUNNER_TEMP)
#   GITHUB_OUTPUT              the step's outputs file
set -euo pipefail

fail() {
	echo "::error title=cloudflare-purge install::$*"
	exit 1
}

version=${CLOUDFLARE_PURGE_VERSION:-}
base=${CLOUDFLARE_PURGE_DOWNLOAD:-}
sums=${CLOUDFLARE_PURGE_SHA256:-}

if [ -z "$version" ] || [ "$version" = unreleased ]; then
	fail "this action.yml is not a release's: it pins no binary. Use a release, such as cloudflare-purge/cloudflare-purge/binary@v1, or the container action (cloudflare-purge/cloudflare-purge@v1)."
fi
case "$version" in
v[0-9]*) ;;
*) fail "CLOUDFLARE_PURGE_VERSION ${version} is not a release tag (v1.2.3)." ;;
esac

case "${RUNNER_OS:-}" in
Linux) os=linux ;;
macOS) os=darwin ;;
*) fail "no cloudflare-purge binary for runner.os ${RUNNER_OS:-(unset)}: releases have Linux, macOS and Windows (on Windows the action installs with PowerShell)." ;;
esac
case "${RUNNER_ARCH:-}" in
X64) arch=amd64 ;;
ARM64) arch=arm64 ;;
*) fail "no cloudflare-purge binary for runner.arch ${RUNNER_ARCH:-(unset)} on ${RUNNER_OS}: releases have X64 and ARM64." ;;
esac
asset="cloudflare-purge-${os}-${arch}"

# The pinned checksum: the one line for this asset, 64 hexadecimal digits.
want=$(printf '%s\n' "$sums" | awk -v f="$asset" '$2 == f || $2 == "*" f { print $1; exit }')
case "$want" in
"") fail "release ${version} pins no binary for ${RUNNER_OS}/${RUNNER_ARCH} (${asset}): use the container action on this runner, or another release." ;;
esac
want=$(printf '%s' "$want" | tr 'A-F' 'a-f')
if ! printf '%s' "$want" | grep -Eq '^[0-9a-f]{64}$'; then
	fail "the pinned SHA-256 of ${asset} is not 64 hexadecimal digits: ${want}"
fi

sha256() {
	if command -v sha256sum >/dev/null 2>&1; then
		sha256sum "$1" | awk '{ print $1 }'
	elif command -v shasum >/dev/null 2>&1; then
		shasum -a 256 "$1" | awk '{ print $1 }'
	else
		fail "neither sha256sum nor shasum is installed: cannot check the binary."
	fi
}

# The tool cache's layout (as actions/tool-cache lays it out):
# <cache>/cloudflare-purge/<version>/<arch>/, and <arch>.complete beside it
# once the directory is whole. The checksum is checked on every run, cached
# or not: a self-hosted runner's cache outlives the job that filled it.
cache=${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:-}}
if [ -z "$cache" ]; then
	cache=$(mktemp -d)
fi
dir="${cache}/cloudflare-purge/${version#v}/${arch}"
bin="${dir}/cloudflare-purge"

if [ -f "${dir}.complete" ] && [ -x "$bin" ] && [ "$(sha256 "$bin")" = "$want" ]; then
	echo "cloudflare-purge ${version} (${os}/${arch}) from the tool cache: ${bin}"
else
	mkdir -p "$dir"
	rm -f "${dir}.complete"
	tmp=$(mktemp "${dir}/download.XXXXXX")
	trap 'rm -f "$tmp"' EXIT
	url="${base%/}/${version}/${asset}"
	echo "Downloading ${url}"
	if ! curl --fail --silent --show-error --location --retry 3 --connect-timeout 20 --max-time 300 \
		--proto '=https,http' --output "$tmp" "$url"; then
		fail "cannot download ${url}: the release may have no binary for ${RUNNER_OS}/${RUNNER_ARCH}, or the network is down."
	fi
	got=$(sha256 "$tmp")
	if [ "$got" != "$want" ]; then
		fail "checksum mismatch for ${asset} of ${version}: got ${got}, action.yml pins ${want}. Nothing was run; the download is deleted."
	fi
	chmod 0755 "$tmp"
	mv -f "$tmp" "$bin"
	trap - EXIT
	touch "${dir}.complete"
	echo "cloudflare-purge ${version} (${os}/${arch}) installed: ${bin} (sha256 ${got})"
fi

if [ -n "${GITHUB_OUTPUT:-}" ]; then
	echo "path=${bin}" >>"$GITHUB_OUTPUT"
else
	echo "path=${bin}"
fi
