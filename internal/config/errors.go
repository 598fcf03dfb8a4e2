package config

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalidInput marks every configuration error: the run is refused with
// exit code 2 before any request is sent.
var ErrInvalidInput = errors.New("invalid input")

// InputError is a problem with one input's value. Value is empty for secrets.
type InputError struct {
	Input   string
	Value   string
	Problem string
	// CLI: the input was given as a flag; the message names --Input.
	CLI bool
}

func (e *InputError) Error() string {
	label := naming{cli: e.CLI}.label(e.Input)
	if e.Value == "" {
		return fmt.Sprintf("%s: %s", label, e.Problem)
	}
	return fmt.Sprintf("%s: %s: %s", label, quote(e.Value), e.Problem)
}

func (e *InputError) Is(target error) bool { return target == ErrInvalidInput }

// quote shows user text safely in one line, shortened when long.
func quote(s string) string {
	const max = 120
	if len(s) > max {
		s = s[:max] + "..."
	}
	return fmt.Sprintf("%q", s)
}

func inputErr(input, value, format string, args ...any) error {
	return &InputError{Input: input, Value: value, Problem: fmt.Sprintf(format, args...)}
}

// Problems lists the errors that a Load error joins, one per problem.
func Problems(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, Problems(e)...)
		}
		return out
	}
	return []error{err}
}

// naming names inputs as the user gave them: action inputs (files,
// purge-everything: true) or CLI flags (--files, --purge-everything).
// Every message that names an input goes through it. It also carries,
// to every parser of URLs, where the URLs changed into cache keys are
// noted (rw; nil: nowhere).
type naming struct {
	cli bool
	rw  *Rewrites
}

// name is how a message refers to an input.
func (n naming) name(input string) string {
	if n.cli {
		return "--" + input
	}
	return input
}

// label starts a message about an input.
func (n naming) label(input string) string {
	if n.cli {
		return n.name(input)
	}
	return "input " + input
}

// on is how a user turns a boolean input on.
func (n naming) on(input string) string {
	if n.cli {
		return n.name(input)
	}
	return input + ": true"
}

// list names inputs as "a, b or c".
func (n naming) list(inputs ...string) string {
	names := make([]string, len(inputs))
	for i, in := range inputs {
		names[i] = n.name(in)
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}
