// Package docs holds no code, only tests: they keep action.yml, the README,
// the Dockerfile and the workflows true to the code. Each test reads the
// files from the repository root, two directories up.
package docs
