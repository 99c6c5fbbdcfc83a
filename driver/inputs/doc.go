// Package inputs provides the reader that drivers use to read and check a
// resource definition's driver_inputs, a map decoded from YAML or JSON: host
// names and other strings, secrets such as passwords, TCP ports, durations and
// lists of strings. A Reader collects every problem it finds, and any input
// that no reader asked for, into one paved.EINVALID error that names the
// driver and each input, so that one error tells all there is to fix.
package inputs
