package server

// CheckEncodeAnswers is checkEncodeAnswers, for the tests of package
// server_test, which may read the conformance corpus: package conformance
// imports server.
var CheckEncodeAnswers = checkEncodeAnswers

// Marshal is marshal, for the tests of package server_test.
var Marshal = marshal
