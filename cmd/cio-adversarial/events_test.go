package main

import (
	"encoding/json"
	"testing"

	ciotransformerv1 "github.com/cio-transformer/cio-transformer/gen/ciotransformer/v1"
	"google.golang.org/protobuf/proto"
)

func TestShapesBuildValidEventsOfTheirSize(t *testing.T) {
	t.Parallel()
	for _, sh := range []shape{deviceShape, keysAfterDottedShape, userPropertiesShape} {
		for _, size := range []int{1_000, 10_000} {
			raw := sh.job(1, size).GetRawEvent()
			if !json.Valid(raw) {
				t.Errorf("%s at %d: invalid JSON", sh.name, size)
			}
			if len(raw) < size*9/10 || len(raw) > size*11/10 {
				t.Errorf("%s at %d: %d bytes", sh.name, size, len(raw))
			}
		}
	}
	typed := typedStructShape.job(1, 10_000)
	if n := len(typed.GetEvent().GetTraits().GetFields()); n != 10_000/typedKeyBytes+1 {
		t.Errorf("typed shape: %d keys", n)
	}
	if raw := deepKeyPathShape.job(1, deepKeyPathShape.nominal).GetRawEvent(); !json.Valid(raw) || len(raw) > deepKeyPathShape.nominal {
		t.Errorf("deep key path shape: %d bytes, valid JSON %v", len(raw), json.Valid(raw))
	}
	if raw := keyPathArraysShape.job(1, 3).GetRawEvent(); !json.Valid(raw) {
		t.Errorf("key path shape: invalid JSON %s", raw)
	}
}

func TestCraftedMessagesDecode(t *testing.T) {
	t.Parallel()
	const size = 1000
	var batch ciotransformerv1.TransformBatchRequest
	msg := emptyJobsMessage(size).wire
	if err := proto.Unmarshal(msg, &batch); err != nil {
		t.Fatal(err)
	}
	if len(msg) > size || len(batch.GetJobs()) < size/2-40 || batch.GetDestination().GetSiteId() == "" {
		t.Errorf("empty jobs message: %d bytes, %d jobs", len(msg), len(batch.GetJobs()))
	}
	msg = emptyListBatchMessage(size).wire
	batch.Reset()
	if err := proto.Unmarshal(msg, &batch); err != nil {
		t.Fatal(err)
	}
	if len(msg) > size || len(batch.GetJobs()) != 1 || len(batch.GetJobs()[0].GetMetadata().GetFields()["k"].GetListValue().GetValues()) < size/2-60 {
		t.Errorf("list message: %d bytes, %v", len(msg), batch.GetJobs())
	}
	var unary ciotransformerv1.TransformRequest
	raw := emptyListUnaryMessage(size)
	if err := proto.Unmarshal(raw, &unary); err != nil {
		t.Fatal(err)
	}
	if len(raw) > size || len(unary.GetJob().GetMetadata().GetFields()["k"].GetListValue().GetValues()) < size/2-60 {
		t.Errorf("unary list message: %d bytes", len(raw))
	}
	if h := grpcHeader(2 << 20); h[0] != 0 || h[1] != 0 || h[2] != 0x20 || h[3] != 0 || h[4] != 0 {
		t.Errorf("grpcHeader(2 MiB) = %v", h)
	}
}
