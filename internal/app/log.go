package app

import (
	"fmt"
	"io"
	"strings"

	"github.com/sethvargo/go-githubactions"
)

// logger is where a run's progress and diagnostics go: workflow commands
// in GitHub Actions, plain lines on standard error in the CLI.
type logger interface {
	Debugf(format string, args ...any)
	Infof(format string, args ...any)
	Warningf(format string, args ...any)
	Errorf(format string, args ...any)
	Group(title string)
	EndGroup()
}

// actionLog writes workflow commands. go-githubactions escapes the message
// of every command; Infof is plain text, so a line of user text that would
// start a workflow command is defused.
type actionLog struct{ *githubactions.Action }

func (l actionLog) Infof(format string, args ...any) {
	l.Action.Infof("%s", defuse(fmt.Sprintf(format, args...)))
}

// defuse keeps every line from starting with "::", which the runner would
// read as a workflow command.
func defuse(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimLeft(l, " \t"), "::") {
			lines[i] = "›" + l
		}
	}
	return strings.Join(lines, "\n")
}

// textLog writes the CLI's log lines to standard error.
type textLog struct {
	w     io.Writer
	debug bool
}

// printf defuses lines too: the CLI may run in a workflow's run: step,
// where its standard error is the job's log.
func (l textLog) printf(prefix, format string, args ...any) {
	fmt.Fprint(l.w, defuse(fmt.Sprintf(prefix+format, args...))+"\n")
}
func (l textLog) Debugf(format string, args ...any) {
	if l.debug {
		l.printf("debug: ", format, args...)
	}
}
func (l textLog) Infof(format string, args ...any)    { l.printf("", format, args...) }
func (l textLog) Warningf(format string, args ...any) { l.printf("warning: ", format, args...) }
func (l textLog) Errorf(format string, args ...any)   { l.printf("error: ", format, args...) }
func (l textLog) Group(title string)                  { l.printf("", "== %s", title) }
func (l textLog) EndGroup()                           {}
