// Package jsvalue is a JSON document model with JavaScript semantics.
//
// RudderStack events are JSON produced and consumed by JavaScript, and the
// Customer.io mapping reproduces JavaScript behaviour: truthiness, String()
// conversion, key order of objects, numbers printed the way Number#toString
// prints them. A Value holds any JSON value (plus JavaScript's undefined, the
// zero Value), keeps object members in insertion order, and shares nested
// objects and arrays by reference, as JavaScript does.
//
// Parse reads JSON text into a Value; Value.AppendJSON writes it back as
// JSON.stringify would (undefined members omitted, NaN and invalid numbers as
// null). The package never panics on input: malformed JSON is an error.
//
// The package knows the JSON grammar in one place, its tokenizer
// (token.go), which checks strings, numbers and literals. Parse runs it
// once over the document, building an index of every token and reporting
// the first error (index.go); objects and arrays are then read from the
// index, with no grammar of their own, when first used (document.go). A
// writer of text in AppendJSON's form can record the index as it writes
// instead (TextIndex), and the text is then not read again.
//
// A Value, and everything reached from it, is for one goroutine at a time.
package jsvalue
