package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cio-transformer/cio-transformer/internal/jsvalue"
	"github.com/cio-transformer/cio-transformer/server/delivery"
	"github.com/cio-transformer/cio-transformer/transform"
)

// proxyPayload is what rudder-server posts to the proxy endpoint (its
// ProxyRequestPayload, v1): the request to deliver, flattened, the metadata
// of the jobs it covers in the order of the batch's objects, and the
// destination's config.
type proxyPayload struct {
	Method       string                     `json:"method"`
	Endpoint     string                     `json:"endpoint"`
	EndpointPath string                     `json:"endpointPath"`
	Headers      map[string]json.RawMessage `json:"headers"`
	Params       map[string]json.RawMessage `json:"params"`
	// Body holds the formats in the order they came: upstream sends the
	// last one that is not empty.
	Body              orderedObject     `json:"body"`
	Metadata          []json.RawMessage `json:"metadata"`
	DestinationConfig json.RawMessage   `json:"destinationConfig"`
}

// orderedObject is a JSON object read with its members in order.
type orderedObject struct{ v jsvalue.Value }

// UnmarshalJSON reads the object (null is an empty one).
func (o *orderedObject) UnmarshalJSON(data []byte) error {
	v, err := jsvalue.Parse(data)
	if err != nil {
		return err
	}
	o.v = v
	return nil
}

// featureDelivery is the statTags feature of delivery errors.
const featureDelivery = "dataDelivery"

// proxy serves POST /v1/destinations/{dest}/proxy through the Deliverer.
// Without one, the request goes to the fallback transformer when there is
// one (it delivers for itself), else it is answered 501; rudder-server
// only proxies when /features advertises it, which it then does not.
func (h *Handler) proxy(w http.ResponseWriter, r *http.Request) {
	rec := w.(*recorder)
	if !strings.EqualFold(r.PathValue("dest"), destType) || (h.cfg.Deliverer == nil && h.fallback != nil) {
		h.notOurs(rec, r, r.PathValue("dest"))
		return
	}
	rec.route = routeProxy
	if h.cfg.Deliverer == nil {
		h.fail(rec, http.StatusNotImplemented, "delivery is not available: this service only transforms")
		return
	}
	body, release, ok := h.read(rec, r)
	defer release()
	if !ok {
		return
	}
	var p proxyPayload
	if err := json.Unmarshal(body.data, &p); err != nil {
		h.fail(rec, http.StatusBadRequest, "invalid request body: "+err.Error())
		return
	}
	if len(p.Metadata) > h.cfg.MaxJobsPerRequest {
		h.decoded(rec, tooManyJobs{n: len(p.Metadata), limit: h.cfg.MaxJobsPerRequest})
		return
	}
	rec.jobs = len(p.Metadata)
	req, why := p.request()
	var d transform.Delivery
	if why != "" {
		// Not sendable as it came: every job is told why, nothing is sent.
		d = transform.Deliver(transform.Answer{Failure: transform.FailureUndeliverable(why)}, req.Jobs)
	} else {
		d = h.cfg.Deliverer.Deliver(r.Context(), req)
	}
	if len(d.Jobs) != len(p.Metadata) {
		// A Deliverer broke its contract: without an outcome for every
		// job, rudder-server retries the whole delivery.
		h.fail(rec, http.StatusInternalServerError, "delivery failed")
		return
	}
	if d.RetryAfter > 0 {
		rec.Header().Set("Retry-After", strconv.FormatInt(int64((d.RetryAfter+time.Second-1)/time.Second), 10))
	}
	h.answerStatus(rec, d.HTTPStatus(), appendProxyResponse(nil, &p, &d))
}

// request converts the payload to the request to deliver. A request that
// cannot be sent as it is (a header that is not a string or a number, a
// body in a format other than JSON) comes back with why.
func (p *proxyPayload) request() (delivery.Request, string) {
	req := delivery.Request{
		Method: p.Method, URL: p.Endpoint, EndpointPath: p.EndpointPath,
		Jobs: len(p.Metadata),
	}
	if len(p.Headers) > 0 {
		req.Headers = make(map[string]string, len(p.Headers))
		for k, raw := range p.Headers {
			v, err := jsvalue.Parse(raw)
			switch {
			case err != nil:
				return req, "a header value is not JSON"
			case v.IsNullish():
				// axios leaves out a header whose value is null.
			case v.IsObject() || v.IsArray():
				return req, "a header value is an object or array"
			default:
				req.Headers[k] = v.JSString()
			}
		}
	}
	if len(p.Params) > 0 {
		req.Params = make(map[string]string, len(p.Params))
		for k, raw := range p.Params {
			v, err := jsvalue.Parse(raw)
			switch {
			case err != nil:
				return req, "a query parameter is not JSON"
			case v.IsNullish():
				// Left out of the query string, as axios does.
			case v.IsObject() || v.IsArray():
				// rudder-server's own sender JSON-encodes nested values.
				req.Params[k] = string(v.AppendJSON(nil))
			default:
				req.Params[k] = v.JSString()
			}
		}
	}
	format, body := "", jsvalue.Undefined()
	for name, v := range p.Body.v.All() {
		if !emptyJS(v) {
			format, body = name, v
		}
	}
	switch format {
	case "":
	case "JSON":
		req.Body = string(body.AppendJSON(nil))
	default:
		return req, "only a JSON body can be sent to Customer.io, got " + format
	}
	if cfg, err := jsvalue.Parse(p.DestinationConfig); err == nil {
		if site := cfg.Get("siteID"); site.IsString() {
			req.Site = site.Str()
		}
	}
	return req, ""
}

// emptyJS is lodash's isEmpty, which upstream applies to each body format:
// an object or array without elements, an empty string, and every other
// scalar are empty.
func emptyJS(v jsvalue.Value) bool {
	switch {
	case v.IsObject(), v.IsArray():
		return v.Len() == 0
	case v.IsString():
		return v.Str() == ""
	}
	return true
}

// appendProxyResponse writes upstream's proxy answer,
// {"output": {status, message, [authErrorCategory], [statTags], response}},
// with one response element per job: its status, its metadata as it came,
// and its error.
func appendProxyResponse(dst []byte, p *proxyPayload, d *transform.Delivery) []byte {
	dst = append(dst, `{"output":{"status":`...)
	dst = appendStatus(dst, d.Status)
	dst = append(dst, `,"message":`...)
	dst = jsvalue.AppendJSONString(dst, d.Message)
	if d.AuthErrorCategory != "" {
		dst = append(dst, `,"authErrorCategory":`...)
		dst = jsvalue.AppendJSONString(dst, d.AuthErrorCategory)
	}
	if d.ErrorType != "" {
		var first jsvalue.Value
		if len(p.Metadata) > 0 {
			first, _ = jsvalue.Parse(p.Metadata[0])
		}
		dst = append(dst, `,"statTags":`...)
		dst = appendStatTags(dst, &transform.Error{Category: d.ErrorCategory, Type: d.ErrorType}, featureDelivery, first)
	}
	dst = append(dst, `,"response":[`...)
	for i, o := range d.Jobs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"statusCode":`...)
		dst = appendStatus(dst, o.StatusCode)
		dst = append(dst, `,"metadata":`...)
		dst = append(dst, p.Metadata[i]...)
		dst = append(dst, `,"error":`...)
		dst = jsvalue.AppendJSONString(dst, o.Error)
		dst = append(dst, '}')
	}
	return append(dst, "]}}"...)
}
