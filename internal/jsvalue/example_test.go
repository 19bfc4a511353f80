package jsvalue_test

import (
	"fmt"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
)

func ExampleParse() {
	v, err := jsvalue.Parse([]byte(`{"id":1.50,"id":7,"tags":["a",null],"big":1e21}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(v.Get("id").JSString(), v.Get("tags").JSString(), v.Get("big").JSString())
	fmt.Println(string(v.AppendJSON(nil)))

	_, err = jsvalue.Parse([]byte(`{"id":}`))
	fmt.Println(err)
	// Output:
	// 7 a, 1e+21
	// {"id":7,"tags":["a",null],"big":1e+21}
	// jsvalue: invalid character looking for beginning of value at offset 6
}

func ExampleFormatNumber() {
	tenth := 0.1
	fmt.Println(jsvalue.FormatNumber(tenth * 3))
	fmt.Println(jsvalue.FormatNumber(1e21), jsvalue.FormatNumber(1e-7), jsvalue.FormatNumber(0.000001))
	// Output:
	// 0.30000000000000004
	// 1e+21 1e-7 0.000001
}
