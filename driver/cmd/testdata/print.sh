#!/bin/sh
# Prints the file $1 as its output, whatever it holds.
cat >/dev/null
cat "$1"
