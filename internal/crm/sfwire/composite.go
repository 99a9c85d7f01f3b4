package sfwire

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// CompositeRequest is the body of POST /services/data/vNN.N/composite.
type CompositeRequest struct {
	AllOrNone          bool         `json:"allOrNone"`
	CollateSubrequests bool         `json:"collateSubrequests"`
	CompositeRequest   []Subrequest `json:"compositeRequest"`
}

// Subrequest is one call inside a Composite request.
type Subrequest struct {
	Method      string            `json:"method"`
	URL         string            `json:"url"`
	ReferenceID string            `json:"referenceId"`
	Body        json.RawMessage   `json:"body,omitempty"`
	HTTPHeaders map[string]string `json:"httpHeaders,omitempty"`
}

// SubResponse is one subrequest's result.
type SubResponse struct {
	Body           json.RawMessage   `json:"body"`
	HTTPHeaders    map[string]string `json:"httpHeaders"`
	HTTPStatusCode int               `json:"httpStatusCode"`
	ReferenceID    string            `json:"referenceId"`
}

// CompositeResponse is the body Composite answers with.
type CompositeResponse struct {
	CompositeResponse []SubResponse `json:"compositeResponse"`
}

// Exec runs one resolved subrequest and returns its status, headers and body.
type Exec func(ctx context.Context, method, url string, headers map[string]string, body []byte) (int, map[string]string, []byte)

var refRe = regexp.MustCompile(`@\{([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[[0-9]+\])*)\}`)

// RunComposite runs the subrequests in order, resolving @{ref.path}
// references from earlier results. It returns the responses and the index of
// the first failed subrequest (-1 when none failed). With allOrNone, every
// other subrequest answers PROCESSING_HALTED once one fails; the caller undoes
// what the earlier ones did.
func RunComposite(ctx context.Context, req *CompositeRequest, exec Exec) (CompositeResponse, int) {
	out := CompositeResponse{CompositeResponse: make([]SubResponse, len(req.CompositeRequest))}
	results := map[string]any{}
	failed := -1
	for i, sr := range req.CompositeRequest {
		resp := &out.CompositeResponse[i]
		resp.ReferenceID = sr.ReferenceID
		resp.HTTPHeaders = map[string]string{}
		if failed >= 0 && req.AllOrNone {
			halt(resp)
			continue
		}
		url, err := resolveRefs(sr.URL, results)
		var body []byte
		if err == nil && len(sr.Body) > 0 {
			body, err = resolveBody(sr.Body, results)
		}
		if err != nil {
			resp.HTTPStatusCode = http.StatusBadRequest
			resp.Body = mustJSON([]Error{{Message: err.Error(), ErrorCode: CodeProcessingHalted, Fields: []string{}}})
			if failed < 0 {
				failed = i
			}
			continue
		}
		status, hdr, rb := exec(ctx, strings.ToUpper(sr.Method), url, sr.HTTPHeaders, body)
		resp.HTTPStatusCode = status
		if hdr != nil {
			resp.HTTPHeaders = hdr
		}
		if len(rb) == 0 {
			resp.Body = json.RawMessage("null")
		} else {
			resp.Body = rb
		}
		if status >= 400 {
			if failed < 0 {
				failed = i
			}
			continue
		}
		var v any
		if json.Unmarshal(rb, &v) == nil && sr.ReferenceID != "" {
			results[sr.ReferenceID] = v
		}
	}
	if failed >= 0 && req.AllOrNone {
		for i := 0; i < failed; i++ {
			halt(&out.CompositeResponse[i])
		}
	}
	return out, failed
}

func halt(r *SubResponse) {
	r.HTTPStatusCode = http.StatusBadRequest
	r.HTTPHeaders = map[string]string{}
	r.Body = mustJSON([]Error{{Message: MsgHalted, ErrorCode: CodeProcessingHalted, Fields: []string{}}})
}

// resolveBody replaces references inside the JSON body's strings; a string
// that is exactly one reference takes the referenced value's JSON type.
func resolveBody(body json.RawMessage, results map[string]any) ([]byte, error) {
	if !bytes.Contains(body, []byte("@{")) {
		return body, nil
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, fmt.Errorf("subrequest body is not valid JSON")
	}
	v, err := resolveValue(v, results)
	if err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

func resolveValue(v any, results map[string]any) (any, error) {
	switch t := v.(type) {
	case string:
		if m := refRe.FindStringSubmatchIndex(t); m != nil && m[0] == 0 && m[1] == len(t) {
			return lookupRef(t, results)
		}
		return resolveRefs(t, results)
	case map[string]any:
		for k, e := range t {
			r, err := resolveValue(e, results)
			if err != nil {
				return nil, err
			}
			t[k] = r
		}
	case []any:
		for i, e := range t {
			r, err := resolveValue(e, results)
			if err != nil {
				return nil, err
			}
			t[i] = r
		}
	}
	return v, nil
}

func resolveRefs(s string, results map[string]any) (string, error) {
	var firstErr error
	out := refRe.ReplaceAllStringFunc(s, func(ref string) string {
		v, err := lookupRef(ref, results)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			return ref
		}
		switch x := v.(type) {
		case string:
			return x
		default:
			b, _ := json.Marshal(x)
			return string(b)
		}
	})
	return out, firstErr
}

// lookupRef evaluates @{ref.a.b[0].c} against earlier results.
func lookupRef(ref string, results map[string]any) (any, error) {
	m := refRe.FindStringSubmatch(ref)
	name, path := m[1], m[2]
	cur, ok := results[name]
	if !ok {
		return nil, refError(fmt.Sprintf("Invalid reference specified. No value for %s found in %s. Provided referenceId ('%s') must match a previous subrequest that succeeded", strings.TrimPrefix(path, "."), name, name))
	}
	for path != "" {
		switch path[0] {
		case '.':
			end := strings.IndexAny(path[1:], ".[")
			if end < 0 {
				end = len(path) - 1
			}
			key := path[1 : end+1]
			path = path[end+1:]
			obj, ok := cur.(map[string]any)
			if !ok {
				return nil, refError(fmt.Sprintf("Invalid reference specified. No value for %s found in %s", key, name))
			}
			if cur, ok = obj[key]; !ok {
				return nil, refError(fmt.Sprintf("Invalid reference specified. No value for %s found in %s", key, name))
			}
		case '[':
			end := strings.IndexByte(path, ']')
			n, _ := strconv.Atoi(path[1:end])
			path = path[end+1:]
			arr, ok := cur.([]any)
			if !ok || n >= len(arr) {
				return nil, refError(fmt.Sprintf("Invalid reference specified. Index %d out of range in %s", n, name))
			}
			cur = arr[n]
		}
	}
	return cur, nil
}

func mustJSON(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}

// refError is a reference that cannot be resolved; its text is Salesforce's.
type refError string

func (e refError) Error() string { return string(e) }
