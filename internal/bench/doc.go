// Package bench holds the speed measurements, "purge as fast as the
// account's rate limit allows", as Go benchmarks against the emulator,
// and the test that every run sends only the calls it needs. It has no code
// of its own: see its _test.go files and docs/benchmarks.md.
//
//	go test -run '^$' -bench . -benchtime 1x ./internal/bench/
package bench
