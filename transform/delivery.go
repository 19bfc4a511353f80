package transform

import (
	"strconv"
	"strings"
	"time"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
)

// Messages of RudderStack's customerio delivery handler, exactly as it
// words them.
const (
	MessageDelivered       = "[CustomerIO Response Handler] - Request Processed Successfully"
	MessagePartialFailure  = "[CustomerIO Response Handler] - Batch completed with partial failures"
	MessageDeliveryFailed  = "[CustomerIO Response Handler] - Error in transformer proxy during CustomerIO response transformation"
	jobSucceeded           = "success"
	unknownBatchItemError  = "Unknown error from CustomerIO"
	errorCategoryNetwork   = "network"
	authCategoryRefresh    = "REFRESH_TOKEN"
	authCategoryInactive   = "AUTH_STATUS_INACTIVE"
	statusMultiStatus      = 207
	statusTooManyRequests  = 429
	statusUnauthorized     = 401
	statusForbidden        = 403
	statusDeliveryFailed   = 500
	statusUndeliverable    = 400
	statusSucceeded        = 200
	statusPartialItemError = 400
)

// Error types of RudderStack's statTags for a failed delivery.
const (
	ErrorTypeAborted   = "aborted"
	ErrorTypeThrottled = "throttled"
	ErrorTypeRetryable = "retryable"
)

// Answer is what came back for a delivered request: Customer.io's status
// and (bounded) body, or the reason no usable answer came.
type Answer struct {
	// Status is Customer.io's HTTP status; 0 when no answer came.
	Status int
	// Body is the response body as read, at most the reader's limit.
	Body []byte
	// BodyIncomplete is set when the body could not be read whole: it was
	// larger than the limit, or the connection failed while reading it.
	BodyIncomplete bool
	// RetryAfter is Customer.io's Retry-After, zero when absent.
	RetryAfter time.Duration
	// Failure, when not nil, is why no usable answer came; Status and Body
	// are then ignored.
	Failure *DeliveryFailure
}

// DeliveryFailure is a delivery that produced no usable answer from
// Customer.io.
type DeliveryFailure struct {
	// Status is the status every job gets: 500 for a failed exchange
	// (retryable), 429 for the service's own rate limit (throttled), 400
	// for a request that cannot be sent (aborted).
	Status int
	// Message says what failed, without URL, headers or body.
	Message string
	// RetryAfter is how long to wait before trying again, zero if unknown.
	RetryAfter time.Duration
}

// Failures without a usable answer, worded for the job's error.
var (
	// FailureTimeout: no complete answer within the delivery timeout.
	FailureTimeout = func(d time.Duration) *DeliveryFailure {
		return &DeliveryFailure{Status: statusDeliveryFailed, Message: "[ETIMEDOUT] :: Customer.io did not answer within " + d.String()}
	}
	// FailureConnection: the connection failed before an answer; what
	// names the failure (for example "connection refused").
	FailureConnection = func(what string) *DeliveryFailure {
		return &DeliveryFailure{Status: statusDeliveryFailed, Message: "[ECONNECTION] :: connection to Customer.io failed: " + what}
	}
	// FailureThrottled: the site's rate limit would have held the request
	// longer than its timeout.
	FailureThrottled = func(wait time.Duration) *DeliveryFailure {
		return &DeliveryFailure{Status: statusTooManyRequests, RetryAfter: wait,
			Message: "[THROTTLED] :: the site's Customer.io rate limit would delay the request by " + wait.Round(time.Millisecond).String()}
	}
	// FailureUndeliverable: the request cannot be sent as it is.
	FailureUndeliverable = func(why string) *DeliveryFailure {
		return &DeliveryFailure{Status: statusUndeliverable, Message: "[UNDELIVERABLE] :: " + why}
	}
)

// Delivery is the outcome of a delivered request and of each job it
// covers, in the vocabulary of RudderStack's customerio delivery handler.
type Delivery struct {
	// Status is the overall status (see Answer and DeliveryFailure).
	Status int
	// Message is the handler's message for the status.
	Message string
	// ErrorType is empty on success, else aborted, throttled or retryable.
	ErrorType string
	// ErrorCategory is "network" when ErrorType is set.
	ErrorCategory string
	// AuthErrorCategory is REFRESH_TOKEN for 401, AUTH_STATUS_INACTIVE for
	// 403, else empty.
	AuthErrorCategory string
	// RetryAfter is how long to wait before sending again; zero if unknown.
	RetryAfter time.Duration
	// DestinationStatus is Customer.io's status; 0 when none came.
	DestinationStatus int
	// Jobs holds one outcome per job, in the request's job order.
	Jobs []JobDelivery
	// UnmatchedErrors counts the errors of a 207 whose batch_index names
	// no job (out of range or not an integer); they change no job.
	UnmatchedErrors int
}

// JobDelivery is the outcome of one job.
type JobDelivery struct {
	// StatusCode is 200 on success, else the job's error status.
	StatusCode int
	// Error is "success", or why the job failed.
	Error string
}

// HTTPStatus is the HTTP status of RudderStack's proxy endpoint for d: the
// delivery's status when it carries an auth error category, else 200.
func (d *Delivery) HTTPStatus() int {
	if d.AuthErrorCategory != "" {
		return d.Status
	}
	return statusSucceeded
}

// Deliver maps an answer to the outcome of each of jobs jobs, as
// RudderStack's customerio delivery handler does; the answer never fails
// the mapping, and every job gets exactly one outcome.
//
// Where upstream has no answer to give (a 207 body that cannot be read
// whole, or is not JSON), every job is retryable: Customer.io's verdict per
// object is unknown, and a job must not be reported delivered without it.
func Deliver(a Answer, jobs int) Delivery {
	jobs = max(jobs, 0)
	if a.Failure == nil && (a.Status < 100 || a.Status > 999) {
		a.Failure = FailureConnection("no valid HTTP status")
	}
	if f := a.Failure; f != nil {
		d := failed(f.Status, jobs, f.Message)
		d.RetryAfter = f.RetryAfter
		return d
	}
	switch {
	case a.Status == statusMultiStatus:
		return multiStatus(a, jobs)
	case a.Status >= 200 && a.Status < 300:
		d := Delivery{Status: a.Status, Message: MessageDelivered, Jobs: make([]JobDelivery, jobs)}
		for i := range d.Jobs {
			d.Jobs[i] = JobDelivery{StatusCode: statusSucceeded, Error: jobSucceeded}
		}
		d.DestinationStatus = a.Status
		return d
	}
	d := failed(a.Status, jobs, responseText(a))
	d.RetryAfter = a.RetryAfter
	d.DestinationStatus = a.Status
	return d
}

// failed is a delivery whose every job gets status and message.
func failed(status, jobs int, message string) Delivery {
	d := Delivery{
		Status:        status,
		Message:       MessageDeliveryFailed,
		ErrorType:     errorType(status),
		ErrorCategory: errorCategoryNetwork,
		Jobs:          make([]JobDelivery, jobs),
	}
	switch status {
	case statusUnauthorized:
		d.AuthErrorCategory = authCategoryRefresh
	case statusForbidden:
		d.AuthErrorCategory = authCategoryInactive
	}
	for i := range d.Jobs {
		d.Jobs[i] = JobDelivery{StatusCode: status, Error: message}
	}
	return d
}

// errorType is upstream's getDynamicErrorType: 5xx retryable, 429
// throttled, anything else aborted.
func errorType(status int) string {
	switch {
	case status >= 500:
		return ErrorTypeRetryable
	case status == statusTooManyRequests:
		return ErrorTypeThrottled
	}
	return ErrorTypeAborted
}

// responseText is a failed answer's body as upstream reports it on every
// job: JSON.stringify of the parsed body, or of its text when it is not
// JSON, and "" for a body that is empty or a falsy JSON value (upstream
// reads it as data || "", then stringifies it). A redirect or an
// incomplete body is described instead.
func responseText(a Answer) string {
	switch {
	case a.Status >= 300 && a.Status < 400:
		return "Customer.io answered with a redirect (HTTP " + strconv.Itoa(a.Status) + "), which is not followed"
	case a.BodyIncomplete:
		return "Customer.io answered HTTP " + strconv.Itoa(a.Status) + " with a body that could not be read whole"
	}
	if v, err := jsvalue.Parse(a.Body); err == nil {
		if !v.Truthy() {
			return `""`
		}
		return string(v.AppendJSON(nil))
	}
	// axios hands upstream the text when it is not JSON; an empty body
	// is "".
	return string(jsvalue.AppendJSONString(nil, string(a.Body)))
}

// multiStatus maps a 207: the jobs whose index an error's batch_index
// names fail with 400, the others succeed.
func multiStatus(a Answer, jobs int) Delivery {
	if a.BodyIncomplete {
		return unknownVerdict(a, jobs, "Customer.io answered 207 with a body that could not be read whole; which objects failed is unknown")
	}
	body, err := jsvalue.Parse(a.Body)
	if err != nil {
		return unknownVerdict(a, jobs, "Customer.io answered 207 with a body that is not JSON; which objects failed is unknown")
	}
	d := Delivery{Status: statusMultiStatus, Message: MessagePartialFailure, DestinationStatus: statusMultiStatus, Jobs: make([]JobDelivery, jobs)}
	for i := range d.Jobs {
		d.Jobs[i] = JobDelivery{StatusCode: statusSucceeded, Error: jobSucceeded}
	}
	errs := body.Get("errors")
	if !errs.IsArray() {
		return d
	}
	for _, e := range errs.Elems() {
		i, ok := batchIndex(e.Get("batch_index"))
		if !ok || i >= jobs {
			d.UnmatchedErrors++
			continue
		}
		// A later error for the same index replaces an earlier one, as
		// upstream's map does.
		d.Jobs[i] = JobDelivery{StatusCode: statusPartialItemError, Error: itemError(e)}
	}
	return d
}

// unknownVerdict makes every job of a 207 retryable.
func unknownVerdict(a Answer, jobs int, message string) Delivery {
	d := failed(statusDeliveryFailed, jobs, message)
	d.DestinationStatus = a.Status
	d.RetryAfter = a.RetryAfter
	return d
}

// batchIndex reads a batch_index: a non-negative integral JSON number.
func batchIndex(v jsvalue.Value) (int, bool) {
	if !v.IsNumber() {
		return 0, false
	}
	f := v.Float()
	if f < 0 || f != float64(int(f)) || f > 1<<31 {
		return 0, false
	}
	return int(f), true
}

// itemError words one 207 error: "reason: <r>, field: <f>, message: <m>",
// leaving out the parts that are missing or falsy ("", 0, false), as
// upstream does.
func itemError(e jsvalue.Value) string {
	var parts []string
	for _, k := range [...]string{"reason", "field", "message"} {
		v := e.Get(k)
		if !v.Truthy() {
			continue
		}
		parts = append(parts, k+": "+v.JSString())
	}
	if len(parts) == 0 {
		return unknownBatchItemError
	}
	return strings.Join(parts, ", ")
}
