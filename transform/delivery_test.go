package transform

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestDeliver(t *testing.T) {
	t.Parallel()
	ok := JobDelivery{StatusCode: 200, Error: "success"}
	tests := []struct {
		name string
		a    Answer
		jobs int
		want Delivery
	}{
		{name: "200", a: Answer{Status: 200, Body: []byte(`{}`)}, jobs: 2,
			want: Delivery{Status: 200, Message: MessageDelivered, DestinationStatus: 200, Jobs: []JobDelivery{ok, ok}}},
		{name: "204 without body", a: Answer{Status: 204}, jobs: 1,
			want: Delivery{Status: 204, Message: MessageDelivered, DestinationStatus: 204, Jobs: []JobDelivery{ok}}},
		{name: "200 with an oversized body is still delivered", a: Answer{Status: 200, BodyIncomplete: true}, jobs: 1,
			want: Delivery{Status: 200, Message: MessageDelivered, DestinationStatus: 200, Jobs: []JobDelivery{ok}}},
		{name: "207 names one object", jobs: 3,
			a: Answer{Status: 207, Body: []byte(`{"errors":[{"batch_index":1,"reason":"invalid","field":"attributes.plan","message":"too long"}]}`)},
			want: Delivery{Status: 207, Message: MessagePartialFailure, DestinationStatus: 207, Jobs: []JobDelivery{
				ok, {StatusCode: 400, Error: "reason: invalid, field: attributes.plan, message: too long"}, ok}}},
		{name: "207 missing parts are left out", jobs: 2,
			a: Answer{Status: 207, Body: []byte(`{"errors":[{"batch_index":0,"message":"bad"},{"batch_index":1}]}`)},
			want: Delivery{Status: 207, Message: MessagePartialFailure, DestinationStatus: 207, Jobs: []JobDelivery{
				{StatusCode: 400, Error: "message: bad"}, {StatusCode: 400, Error: "Unknown error from CustomerIO"}}}},
		{name: "207 falsy parts are left out", jobs: 2,
			a: Answer{Status: 207, Body: []byte(`{"errors":[{"batch_index":0,"reason":"x y","field":"","message":null},{"batch_index":1,"reason":0,"field":false,"message":5}]}`)},
			want: Delivery{Status: 207, Message: MessagePartialFailure, DestinationStatus: 207, Jobs: []JobDelivery{
				{StatusCode: 400, Error: "reason: x y"}, {StatusCode: 400, Error: "message: 5"}}}},
		{name: "207 later error for an index wins", jobs: 1,
			a:    Answer{Status: 207, Body: []byte(`{"errors":[{"batch_index":0,"reason":"a"},{"batch_index":0,"reason":"b"}]}`)},
			want: Delivery{Status: 207, Message: MessagePartialFailure, DestinationStatus: 207, Jobs: []JobDelivery{{StatusCode: 400, Error: "reason: b"}}}},
		{name: "207 out of range and odd indexes change no job", jobs: 2,
			a:    Answer{Status: 207, Body: []byte(`{"errors":[{"batch_index":2,"reason":"x"},{"batch_index":-1},{"batch_index":"0"},{"batch_index":0.5},{"reason":"none"}]}`)},
			want: Delivery{Status: 207, Message: MessagePartialFailure, DestinationStatus: 207, UnmatchedErrors: 5, Jobs: []JobDelivery{ok, ok}}},
		{name: "207 without errors", jobs: 1, a: Answer{Status: 207, Body: []byte(`{}`)},
			want: Delivery{Status: 207, Message: MessagePartialFailure, DestinationStatus: 207, Jobs: []JobDelivery{ok}}},
		{name: "207 not JSON is retryable", jobs: 1, a: Answer{Status: 207, Body: []byte(`<html>`)},
			want: Delivery{Status: 500, Message: MessageDeliveryFailed, ErrorType: "retryable", ErrorCategory: "network", DestinationStatus: 207,
				Jobs: []JobDelivery{{StatusCode: 500, Error: "Customer.io answered 207 with a body that is not JSON; which objects failed is unknown"}}}},
		{name: "207 incomplete is retryable", jobs: 1, a: Answer{Status: 207, Body: []byte(`{"errors":[`), BodyIncomplete: true},
			want: Delivery{Status: 500, Message: MessageDeliveryFailed, ErrorType: "retryable", ErrorCategory: "network", DestinationStatus: 207,
				Jobs: []JobDelivery{{StatusCode: 500, Error: "Customer.io answered 207 with a body that could not be read whole; which objects failed is unknown"}}}},
		{name: "400 body as JSON text", jobs: 2, a: Answer{Status: 400, Body: []byte(`{ "message" : "Bad Request", "n": 1.50 }`)},
			want: Delivery{Status: 400, Message: MessageDeliveryFailed, ErrorType: "aborted", ErrorCategory: "network", DestinationStatus: 400,
				Jobs: []JobDelivery{{StatusCode: 400, Error: `{"message":"Bad Request","n":1.5}`}, {StatusCode: 400, Error: `{"message":"Bad Request","n":1.5}`}}}},
		{name: "401 refresh token", jobs: 1, a: Answer{Status: 401, Body: []byte(`{"message":"Unauthorized"}`)},
			want: Delivery{Status: 401, Message: MessageDeliveryFailed, ErrorType: "aborted", ErrorCategory: "network", AuthErrorCategory: "REFRESH_TOKEN", DestinationStatus: 401,
				Jobs: []JobDelivery{{StatusCode: 401, Error: `{"message":"Unauthorized"}`}}}},
		{name: "403 inactive, text body quoted", jobs: 1, a: Answer{Status: 403, Body: []byte("Forbidden")},
			want: Delivery{Status: 403, Message: MessageDeliveryFailed, ErrorType: "aborted", ErrorCategory: "network", AuthErrorCategory: "AUTH_STATUS_INACTIVE", DestinationStatus: 403,
				Jobs: []JobDelivery{{StatusCode: 403, Error: `"Forbidden"`}}}},
		{name: "429 throttled with retry after", jobs: 1, a: Answer{Status: 429, RetryAfter: 7 * time.Second},
			want: Delivery{Status: 429, Message: MessageDeliveryFailed, ErrorType: "throttled", ErrorCategory: "network", RetryAfter: 7 * time.Second, DestinationStatus: 429,
				Jobs: []JobDelivery{{StatusCode: 429, Error: `""`}}}},
		{name: "falsy JSON body is empty text", jobs: 2, a: Answer{Status: 400, Body: []byte(` null `)},
			want: Delivery{Status: 400, Message: MessageDeliveryFailed, ErrorType: "aborted", ErrorCategory: "network", DestinationStatus: 400,
				Jobs: []JobDelivery{{StatusCode: 400, Error: `""`}, {StatusCode: 400, Error: `""`}}}},
		{name: "503 retryable", jobs: 1, a: Answer{Status: 503, Body: []byte(`{"meta":{"error":"down"}}`)},
			want: Delivery{Status: 503, Message: MessageDeliveryFailed, ErrorType: "retryable", ErrorCategory: "network", DestinationStatus: 503,
				Jobs: []JobDelivery{{StatusCode: 503, Error: `{"meta":{"error":"down"}}`}}}},
		{name: "500 with incomplete body", jobs: 1, a: Answer{Status: 500, BodyIncomplete: true},
			want: Delivery{Status: 500, Message: MessageDeliveryFailed, ErrorType: "retryable", ErrorCategory: "network", DestinationStatus: 500,
				Jobs: []JobDelivery{{StatusCode: 500, Error: "Customer.io answered HTTP 500 with a body that could not be read whole"}}}},
		{name: "redirect not followed", jobs: 1, a: Answer{Status: 302},
			want: Delivery{Status: 302, Message: MessageDeliveryFailed, ErrorType: "aborted", ErrorCategory: "network", DestinationStatus: 302,
				Jobs: []JobDelivery{{StatusCode: 302, Error: "Customer.io answered with a redirect (HTTP 302), which is not followed"}}}},
		{name: "timeout", jobs: 2, a: Answer{Failure: FailureTimeout(time.Second)},
			want: Delivery{Status: 500, Message: MessageDeliveryFailed, ErrorType: "retryable", ErrorCategory: "network", Jobs: []JobDelivery{
				{StatusCode: 500, Error: "[ETIMEDOUT] :: Customer.io did not answer within 1s"}, {StatusCode: 500, Error: "[ETIMEDOUT] :: Customer.io did not answer within 1s"}}}},
		{name: "throttled locally", jobs: 1, a: Answer{Failure: FailureThrottled(1500 * time.Millisecond)},
			want: Delivery{Status: 429, Message: MessageDeliveryFailed, ErrorType: "throttled", ErrorCategory: "network", RetryAfter: 1500 * time.Millisecond, Jobs: []JobDelivery{
				{StatusCode: 429, Error: "[THROTTLED] :: the site's Customer.io rate limit would delay the request by 1.5s"}}}},
		{name: "undeliverable", jobs: 1, a: Answer{Failure: FailureUndeliverable("bad host")},
			want: Delivery{Status: 400, Message: MessageDeliveryFailed, ErrorType: "aborted", ErrorCategory: "network", Jobs: []JobDelivery{
				{StatusCode: 400, Error: "[UNDELIVERABLE] :: bad host"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Deliver(tt.a, tt.jobs)
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("Deliver (-want +got):\n%s", d)
			}
			if len(got.Jobs) != tt.jobs {
				t.Errorf("%d outcomes for %d jobs", len(got.Jobs), tt.jobs)
			}
		})
	}
}

func TestDeliveryHTTPStatus(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		status, want int
	}{{200, 200}, {207, 200}, {400, 200}, {401, 401}, {403, 403}, {429, 200}, {500, 200}} {
		d := Deliver(Answer{Status: tt.status}, 1)
		if got := d.HTTPStatus(); got != tt.want {
			t.Errorf("HTTPStatus of %d = %d, want %d", tt.status, got, tt.want)
		}
	}
}

// FuzzDeliver checks that any answer gives exactly one outcome per job and
// never panics.
func FuzzDeliver(f *testing.F) {
	f.Add(207, []byte(`{"errors":[{"batch_index":1,"reason":"r"}]}`), 3)
	f.Add(400, []byte(`{"message":"Bad Request"}`), 1)
	f.Add(207, []byte(`{"errors":[{"batch_index":1e300}]}`), 2)
	f.Fuzz(func(t *testing.T, status int, body []byte, jobs int) {
		jobs %= 2000
		d := Deliver(Answer{Status: status, Body: body}, jobs)
		jobs = max(jobs, 0)
		if len(d.Jobs) != jobs {
			t.Fatalf("%d outcomes for %d jobs", len(d.Jobs), jobs)
		}
		for _, j := range d.Jobs {
			if j.StatusCode == 0 || strings.TrimSpace(j.Error) == "" && j.Error != "" {
				t.Fatalf("empty outcome %+v", j)
			}
		}
	})
}
