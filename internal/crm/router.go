package crm

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"runtime/debug"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sovereign-gateway/sovereign/internal/crm/sfwire"
	"github.com/sovereign-gateway/sovereign/internal/reqid"
	"github.com/sovereign-gateway/sovereign/internal/resolve"
)

// HeaderDelivery tells a client that its write is safe in the regional store
// and queued for the org (value "queued"); the id answered is then the
// gateway's local id, which every gateway call accepts.
const HeaderDelivery = "Sovereign-Delivery"

// Error codes the gateway adds to Salesforce's.
const (
	codeUnsupportedMedia = "UNSUPPORTED_MEDIA_TYPE"
	codeTooLarge         = "REQUEST_ENTITY_TOO_LARGE"
	codeDuplicateValue   = "DUPLICATE_VALUE"
	codeFieldIntegrity   = "FIELD_INTEGRITY_EXCEPTION"
	codePolicyBlocked    = "SOVEREIGN_POLICY_BLOCKED"
)

// request is one call to the face.
type request struct {
	f       *Face
	w       http.ResponseWriter
	r       *http.Request
	caller  *resolve.Caller
	jurSet  bool // the caller stated (or defaulted) the subject's jurisdiction
	version string
	body    []byte
	rid     string
	start   time.Time
}

// LogValue keeps request data (body, headers) out of logs.
func (rq *request) LogValue() slog.Value {
	return slog.GroupValue(slog.String("request_id", rq.rid), slog.String("method", rq.r.Method), slog.Int("body_bytes", len(rq.body)))
}

var pathRe = regexp.MustCompile(`^/services/data/v([0-9]{2}\.[0-9])(?:/(.*))?$`)

// ServeHTTP serves /services/data/vNN.N/... .
func (f *Face) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rid := reqid.From(r.Context())
	if rid == "" {
		rid = reqid.New()
		r = r.WithContext(reqid.With(r.Context(), rid))
	}
	w.Header().Set(reqid.Header, rid)
	rq := &request{f: f, w: w, r: r, rid: rid, start: f.now()}
	defer rq.recoverPanic()
	m := pathRe.FindStringSubmatch(r.URL.EscapedPath())
	if m == nil {
		if strings.TrimRight(r.URL.Path, "/") == "/services/data" && r.Method == http.MethodGet {
			sfwire.WriteJSON(w, http.StatusOK, []map[string]string{{"label": "Sovereign", "url": "/services/data/v" + f.sf.APIVersion, "version": f.sf.APIVersion}})
			return
		}
		rq.notFound()
		return
	}
	rq.version = m[1]
	if !rq.authenticate() || !rq.readBody() {
		return
	}
	segs := strings.Split(strings.Trim(m[2], "/"), "/")
	for i, s := range segs {
		if u, err := url.PathUnescape(s); err == nil {
			segs[i] = u
		}
	}
	rq.route(segs)
}

// recoverPanic turns a panic in any stage into a Salesforce-shaped error:
// nothing after the failing stage ran, so nothing reached the org that the
// stages before it had not decided (fail closed). The panic value is not
// logged: it may hold request data.
func (rq *request) recoverPanic() {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler {
		panic(v)
	}
	rq.f.log.Error("crm request failed", slog.String("request_id", rq.rid), slog.String("error", "panic"),
		slog.String("stack", firstFrames(debug.Stack())))
	rq.refuse(http.StatusInternalServerError, sfwire.CodeUnknown, "the gateway failed while handling the request; nothing was sent to the org")
}

// firstFrames keeps the function names of a stack, not its arguments.
func firstFrames(stack []byte) string {
	var out []string
	for _, line := range strings.Split(string(stack), "\n") {
		if line == "" || strings.HasPrefix(line, "\t") || strings.HasPrefix(line, "goroutine ") {
			continue
		}
		if i := strings.IndexByte(line, '('); i > 0 {
			line = line[:i]
		}
		out = append(out, line)
		if len(out) == 12 {
			break
		}
	}
	return strings.Join(out, " < ")
}

// readBody reads, decompresses and checks the request body: JSON only, in
// UTF-8, at most limits.max_body_bytes after decompression.
func (rq *request) readBody() bool {
	r := rq.r
	if r.Body == nil || r.Body == http.NoBody {
		return true
	}
	max := rq.f.maxBody
	if r.ContentLength > max {
		rq.refuse(http.StatusRequestEntityTooLarge, codeTooLarge, fmt.Sprintf("the request body exceeds %d bytes", max))
		return false
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, max+1))
	if err != nil {
		rq.refuse(http.StatusBadRequest, sfwire.CodeJSONParser, "could not read the request body")
		return false
	}
	if int64(len(raw)) > max {
		rq.refuse(http.StatusRequestEntityTooLarge, codeTooLarge, fmt.Sprintf("the request body exceeds %d bytes", max))
		return false
	}
	if len(raw) == 0 {
		return true
	}
	body, status, code, msg := decodeContent(raw, r.Header.Get("Content-Encoding"), max)
	if code != "" {
		rq.refuse(status, code, msg)
		return false
	}
	if ct := r.Header.Get("Content-Type"); !jsonMediaType(ct) {
		rq.refuse(http.StatusUnsupportedMediaType, codeUnsupportedMedia, "the CRM face accepts only application/json request bodies (Content-Type: application/json)")
		return false
	}
	if !utf8.Valid(body) {
		rq.refuse(http.StatusBadRequest, sfwire.CodeJSONParser, "the request body is not valid UTF-8")
		return false
	}
	rq.body = body
	return true
}

// decodeContent undoes a gzip or deflate Content-Encoding (Salesforce
// accepts both), bounded by max decompressed bytes.
func decodeContent(raw []byte, encoding string, max int64) (body []byte, status int, code, msg string) {
	var zr io.Reader
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "", "identity":
		return raw, 0, "", ""
	case "gzip", "x-gzip":
		g, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, http.StatusBadRequest, sfwire.CodeJSONParser, "the gzip request body is corrupt"
		}
		zr = g
	case "deflate":
		z, err := zlib.NewReader(bytes.NewReader(raw))
		if err != nil {
			return nil, http.StatusBadRequest, sfwire.CodeJSONParser, "the deflate request body is corrupt"
		}
		zr = z
	default:
		return nil, http.StatusUnsupportedMediaType, codeUnsupportedMedia, "Content-Encoding must be gzip, deflate or identity"
	}
	out, err := io.ReadAll(io.LimitReader(zr, max+1))
	switch {
	case err != nil:
		return nil, http.StatusBadRequest, sfwire.CodeJSONParser, "the compressed request body is corrupt"
	case int64(len(out)) > max:
		return nil, http.StatusRequestEntityTooLarge, codeTooLarge, fmt.Sprintf("the decompressed request body exceeds %d bytes", max)
	}
	return out, 0, "", ""
}

// jsonMediaType accepts application/json with an optional UTF-8 charset.
func jsonMediaType(ct string) bool {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return false
	}
	cs, ok := params["charset"]
	return !ok || strings.EqualFold(cs, "utf-8")
}

func (rq *request) route(p []string) {
	method := rq.r.Method
	switch {
	case len(p) == 1 && p[0] == "":
		sfwire.WriteJSON(rq.w, http.StatusOK, map[string]string{
			"sobjects": rq.base() + "/sobjects", "query": rq.base() + "/query", "composite": rq.base() + "/composite", "limits": rq.base() + "/limits"})
	case p[0] == "sobjects":
		rq.sobjects(p[1:])
	case p[0] == "composite" && len(p) == 1 && method == http.MethodPost:
		rq.composite()
	case p[0] == "composite" && len(p) >= 2 && p[1] == "sobjects":
		rq.collections(p[2:])
	case (p[0] == "query" || p[0] == "queryAll") && method == http.MethodGet:
		rq.query(p)
	case p[0] == "limits" && len(p) == 1:
		rq.passThrough("/limits")
	default:
		rq.notFound()
	}
}

func (rq *request) sobjects(p []string) {
	if len(p) == 0 || p[0] == "" {
		rq.passThrough("/sobjects")
		return
	}
	obj, ok := rq.f.policy[p[0]]
	if !ok {
		rq.notFound()
		return
	}
	m := rq.r.Method
	switch {
	case len(p) == 1 && m == http.MethodPost:
		rq.writeOne(&item{op: opCreate, object: obj.name}, true)
	case len(p) == 1 && m == http.MethodGet, len(p) == 2 && p[1] == "describe" && m == http.MethodGet:
		rq.passThrough("/sobjects/" + strings.Join(p, "/"))
	case len(p) == 2 && (m == http.MethodPatch || m == http.MethodDelete):
		op := opUpdate
		if m == http.MethodDelete {
			op = opDelete
		}
		rq.writeOne(&item{op: op, object: obj.name, id: p[1]}, m == http.MethodPatch)
	case len(p) == 2 && m == http.MethodGet:
		rq.get(obj, p[1], "", "")
	case len(p) == 3 && m == http.MethodPatch:
		rq.writeOne(&item{op: opUpsert, object: obj.name, extField: p[1], extValue: p[2]}, true)
	case len(p) == 3 && m == http.MethodGet:
		rq.get(obj, "", p[1], p[2])
	case len(p) <= 3:
		rq.refuse(http.StatusMethodNotAllowed, sfwire.CodeMethodNotAllowed, "HTTP Method '"+safeCode(m)+"' not allowed. Allowed are GET,PATCH,DELETE")
	default:
		rq.notFound()
	}
}

func (rq *request) base() string { return "/services/data/v" + rq.version }

// authenticate resolves the caller from its gateway API key. A read, or a
// write whose record names the subject's country, needs no jurisdiction
// header; the client's first jurisdiction then stands in and jurSet is false.
func (rq *request) authenticate() bool {
	h := rq.r.Header
	c, err := rq.f.resolver.Request(h)
	if err == nil {
		rq.caller, rq.jurSet = c, true
		return true
	}
	if e, ok := resolve.AsError(err); ok && e.Code == resolve.CodeJurisdiction && h.Get(resolve.HeaderJurisdiction) == "" {
		key, _ := resolve.BearerToken(h.Get("Authorization"))
		if cl, ok := rq.f.cfg.ClientByKeyHash(sha256.Sum256([]byte(key))); ok && len(cl.Jurisdictions) > 0 {
			c, err2 := rq.f.resolver.Resolve(key, cl.Jurisdictions[0], h.Get(resolve.HeaderPurpose))
			if err2 == nil {
				rq.caller = c
				return true
			}
			err = err2
		}
	}
	rq.resolveError(err)
	return false
}

func (rq *request) resolveError(err error) {
	e, ok := resolve.AsError(err)
	switch {
	case ok && e.Status == http.StatusUnauthorized:
		// Salesforce's own answer, so that clients treat it as a bad session.
		rq.refuse(http.StatusUnauthorized, sfwire.CodeInvalidSession, sfwire.MsgInvalidSession)
	case ok:
		rq.refuse(e.Status, sfwire.CodeInsufficient, e.Msg)
	default:
		rq.refuse(http.StatusInternalServerError, sfwire.CodeUnknown, "caller resolution failed")
	}
}

// passThrough forwards a metadata call (describe, sObject list, limits) that
// carries no record data.
func (rq *request) passThrough(path string) {
	if rq.r.Method != http.MethodGet {
		rq.notFound()
		return
	}
	rep, err := rq.f.up.do(rq.r.Context(), http.MethodGet, path, nil)
	if err != nil {
		rq.upstreamUnavailable(err)
		return
	}
	writeRaw(rq.w, rep.status, rep.body)
}

// refuse answers with a Salesforce error array whose message ends with the
// request id, so that an operator can find the request in logs and audit.
func (rq *request) refuse(status int, code, msg string, fields ...string) {
	sfwire.WriteErrors(rq.w, status, sfwire.Error{Message: rq.withRID(msg), ErrorCode: code, Fields: fields})
}

func (rq *request) withRID(msg string) string { return msg + " (request " + rq.rid + ")" }

func (rq *request) notFound() {
	rq.refuse(http.StatusNotFound, sfwire.CodeNotFound, sfwire.MsgNotFound)
}

func (rq *request) upstreamUnavailable(err error) {
	var te *transientError
	if err != nil && !errors.As(err, &te) {
		rq.f.log.Error("crm upstream call failed", slog.String("request_id", rq.rid), slog.String("error", err.Error()))
	}
	rq.refuse(http.StatusServiceUnavailable, sfwire.CodeServerUnavailable, "the central org is unavailable; reads need it, writes are queued")
}

func writeRaw(w http.ResponseWriter, status int, body []byte) {
	if len(body) > 0 {
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
