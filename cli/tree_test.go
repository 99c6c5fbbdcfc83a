package cli

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// leaves lists every runnable command that is not a group, hidden or
// cobra's own (help, completion).
func leaves(c *cobra.Command) []*cobra.Command {
	var out []*cobra.Command
	for _, sub := range c.Commands() {
		if sub.Hidden || sub.Name() == "help" || sub.Name() == "completion" {
			continue
		}
		if sub.HasAvailableSubCommands() {
			out = append(out, leaves(sub)...)
		}
		if sub.Runnable() && !sub.HasAvailableSubCommands() || sub.Runnable() && sub.Example != "" {
			out = append(out, sub)
		}
	}
	return out
}

// exampleCommands reads the paved command lines of an Examples section:
// lines joined at a trailing backslash, comments dropped, and each line cut
// at a pipe or a semicolon; a line that only sets a variable from paved's
// output (X=$(paved ...)) yields the paved command inside.
func exampleCommands(example string) []string {
	var out []string
	joined := strings.ReplaceAll(example, "\\\n", " ")
	for _, line := range strings.Split(joined, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if i := strings.Index(line, "$(paved "); i >= 0 {
			line = line[i+2:]
			line = line[:strings.LastIndex(line, ")")]
		}
		for _, sep := range []string{" | ", "; ", " && ", " # "} {
			if i := strings.Index(line, sep); i >= 0 {
				line = line[:i]
			}
		}
		if strings.HasPrefix(line, "until ") || strings.HasPrefix(line, "while ") {
			line = strings.TrimPrefix(strings.TrimPrefix(line, "until "), "while ")
		}
		if strings.HasPrefix(line, "paved ") {
			out = append(out, line)
		}
	}
	return out
}

// words splits a command line as a shell would for these examples: single
// and double quotes group, a $VAR or $(...) is one word.
func words(line string) []string {
	var out []string
	var cur strings.Builder
	in := false
	var quote rune
	depth := 0
	for _, r := range line {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, in = r, true
		case r == '(' && strings.HasSuffix(cur.String(), "$"):
			depth++
			cur.WriteRune(r)
		case r == ')' && depth > 0:
			depth--
			cur.WriteRune(r)
		case r == ' ' && depth == 0:
			if in {
				out = append(out, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if in {
		out = append(out, cur.String())
	}
	return out
}

// TestEveryLeafHasExamplesThatParse walks the command tree: every leaf
// command has an Examples section, and every paved command line in it
// names a command that exists, with flags it has, the arguments it takes
// and its required flags, so that it runs as written.
func TestEveryLeafHasExamplesThatParse(t *testing.T) {
	root := NewRoot(strings.NewReader(""), io.Discard, io.Discard)
	ls := leaves(root)
	if len(ls) < 40 {
		t.Fatalf("only %d leaf commands found; the walk is broken", len(ls))
	}
	for _, leaf := range ls {
		cmds := exampleCommands(leaf.Example)
		if len(cmds) == 0 {
			t.Errorf("%s has no Examples section with a paved command", leaf.CommandPath())
			continue
		}
		mentions := false
		for _, line := range cmds {
			args := words(line)[1:]
			fresh := NewRoot(strings.NewReader(""), io.Discard, io.Discard)
			c, rest, err := fresh.Find(args)
			if err != nil || c == fresh {
				t.Errorf("%s example %q: no such command (%v)", leaf.CommandPath(), line, err)
				continue
			}
			if c.CommandPath() == leaf.CommandPath() {
				mentions = true
			}
			if err := c.ParseFlags(rest); err != nil {
				t.Errorf("%s example %q: %v", leaf.CommandPath(), line, err)
				continue
			}
			if err := c.ValidateArgs(c.Flags().Args()); err != nil {
				t.Errorf("%s example %q: %v", leaf.CommandPath(), line, err)
			}
			if err := c.ValidateRequiredFlags(); err != nil {
				t.Errorf("%s example %q: %v", leaf.CommandPath(), line, err)
			}
			if err := c.ValidateFlagGroups(); err != nil {
				t.Errorf("%s example %q: %v", leaf.CommandPath(), line, err)
			}
		}
		if !mentions {
			t.Errorf("%s: its examples never run it (%q)", leaf.CommandPath(), cmds)
		}
	}
}

func TestWords(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`paved a 'x#y' --b "c d"`, "paved|a|x#y|--b|c d"},
		{`paved deploy --image web=ghcr.io/acme/web:$GIT_SHA`, "paved|deploy|--image|web=ghcr.io/acme/web:$GIT_SHA"},
		{`paved login --token $(cat t) --server x`, "paved|login|--token|$(cat t)|--server|x"},
	} {
		if got := strings.Join(words(tc.in), "|"); got != tc.want {
			t.Errorf("words(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestDocsNameEveryCommand: docs/cli.md lists every leaf command.
func TestDocsNameEveryCommand(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "cli.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, leaf := range leaves(NewRoot(strings.NewReader(""), io.Discard, io.Discard)) {
		if !strings.Contains(string(doc), "`"+leaf.CommandPath()) {
			t.Errorf("docs/cli.md does not list %s", leaf.CommandPath())
		}
	}
}
