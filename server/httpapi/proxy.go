package httpapi

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/cio-transformer/cio-transformer/transform/jsvalue"
)

// proxyPayload is what rudder-server posts to the proxy endpoint: the
// request to deliver, flattened, and the metadata of the jobs it covers.
type proxyPayload struct {
	Method       string            `json:"method"`
	Endpoint     string            `json:"endpoint"`
	EndpointPath string            `json:"endpointPath"`
	Headers      map[string]string `json:"headers"`
	Params       map[string]any    `json:"params"`
	Body         struct {
		JSON json.RawMessage `json:"JSON"`
	} `json:"body"`
	Metadata []json.RawMessage `json:"metadata"`
}

// featureDelivery is the statTags feature of delivery errors.
const featureDelivery = "dataDelivery"

// proxy serves POST /v1/destinations/{dest}/proxy through the Deliverer;
// without one it answers 501, and rudder-server, which only proxies when
// /features advertises it, never asks.
func (h *Handler) proxy(w http.ResponseWriter, r *http.Request) {
	rec := w.(*recorder)
	if !strings.EqualFold(r.PathValue("dest"), destType) {
		h.notOurs(rec, r, r.PathValue("dest"))
		return
	}
	rec.route = routeProxy
	if h.cfg.Deliverer == nil {
		h.fail(rec, http.StatusNotImplemented, "delivery is not available: this service only transforms")
		return
	}
	body, ok := h.read(rec, r)
	if !ok {
		return
	}
	var p proxyPayload
	if err := json.Unmarshal(body.data, &p); err != nil {
		h.fail(rec, http.StatusBadRequest, "invalid request body: "+err.Error())
		return
	}
	rec.jobs = len(p.Metadata)
	res, err := h.cfg.Deliverer.Deliver(r.Context(), DeliveryRequest{
		Method: p.Method, Endpoint: p.Endpoint, EndpointPath: p.EndpointPath,
		Headers: p.Headers, Params: p.Params, Body: nonNull(p.Body.JSON), Jobs: len(p.Metadata),
	})
	if err != nil || len(res.Outcomes) != len(p.Metadata) {
		// Every job must be answered: without outcomes the whole delivery
		// is retried.
		h.fail(rec, http.StatusInternalServerError, "delivery failed")
		return
	}
	out := appendProxyResponse(nil, &p, res)
	rec.Header().Set("Content-Type", contentTypeJSON)
	rec.Header().Set(apiVersionHeader, apiVersion)
	status := res.HTTPStatus
	if status == 0 {
		status = http.StatusOK
	}
	rec.WriteHeader(status)
	_, _ = rec.Write(out)
}

// appendProxyResponse writes upstream's proxy answer,
// {"output": {status, message, [authErrorCategory], [statTags], response}}.
func appendProxyResponse(dst []byte, p *proxyPayload, res DeliveryResult) []byte {
	dst = append(dst, `{"output":{"status":`...)
	dst = appendStatus(dst, res.Status)
	dst = append(dst, `,"message":`...)
	dst = jsvalue.AppendJSONString(dst, res.Message)
	if res.AuthErrorCategory != "" {
		dst = append(dst, `,"authErrorCategory":`...)
		dst = jsvalue.AppendJSONString(dst, res.AuthErrorCategory)
	}
	if res.ErrorType != "" {
		var first jsvalue.Value
		if len(p.Metadata) > 0 {
			first, _ = jsvalue.Parse(p.Metadata[0])
		}
		dst = append(dst, `,"statTags":{"errorCategory":"network","errorType":`...)
		dst = jsvalue.AppendJSONString(dst, res.ErrorType)
		dst = append(dst, `,"destType":"`+statDestType+`","module":"`+statModule+`","implementation":"`+statImplementation+`","feature":"`+featureDelivery+`"`...)
		for _, key := range [...]string{"destinationId", "workspaceId"} {
			if v := first.Get(key); !v.IsUndefined() {
				dst = append(dst, ',')
				dst = jsvalue.AppendJSONString(dst, key)
				dst = append(dst, ':')
				dst = v.AppendJSON(dst)
			}
		}
		dst = append(dst, '}')
	}
	dst = append(dst, `,"response":[`...)
	for i, o := range res.Outcomes {
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
