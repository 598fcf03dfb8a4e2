package config

// ErrorKind classifies the error for the result: the input must change
// (exit code 2).
func (e *InputError) ErrorKind() string { return "input" }
