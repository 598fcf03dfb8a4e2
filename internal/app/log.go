package app

import (
	"fmt"
	"io"

	"github.com/sethvargo/go-githubactions"

	"github.com/cloudflare-purge/cloudflare-purge/internal/redact"
	"github.com/cloudflare-purge/cloudflare-purge/internal/report"
)

// logger is where a run's progress and diagnostics go: workflow commands
// in GitHub Actions, plain lines on standard error in the CLI. Every line
// is defused: no text of the API's or the user's forms a workflow command.
type logger interface {
	Debugf(format string, args ...any)
	Infof(format string, args ...any)
	Noticef(format string, args ...any)
	Warningf(format string, args ...any)
	Errorf(format string, args ...any)
	Group(title string)
	EndGroup()
}

// printLines prints what report rendered.
func printLines(log logger, lines []report.Line) {
	for _, l := range lines {
		switch l.Level {
		case report.Debug:
			log.Debugf("%s", l.Text)
		case report.Info:
			log.Infof("%s", l.Text)
		case report.Notice:
			log.Noticef("%s", l.Text)
		case report.Warning:
			log.Warningf("%s", l.Text)
		case report.Error:
			log.Errorf("%s", l.Text)
		case report.Group:
			log.Group(l.Text)
		case report.EndGroup:
			log.EndGroup()
		}
	}
}

// safeLine is what every logger prints of a line: its secrets hidden
// first, then defused. The order matters: Defuse changes the text (a
// secret holding "##[" gets a word joiner), after which the redactor
// would no longer know the secret.
func safeLine(red *redact.Redactor, s string) string { return report.Defuse(red.String(s)) }

// actionLog writes workflow commands. go-githubactions escapes the line
// breaks of every command's message, so it stays one line; Defuse breaks
// the legacy "##[" form the runner reads anywhere in a line, and keeps
// Infof's plain lines from starting a command.
type actionLog struct {
	a   *githubactions.Action
	red *redact.Redactor
}

func (l actionLog) Debugf(format string, args ...any) {
	l.a.Debugf("%s", safeLine(l.red, fmt.Sprintf(format, args...)))
}
func (l actionLog) Infof(format string, args ...any) {
	l.a.Infof("%s", safeLine(l.red, fmt.Sprintf(format, args...)))
}
func (l actionLog) Noticef(format string, args ...any) {
	l.a.Noticef("%s", report.Defuse(fmt.Sprintf(format, args...)))
}
func (l actionLog) Warningf(format string, args ...any) {
	l.a.Warningf("%s", safeLine(l.red, fmt.Sprintf(format, args...)))
}
func (l actionLog) Errorf(format string, args ...any) {
	l.a.Errorf("%s", safeLine(l.red, fmt.Sprintf(format, args...)))
}
func (l actionLog) Group(title string) { l.a.Group(safeLine(l.red, title)) }
func (l actionLog) EndGroup()          { l.a.EndGroup() }

// textLog writes the CLI's log lines to standard error. It defuses lines
// too: the CLI may run in a workflow's run: step, where its standard error
// is the job's log.
type textLog struct {
	w     io.Writer
	debug bool
	red   *redact.Redactor
}

func (l textLog) printf(prefix, format string, args ...any) {
	fmt.Fprint(l.w, safeLine(l.red, prefix+fmt.Sprintf(format, args...))+"\n")
}
func (l textLog) Debugf(format string, args ...any) {
	if l.debug {
		l.printf("debug: ", format, args...)
	}
}
func (l textLog) Infof(format string, args ...any)    { l.printf("", format, args...) }
func (l textLog) Noticef(format string, args ...any)  { l.printf("notice: ", format, args...) }
func (l textLog) Warningf(format string, args ...any) { l.printf("warning: ", format, args...) }
func (l textLog) Errorf(format string, args ...any)   { l.printf("error: ", format, args...) }
func (l textLog) Group(title string)                  { l.printf("", "== %s", title) }
func (l textLog) EndGroup()                           {}
