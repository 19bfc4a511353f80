package server

import (
	_ "embed"
	"fmt"

	"google.golang.org/grpc"
	"google.golang.org/grpc/reflection"
	v1reflectiongrpc "google.golang.org/grpc/reflection/grpc_reflection_v1"
	v1alphareflectiongrpc "google.golang.org/grpc/reflection/grpc_reflection_v1alpha"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
)

// contractDescriptors is the contract's descriptor set with source info
// (comments), built from proto/ by make generate. Generated Go code carries
// descriptors without comments; serving these lets grpcurl describe show the
// contract's documentation.
//
//go:embed contract.binpb
var contractDescriptors []byte

// registerReflection serves reflection (v1 and v1alpha) from the documented
// descriptors, falling back to the linked-in ones (health, reflection).
func registerReflection(g *grpc.Server) error {
	var set descriptorpb.FileDescriptorSet
	if err := proto.Unmarshal(contractDescriptors, &set); err != nil {
		return fmt.Errorf("read contract descriptors: %w", err)
	}
	files, err := protodesc.NewFiles(&set)
	if err != nil {
		return fmt.Errorf("build contract descriptors: %w", err)
	}
	opts := reflection.ServerOptions{Services: g, DescriptorResolver: layeredFiles{files, protoregistry.GlobalFiles}}
	v1reflectiongrpc.RegisterServerReflectionServer(g, reflection.NewServerV1(opts))
	v1alphareflectiongrpc.RegisterServerReflectionServer(g, reflection.NewServer(opts))
	return nil
}

// layeredFiles resolves descriptors from the first registry that has them.
type layeredFiles []*protoregistry.Files

// FindFileByPath returns the file at path from the first registry holding it.
func (l layeredFiles) FindFileByPath(path string) (protoreflect.FileDescriptor, error) {
	for _, f := range l {
		if d, err := f.FindFileByPath(path); err == nil {
			return d, nil
		}
	}
	return nil, protoregistry.NotFound
}

// FindDescriptorByName returns the named descriptor from the first registry
// holding it.
func (l layeredFiles) FindDescriptorByName(name protoreflect.FullName) (protoreflect.Descriptor, error) {
	for _, f := range l {
		if d, err := f.FindDescriptorByName(name); err == nil {
			return d, nil
		}
	}
	return nil, protoregistry.NotFound
}
