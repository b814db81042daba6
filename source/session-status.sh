#!/bin/sh
# The session-status command (the package's bin): Node on cli.js, found beside this
# file's real path (npm links it from a bin folder), with choices a #! line cannot
# make portably (the figures behind them: docs/benchmark.md):
# - NODE_EXTRA_CA_CERTS is dropped. session-status opens no TLS connection, and Node 20
#   with OpenSSL 3 parses that file at every start, before any code runs
#   (nodejs/node#40524).
# - --no-memory-reducer. V8's memory reducer runs full collections a few seconds after
#   work stops, again and again in a dashboard that wakes every second. The heap is
#   small; the collections that work itself causes keep it so.
# - --max-semi-space-size=4 --heap-growing-percent=30 --single-threaded-gc, for the live
#   dashboard only: a small young generation and an old one that grows by 30% of its live
#   size between full collections, which keep the heap near its live size under heavy
#   writes, collected on the main thread: V8's helper threads spent as much CPU again on
#   a heap this small. They make Node start slower, so a one-shot run (a flag below, or no
#   terminal to draw on) goes without them; `serve` keeps them.
unset NODE_EXTRA_CA_CERTS
# This file's real path, link by link (readlink -f is not on every macOS).
self=$0
case $self in */*) ;; *) self=./$self ;; esac
while [ -L "$self" ]; do
	link=$(readlink -- "$self")
	case $link in /*) self=$link ;; *) self=${self%/*}/$link ;; esac
done
heap=
# serve (a remote's reader, for hours) draws nothing but keeps the dashboard's heap.
for arg; do
	case $arg in serve) heap='--max-semi-space-size=4 --heap-growing-percent=30 --single-threaded-gc' ;; esac
done
if [ -t 0 ] && [ -t 1 ]; then
	heap='--max-semi-space-size=4 --heap-growing-percent=30 --single-threaded-gc'
	for arg; do
		case $arg in --status-line | --once | --json | --help | --version) heap= ;; esac
	done
fi
# $heap unquoted on purpose: it is empty or two words.
exec node --no-memory-reducer $heap "${self%/*}/cli.js" "$@"
