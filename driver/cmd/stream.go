package cmd

import (
	"bytes"
	"strings"
)

// Bounds on what is read from a program.
const (
	maxStdout    = 4 << 20 // bytes
	maxLogLines  = 1000    // stderr lines passed to the request's log
	maxLineBytes = 1024    // longer stderr lines are cut
	tailLines    = 20      // stderr lines quoted in an error
)

// cappedBuffer keeps the first max bytes written and drops the rest, so that
// a program printing too much is neither blocked nor held in memory. (It
// does not embed bytes.Buffer, whose ReadFrom io.Copy would use instead of
// Write.)
type cappedBuffer struct {
	buf      bytes.Buffer
	max      int
	overflow bool
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.buf.Len(); len(p) > room {
		b.overflow = true
		b.buf.Write(p[:max(room, 0)])
		return len(p), nil
	}
	return b.buf.Write(p)
}

func (b *cappedBuffer) Bytes() []byte { return b.buf.Bytes() }

// lineWriter passes a program's stderr line by line to a log, up to
// maxLogLines, and keeps the last tailLines lines for errors.
type lineWriter struct {
	log     func(string)
	prefix  string
	partial []byte
	logged  int
	tail    []string
}

func (w *lineWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			if room := maxLineBytes - len(w.partial); room > 0 {
				w.partial = append(w.partial, p[:min(room, len(p))]...)
			}
			break
		}
		if room := maxLineBytes - len(w.partial); room > 0 {
			w.partial = append(w.partial, p[:min(room, i)]...)
		}
		w.line()
		p = p[i+1:]
	}
	return n, nil
}

func (w *lineWriter) flush() {
	if len(w.partial) > 0 {
		w.line()
	}
}

func (w *lineWriter) line() {
	s := strings.TrimRight(string(w.partial), "\r")
	w.partial = w.partial[:0]
	w.tail = append(w.tail, s)
	if len(w.tail) > tailLines {
		w.tail = w.tail[1:]
	}
	if w.log == nil {
		return
	}
	switch {
	case w.logged < maxLogLines:
		w.log(w.prefix + s)
	case w.logged == maxLogLines:
		w.log(w.prefix + "(further stderr lines are not logged)")
	}
	w.logged++
}

// tailText is the end of stderr to append to an error message.
func (w *lineWriter) tailText() string {
	if len(w.tail) == 0 {
		return " (stderr was empty)"
	}
	return "; stderr ends with:\n" + strings.Join(w.tail, "\n")
}
