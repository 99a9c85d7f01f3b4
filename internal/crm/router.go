package crm

import (
	"crypto/sha256"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/sovereign-gateway/sovereign/internal/crm/sfwire"
	"github.com/sovereign-gateway/sovereign/internal/reqid"
	"github.com/sovereign-gateway/sovereign/internal/resolve"
)

// HeaderDelivery tells a client that its write is safe in the regional store
// and queued for the org (value "queued"); the id answered is then the
// gateway's local id, which every gateway call accepts.
const HeaderDelivery = "Sovereign-Delivery"

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
	m := pathRe.FindStringSubmatch(r.URL.EscapedPath())
	if m == nil {
		if strings.TrimRight(r.URL.Path, "/") == "/services/data" && r.Method == http.MethodGet {
			sfwire.WriteJSON(w, http.StatusOK, []map[string]string{{"label": "Sovereign", "url": "/services/data/v" + f.sf.APIVersion, "version": f.sf.APIVersion}})
			return
		}
		notFound(w)
		return
	}
	rq.version = m[1]
	if !rq.authenticate() {
		return
	}
	if r.Body != nil {
		b, err := io.ReadAll(io.LimitReader(r.Body, f.maxBody+1))
		if err != nil {
			sfwire.WriteErrors(w, http.StatusBadRequest, sfwire.Error{Message: "could not read the request body", ErrorCode: sfwire.CodeJSONParser})
			return
		}
		if int64(len(b)) > f.maxBody {
			sfwire.WriteErrors(w, http.StatusRequestEntityTooLarge, sfwire.Error{Message: "request body too large", ErrorCode: "REQUEST_ENTITY_TOO_LARGE"})
			return
		}
		rq.body = b
	}
	segs := strings.Split(strings.Trim(m[2], "/"), "/")
	for i, s := range segs {
		if u, err := url.PathUnescape(s); err == nil {
			segs[i] = u
		}
	}
	rq.route(segs)
}

func (rq *request) route(p []string) {
	method := rq.r.Method
	switch {
	case len(p) == 1 && p[0] == "":
		sfwire.WriteJSON(rq.w, http.StatusOK, map[string]string{
			"sobjects": rq.base() + "/sobjects", "query": rq.base() + "/query", "composite": rq.base() + "/composite"})
	case p[0] == "sobjects":
		rq.sobjects(p[1:])
	case p[0] == "composite" && len(p) == 1 && method == http.MethodPost:
		rq.composite()
	case p[0] == "composite" && len(p) >= 2 && p[1] == "sobjects":
		rq.collections(p[2:])
	case (p[0] == "query" || p[0] == "queryAll") && method == http.MethodGet:
		rq.query(p)
	default:
		notFound(rq.w)
	}
}

func (rq *request) sobjects(p []string) {
	if len(p) == 0 || p[0] == "" {
		rq.passThrough("/sobjects")
		return
	}
	obj, ok := rq.f.policy[p[0]]
	if !ok {
		notFound(rq.w)
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
		sfwire.WriteErrors(rq.w, http.StatusMethodNotAllowed, sfwire.Error{Message: "HTTP Method '" + m + "' not allowed. Allowed are GET,PATCH,DELETE", ErrorCode: sfwire.CodeMethodNotAllowed})
	default:
		notFound(rq.w)
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
			if c, err2 := rq.f.resolver.Resolve(key, cl.Jurisdictions[0], h.Get(resolve.HeaderPurpose)); err2 == nil {
				rq.caller = c
				return true
			} else {
				err = err2
			}
		}
	}
	writeResolveError(rq.w, err)
	return false
}

func writeResolveError(w http.ResponseWriter, err error) {
	e, ok := resolve.AsError(err)
	switch {
	case ok && e.Status == http.StatusUnauthorized:
		sfwire.WriteErrors(w, http.StatusUnauthorized, sfwire.Error{Message: sfwire.MsgInvalidSession, ErrorCode: sfwire.CodeInvalidSession})
	case ok:
		sfwire.WriteErrors(w, e.Status, sfwire.Error{Message: e.Msg, ErrorCode: sfwire.CodeInsufficient})
	default:
		sfwire.WriteErrors(w, http.StatusInternalServerError, sfwire.Error{Message: "caller resolution failed", ErrorCode: sfwire.CodeUnknown})
	}
}

// passThrough forwards a metadata call (describe, sObject list) that carries
// no record data.
func (rq *request) passThrough(path string) {
	if rq.r.Method != http.MethodGet {
		notFound(rq.w)
		return
	}
	rep, err := rq.f.up.do(rq.r.Context(), http.MethodGet, path, nil)
	if err != nil {
		upstreamUnavailable(rq.w)
		return
	}
	writeRaw(rq.w, rep.status, rep.body)
}

func notFound(w http.ResponseWriter) {
	sfwire.WriteErrors(w, http.StatusNotFound, sfwire.Error{Message: sfwire.MsgNotFound, ErrorCode: sfwire.CodeNotFound})
}

func upstreamUnavailable(w http.ResponseWriter) {
	sfwire.WriteErrors(w, http.StatusServiceUnavailable, sfwire.Error{Message: "the central org is unavailable; reads need it, writes are queued", ErrorCode: sfwire.CodeServerUnavailable})
}

func writeRaw(w http.ResponseWriter, status int, body []byte) {
	if len(body) > 0 {
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
