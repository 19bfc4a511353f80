// Package cli holds what the project's commands share: a main that cancels
// its context on SIGINT and SIGTERM and exits with the command's code, and
// GNU-style flag parsing with --help and usage errors that point to it.
package cli
