package server

import (
	"sync"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// wireType is what the walk of wire bytes (wireWalk) needs of a message
// type, looked up once per type rather than once per field: which of the
// free-form messages it is, if one, and its fields by number.
type wireType struct {
	md   protoreflect.MessageDescriptor
	form wireForm
	// batch is set for TransformBatchRequest, whose jobs the walk counts.
	batch bool
	// fields holds the fields numbered below len(fields), the zero
	// wireField where the type has none; fields numbered above are
	// looked up in md.
	fields []wireField
}

// wireForm tells the free-form messages, which the walk reads by hand,
// from the others.
type wireForm uint8

const (
	formMessage wireForm = iota
	formStruct
	formValue
	formList
)

// wireField is what the walk reads of a field.
type wireField struct {
	// kind is the field's kind, 0 where the type has no such field.
	kind protoreflect.Kind
	// requestID is set for a stream request message's request_id.
	requestID bool
	// msg is the type of a message field.
	msg *wireType
}

// maxTableField is the highest field number a wireType holds in its
// table: the contract's messages number theirs below it.
const maxTableField = 64

// wireTypes holds the wireType of each message type walked so far, by
// descriptor.
var wireTypes sync.Map

// wireTypeOf returns the wireType of md, making it, and those of the
// message types its fields reach, on first use.
func wireTypeOf(md protoreflect.MessageDescriptor) *wireType {
	if t, ok := wireTypes.Load(md); ok {
		return t.(*wireType)
	}
	made := make(map[protoreflect.MessageDescriptor]*wireType)
	t := makeWireType(md, made)
	for d, mt := range made {
		wireTypes.LoadOrStore(d, mt)
	}
	return t
}

// makeWireType makes the wireType of md, adding it and those of the
// message types its fields reach to made, which ends the recursion of
// types that hold themselves.
func makeWireType(md protoreflect.MessageDescriptor, made map[protoreflect.MessageDescriptor]*wireType) *wireType {
	if t, ok := made[md]; ok {
		return t
	}
	t := &wireType{md: md, batch: md.FullName() == batchRequestName}
	switch md {
	case structDesc:
		t.form = formStruct
	case valueDesc:
		t.form = formValue
	case listDesc:
		t.form = formList
	}
	made[md] = t
	fds := md.Fields()
	n := 0
	for i := range fds.Len() {
		if num := int(fds.Get(i).Number()); num < maxTableField {
			n = max(n, num+1)
		}
	}
	t.fields = make([]wireField, n)
	for i := range fds.Len() {
		fd := fds.Get(i)
		if int(fd.Number()) < n {
			t.fields[fd.Number()] = makeWireField(fd, made)
		}
	}
	return t
}

// makeWireField makes the wireField of fd.
func makeWireField(fd protoreflect.FieldDescriptor, made map[protoreflect.MessageDescriptor]*wireType) wireField {
	f := wireField{kind: fd.Kind(), requestID: isRequestID(fd)}
	if fd.Message() != nil {
		f.msg = makeWireType(fd.Message(), made)
	}
	return f
}

// field returns the field numbered num, the zero wireField when t has
// none.
func (t *wireType) field(num protowire.Number) wireField {
	if uint(num) < uint(len(t.fields)) {
		return t.fields[num]
	}
	fd := t.md.Fields().ByNumber(num)
	if fd == nil {
		return wireField{}
	}
	f := wireField{kind: fd.Kind(), requestID: isRequestID(fd)}
	if fd.Message() != nil {
		f.msg = wireTypeOf(fd.Message())
	}
	return f
}
