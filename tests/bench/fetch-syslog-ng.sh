#!/usr/bin/env bash
# npm run bench:peers' syslog-ng: Debian's syslog-ng-core and syslog-ng-mod-http, extracted (dpkg -x) into
# SYSLOG_NG_HOME, not installed (syslog-ng-core conflicts with rsyslog: both provide system-log-daemon). The same folder
# as .ci/run's (tests/support/syslog-ng.ts); this adds the http() module the benchmark needs. Idempotent: it does
# nothing when both are there. Needs root (apt-get) for the libraries that are not installed yet.
set -euo pipefail

SYSLOG_NG_HOME="${SYSLOG_NG_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/fortiems/syslog-ng}"
have_core() { [ -x "$SYSLOG_NG_HOME/usr/sbin/syslog-ng" ]; }
have_http() { compgen -G "$SYSLOG_NG_HOME/usr/lib/syslog-ng/*/libhttp.so" >/dev/null; }
if have_core && have_http; then exit 0; fi

apt_updated=
# Their libraries that are not installed yet (these do not conflict with rsyslog): the core's, and libcurl4 for http().
libraries=(libivykis0 libnet1 libpcre3 libwrap0 libcurl4)
missing=()
for package in "${libraries[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  apt-get update -qq && apt_updated=1
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

download="$(mktemp -d)"
trap 'rm -rf "$download"' EXIT
chmod 777 "$download" # apt-get download runs as _apt where it can
packages=()
have_core || packages+=(syslog-ng-core)
have_http || packages+=(syslog-ng-mod-http)
echo "extracting ${packages[*]} into $SYSLOG_NG_HOME" >&2
if ! (cd "$download" && apt-get download -qq "${packages[@]}"); then
  [ -n "$apt_updated" ] || apt-get update -qq
  (cd "$download" && apt-get download -qq "${packages[@]}")
fi
mkdir -p "$SYSLOG_NG_HOME"
for deb in "$download"/*.deb; do dpkg -x "$deb" "$SYSLOG_NG_HOME"; done
have_http || { echo "syslog-ng-mod-http was extracted but libhttp.so is not in $SYSLOG_NG_HOME/usr/lib/syslog-ng/*/" >&2; exit 1; }
