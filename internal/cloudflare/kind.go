package cloudflare

// The methods through which result classifies an *Error, so that result
// depends on no package of the project.

// ErrorKind is "api": Cloudflare or the network failed the call.
func (e *Error) ErrorKind() string { return "api" }

// ErrorStep names the call that failed: "zone lookup", "purge", ...
func (e *Error) ErrorStep() string { return string(e.Step) }

// HTTPStatus is the answer's HTTP status, 0 when none came.
func (e *Error) HTTPStatus() int { return e.Status }
