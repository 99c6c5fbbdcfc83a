#!/bin/sh
# Echoes its input as the output "input" and prints the file $1 as its
# shared_state, with the state {"n": 1}.
input=$(cat)
printf '{"resource_outputs": {"input": %s}, "resource_state": {"n": 1}, "shared_state": %s}\n' "$input" "$(cat "$1")"
