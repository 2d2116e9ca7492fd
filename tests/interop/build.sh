#!/bin/sh
# build.sh OUTPUT [tlogclient|mkfixture]  build an interop Go helper offline
# build.sh --test                         run tlogclient's Go unit tests
#
# Needs only golang-go and golang-golang-x-mod-dev (x/mod in /usr/share/gocode).
# GOPATH mode is tried first; if this Go has dropped it, a throwaway module
# with a replace directive pointing at the same x/mod sources is used. No
# network is ever touched (GOPROXY=off), and GOCACHE defaults to a directory
# beside OUTPUT (or a temporary one for --test) so this works as root in CI
# with HOME unset.
set -eu

usage() {
	echo "usage: $0 OUTPUT [tlogclient|mkfixture] | $0 --test" >&2
	exit 2
}

here=$(cd "$(dirname "$0")" && pwd)
gocode=${LEDGER_GOCODE:-/usr/share/gocode}
xmod=$gocode/src/golang.org/x/mod

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tlog-interop-build.XXXXXX")
# The module fallback may leave read-only files under $tmp.
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM

if [ $# -eq 1 ] && [ "$1" = "--test" ]; then
	prog=tlogclient
	out=
	GOCACHE=${GOCACHE:-$tmp/gocache}
elif [ $# -ge 1 ] && [ $# -le 2 ] && [ "${1#-}" = "$1" ]; then
	prog=${2:-tlogclient}
	case $prog in
	tlogclient|mkfixture) ;;
	*) usage ;;
	esac
	outdir=$(dirname "$1")
	mkdir -p "$outdir"
	outdir=$(cd "$outdir" && pwd)
	out=$outdir/$(basename "$1")
	GOCACHE=${GOCACHE:-$outdir/.gocache}
else
	usage
fi
src=$here/$prog

if ! command -v go >/dev/null 2>&1; then
	echo "$0: go not found (apt-get install golang-go)" >&2
	exit 1
fi
if [ ! -f "$xmod/sumdb/tlog/tlog.go" ]; then
	echo "$0: $xmod missing (apt-get install golang-golang-x-mod-dev)" >&2
	exit 1
fi

export GOCACHE
export GOPROXY=off GOSUMDB=off GOTOOLCHAIN=local CGO_ENABLED=0
unset GOFLAGS GOWORK 2>/dev/null || true

# gocmd DIR: the go build/test command to run inside DIR.
gocmd() {
	if [ -n "$out" ]; then
		(cd "$1" && go build -o "$out" .)
	else
		(cd "$1" && go test -count=1 .)
	fi
}

# GOPATH mode if this Go still has it and finds x/mod there; otherwise the
# same files inside a temporary module.
if GO111MODULE=off GOPATH=$gocode go list golang.org/x/mod/sumdb/tlog >/dev/null 2>&1; then
	export GO111MODULE=off GOPATH="$gocode"
	gocmd "$src"
	exit
fi
mkdir "$tmp/mod"
cp "$src"/*.go "$tmp/mod/"
cat >"$tmp/mod/go.mod" <<EOF
module ledgerd.invalid/interop/$prog

go 1.17

require golang.org/x/mod v0.7.0

replace golang.org/x/mod => $xmod
EOF
export GO111MODULE=on GOPATH="$tmp/gopath" GOFLAGS=-mod=mod GONOSUMDB='*'
gocmd "$tmp/mod"
