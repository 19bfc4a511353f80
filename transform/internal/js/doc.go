// Package js reproduces the JavaScript and npm behaviours the Customer.io
// mapping depends on, exactly where the mapping's output depends on them.
// Each file holds one upstream behaviour:
//
//	btoa.go      the npm btoa package (latin1, then base64)
//	date.go      Date.parse, for the date formats the service accepts (deviation D7)
//	email.go     validator.js isEmail with its default options, and when it throws
//	getvalue.go  the npm get-value package
//	keyorder.go  the order of Object.keys
//	lower.go     String.prototype.toLowerCase
//	number.go    Number() of a string, as set-value reads a key path segment, and
//	             of a value an array's length is set to
//	replace.go   String.prototype.replace of a string, as an endpoint template is filled
//	spread.go    a string spread into an object, {...s}
//	truncate.go  the npm truncate-utf8-bytes package
//	uri.go       encodeURIComponent
//
// Strings are JavaScript strings as package jsvalue holds them: UTF-8 that
// may hold lone UTF-16 surrogates (see jsvalue.DecodeRune).
package js
