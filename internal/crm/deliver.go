package crm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/sovereign-gateway/sovereign/internal/crm/sfwire"
	"github.com/sovereign-gateway/sovereign/internal/store"
)

// outcome kinds.
const (
	delivered = iota + 1
	rejected
	transient
)

// outcome is what the org made of one outbox row.
type outcome struct {
	kind    int
	sfid    string
	created *bool
	// status and body are the org's answer to a single-record call, relayed
	// as is to a waiting client; errs are a collection record's errors.
	status int
	body   []byte
	errs   []sfwire.StatusError
	code   string // error code for the outbox (never a message with data)
}

// deliver sends rows to the org: one call per row when alone, sObject
// Collections (200 at a time) when several rows share an operation.
func (f *Face) deliver(ctx context.Context, reg *regional, rows []store.OutboxRow, allOrNone bool) []outcome {
	outs := make([]outcome, len(rows))
	groups := map[string][]int{}
	var order []string
	for i, r := range rows {
		k := string(r.Op) + "\x00" + r.Object + "\x00" + r.ExtField
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], i)
	}
	for _, k := range order {
		idx := groups[k]
		for start := 0; start < len(idx); start += sfwire.MaxCollection {
			chunk := idx[start:min(start+sfwire.MaxCollection, len(idx))]
			if len(chunk) == 1 {
				outs[chunk[0]] = f.deliverOne(ctx, reg, &rows[chunk[0]])
				continue
			}
			f.deliverMany(ctx, reg, rows, chunk, outs, allOrNone)
		}
	}
	return outs
}

func (f *Face) deliverOne(ctx context.Context, reg *regional, r *store.OutboxRow) outcome {
	var method, path string
	body, o := f.resolveRefs(ctx, r.Tenant, r.Payload)
	if o != nil {
		return *o
	}
	switch r.Op {
	case store.OpUpsert:
		method, path = http.MethodPatch, "/sobjects/"+r.Object+"/"+f.sf.SyncIDField+"/"+url.PathEscape(r.LocalID)
	case store.OpUpsertExternal:
		method, path = http.MethodPatch, "/sobjects/"+r.Object+"/"+r.ExtField+"/"+url.PathEscape(r.ExtValue)
		body = withFields(body, f.sf.SyncIDField, r.LocalID)
	case store.OpUpdate, store.OpDelete:
		sfid, err := reg.st.SFID(ctx, r.LocalID)
		if err != nil {
			return outcome{kind: transient, code: "STORE_READ"}
		}
		if sfid == "" {
			return outcome{kind: rejected, code: "NO_CENTRAL_ID", status: http.StatusNotFound,
				body: mustJSON([]sfwire.Error{{Message: sfwire.MsgNotFound, ErrorCode: sfwire.CodeNotFound, Fields: []string{}}})}
		}
		method, path = http.MethodPatch, "/sobjects/"+r.Object+"/"+url.PathEscape(sfid)
		if r.Op == store.OpDelete {
			method, body = http.MethodDelete, nil
		}
		rep, err := f.up.do(ctx, method, path, body)
		if err != nil {
			return failed(err)
		}
		switch {
		case rep.status == http.StatusNoContent || rep.status == http.StatusOK:
			return outcome{kind: delivered, sfid: sfid}
		case rep.status == http.StatusNotFound && r.Op == store.OpDelete:
			return outcome{kind: delivered, sfid: sfid} // already gone: a repeated delete
		}
		return rejectedReply(rep)
	}
	rep, err := f.up.do(ctx, method, path, body)
	if err != nil {
		return failed(err)
	}
	if rep.status != http.StatusCreated && rep.status != http.StatusOK {
		return rejectedReply(rep)
	}
	var res sfwire.SaveResult
	if json.Unmarshal(rep.body, &res) != nil || res.ID == nil {
		return outcome{kind: transient, code: "UPSTREAM_BAD_ANSWER"}
	}
	created := rep.status == http.StatusCreated
	return outcome{kind: delivered, sfid: *res.ID, created: &created}
}

func (f *Face) deliverMany(ctx context.Context, reg *regional, rows []store.OutboxRow, chunk []int, outs []outcome, allOrNone bool) {
	first := &rows[chunk[0]]
	var method, path string
	var buf bytes.Buffer
	switch first.Op {
	case store.OpDelete:
		ids := make([]string, 0, len(chunk))
		sent := make([]int, 0, len(chunk))
		for _, i := range chunk {
			sfid, err := reg.st.SFID(ctx, rows[i].LocalID)
			switch {
			case err != nil:
				outs[i] = outcome{kind: transient, code: "STORE_READ"}
			case sfid == "":
				outs[i] = outcome{kind: rejected, code: "NO_CENTRAL_ID", errs: []sfwire.StatusError{{StatusCode: sfwire.CodeNotFound, Message: sfwire.MsgNotFound, Fields: []string{}}}}
			default:
				ids = append(ids, sfid)
				sent = append(sent, i)
			}
		}
		if len(ids) == 0 {
			return
		}
		p := "/composite/sobjects?ids=" + strings.Join(ids, ",")
		if allOrNone {
			p += "&allOrNone=true"
		}
		f.collectionCall(ctx, http.MethodDelete, p, nil, sent, outs, true)
		return
	case store.OpUpsert:
		method, path = http.MethodPatch, "/composite/sobjects/"+first.Object+"/"+f.sf.SyncIDField
	case store.OpUpsertExternal:
		method, path = http.MethodPatch, "/composite/sobjects/"+first.Object+"/"+first.ExtField
	case store.OpUpdate:
		method, path = http.MethodPatch, "/composite/sobjects"
	}
	buf.WriteString(`{"allOrNone":`)
	buf.WriteString(strconv.FormatBool(allOrNone))
	buf.WriteString(`,"records":[`)
	sent := make([]int, 0, len(chunk))
	for _, i := range chunk {
		r := &rows[i]
		payload, o := f.resolveRefs(ctx, r.Tenant, r.Payload)
		if o != nil {
			outs[i] = *o
			continue
		}
		rec := withFields(payload, "attributes", json.RawMessage(`{"type":`+string(jsonString(r.Object))+`}`))
		switch r.Op {
		case store.OpUpsert:
			rec = withFields(rec, f.sf.SyncIDField, r.LocalID)
		case store.OpUpsertExternal:
			rec = withFields(rec, r.ExtField, r.ExtValue, f.sf.SyncIDField, r.LocalID)
		case store.OpUpdate:
			sfid, err := reg.st.SFID(ctx, r.LocalID)
			if err != nil || sfid == "" {
				outs[i] = outcome{kind: rejected, code: "NO_CENTRAL_ID", errs: []sfwire.StatusError{{StatusCode: sfwire.CodeNotFound, Message: sfwire.MsgNotFound, Fields: []string{}}}}
				if err != nil {
					outs[i] = outcome{kind: transient, code: "STORE_READ"}
				}
				continue
			}
			rec = withFields(rec, "id", sfid)
		}
		if len(sent) > 0 {
			buf.WriteByte(',')
		}
		buf.Write(rec)
		sent = append(sent, i)
	}
	buf.WriteString("]}")
	if len(sent) == 0 {
		return
	}
	f.collectionCall(ctx, method, path, buf.Bytes(), sent, outs, false)
}

// collectionCall sends one sObject Collections call and maps its results.
func (f *Face) collectionCall(ctx context.Context, method, path string, body []byte, sent []int, outs []outcome, isDelete bool) {
	rep, err := f.up.do(ctx, method, path, body)
	if err != nil {
		for _, i := range sent {
			outs[i] = failed(err)
		}
		return
	}
	var results []sfwire.SaveResult
	if rep.status != http.StatusOK || json.Unmarshal(rep.body, &results) != nil || len(results) != len(sent) {
		o := rejectedReply(rep)
		var errs []sfwire.Error
		_ = json.Unmarshal(rep.body, &errs)
		for _, e := range errs {
			o.errs = append(o.errs, sfwire.StatusError{StatusCode: e.ErrorCode, Message: e.Message, Fields: nonNil(e.Fields)})
		}
		for _, i := range sent {
			outs[i] = o
		}
		return
	}
	for k, i := range sent {
		res := results[k]
		switch {
		case res.Success && res.ID != nil:
			outs[i] = outcome{kind: delivered, sfid: *res.ID, created: res.Created}
		case isDelete && len(res.Errors) > 0 && res.Errors[0].StatusCode == sfwire.CodeInvalidID:
			outs[i] = outcome{kind: delivered} // already gone
		default:
			code := "REJECTED"
			if len(res.Errors) > 0 {
				code = safeCode(res.Errors[0].StatusCode)
			}
			outs[i] = outcome{kind: rejected, code: code, errs: res.Errors}
		}
	}
}

// resolveRefs replaces local ids in a payload's string values (a reference
// field such as AccountId set to a record that was itself queued) with the
// org's Ids. A referenced record that has no central Id yet makes the row
// wait (a transient outcome); an unknown id is sent as is for the org to judge.
func (f *Face) resolveRefs(ctx context.Context, tenant string, payload []byte) ([]byte, *outcome) {
	if !bytes.Contains(payload, []byte(`"`+localPrefix)) {
		return payload, nil
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(payload, &m) != nil {
		return payload, nil
	}
	changed := false
	for k, v := range m {
		var s string
		if json.Unmarshal(v, &s) != nil || !isLocalID(s) {
			continue
		}
		_, rec, err := f.locate(ctx, s)
		switch {
		case err != nil:
			return nil, &outcome{kind: transient, code: "STORE_READ"}
		case rec == nil || rec.Tenant != tenant:
			continue
		case rec.SFID == "":
			return nil, &outcome{kind: transient, code: "WAITING_FOR_REFERENCE"}
		}
		m[k], changed = jsonString(rec.SFID), true
	}
	if !changed {
		return payload, nil
	}
	return mustJSON(m), nil
}

// failed maps a call that got no usable answer: worth retrying, including an
// authentication failure (the gateway's credentials, not the client's fault).
func failed(err error) outcome {
	var t *transientError
	if errors.As(err, &t) {
		return outcome{kind: transient, code: t.code}
	}
	return outcome{kind: transient, code: "UPSTREAM_AUTH"}
}

// rejectedReply turns a refusal into an outcome that keeps the org's answer.
func rejectedReply(rep *reply) outcome {
	code := "REJECTED_" + strconv.Itoa(rep.status)
	var errs []sfwire.Error
	if json.Unmarshal(rep.body, &errs) == nil && len(errs) > 0 {
		code = safeCode(errs[0].ErrorCode)
	}
	return outcome{kind: rejected, code: code, status: rep.status, body: rep.body}
}

// withFields adds key/value pairs in front of a JSON object's members.
func withFields(obj []byte, kv ...any) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(jsonString(kv[i].(string)))
		b.WriteByte(':')
		switch v := kv[i+1].(type) {
		case json.RawMessage:
			b.Write(v)
		case string:
			b.Write(jsonString(v))
		}
	}
	rest := bytes.TrimSpace(obj)
	if len(rest) > 2 {
		b.WriteByte(',')
		b.Write(rest[1:])
	} else {
		b.WriteByte('}')
	}
	return b.Bytes()
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}
