#!/bin/sh
# The session-status command (the package's bin): Node on cli.js, found beside this
# file's real path (npm links it from a bin folder), with two choices a #! line cannot
# make portably:
# - NODE_EXTRA_CA_CERTS is dropped. session-status opens no TLS connection, and Node 20
#   with OpenSSL 3 parses that file at every start, before any code runs
#   (nodejs/node#40524): 80 ms of every start where it is set.
# - --no-memory-reducer. V8's memory reducer runs full collections a few seconds after
#   work stops, again and again in a dashboard that wakes every second: most of the idle
#   dashboard's CPU. The heap is small (about 20 MB live); the collections that work
#   itself causes keep it so.
unset NODE_EXTRA_CA_CERTS
self=$(readlink -f -- "$0" 2>/dev/null) || self=$0
exec node --no-memory-reducer "${self%/*}/cli.js" "$@"
