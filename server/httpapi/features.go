package httpapi

import "net/http"

// features serves GET /features: the upstream transformer's document with
// customerio added when there is a fallback, else this service's own.
func (h *Handler) features(w http.ResponseWriter, r *http.Request) {
	rec := w.(*recorder)
	rec.route = routeFeatures
	if h.fallback != nil {
		h.fallback.ServeHTTP(rec, r)
		return
	}
	h.answer(rec, h.featuresDocument())
}

// featuresDocument is what this service supports: the customerio router
// transform, compacted requests and, when it can deliver, the proxy as
// upstream advertises it (proxy payload v1, and customerio among the
// destinations delivered through the proxy).
func (h *Handler) featuresDocument() []byte {
	doc := `{"routerTransform":{"CUSTOMERIO":true},"regulations":[],"supportDestTransformCompactedPayloadV1":true`
	if h.cfg.Deliverer != nil {
		doc += `,"supportTransformerProxyV1":true,"transformerProxy":{"CUSTOMERIO":true}`
	}
	return []byte(doc + "}")
}
