#!/bin/sh
# A provisioner that prints far too much on stdout.
cat >/dev/null
head -c 6000000 /dev/zero | tr '\0' a
