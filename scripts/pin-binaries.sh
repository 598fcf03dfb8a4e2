#!/usr/bin/env bash
# pin-binaries.sh: write a release's binaries into binary/action.yml, as the
# release workflow does on the release commit: the download URL, the tag
# and each binary's SHA-256 (in both install steps).
#
# Usage: scripts/pin-binaries.sh DOWNLOAD_URL TAG CHECKSUMS [ACTION_YML]
#   DOWNLOAD_URL  https://github.com/OWNER/REPO/releases/download
#   TAG           v1.2.3
#   CHECKSUMS     sha256sum's output for the release's binaries
#   ACTION_YML    default binary/action.yml
# It fails unless every binary that action.yml lists gets a checksum.
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: $0 DOWNLOAD_URL TAG CHECKSUMS [ACTION_YML]" >&2; exit 2; }
url=$1 tag=$2 sums=$3 action=${4:-binary/action.yml}

case "$tag" in v[0-9]*) ;; *) echo "$0: $tag is not a release tag (v1.2.3)" >&2; exit 2 ;; esac
case "$url" in https://* | http://*) ;; *) echo "$0: $url is not a URL" >&2; exit 2 ;; esac

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
awk -v url="$url" -v tag="$tag" -v sumsfile="$sums" '
	BEGIN {
		while ((getline line < sumsfile) > 0) {
			n = split(line, f, /[ \t*]+/)
			if (n >= 2 && f[1] ~ /^[0-9a-f]+$/ && length(f[1]) == 64) sum[f[2]] = f[1]
		}
	}
	/^ +CLOUDFLARE_PURGE_DOWNLOAD: / { sub(/: .*/, ": " url); print; next }
	/^ +CLOUDFLARE_PURGE_VERSION: / { sub(/: .*/, ": " tag); print; next }
	/^ +[^ ]+  cloudflare-purge-[a-z0-9]+-[a-z0-9]+(\.exe)?$/ {
		match($0, /^ +/); indent = substr($0, 1, RLENGTH)
		name = $2
		if (!(name in sum)) { print "no checksum for " name > "/dev/stderr"; bad = 1; print; next }
		print indent sum[name] "  " name; pinned++; next
	}
	{ print }
	END { if (bad || pinned == 0) exit 1 }
' "$action" >"$tmp"
cat "$tmp" >"$action"
