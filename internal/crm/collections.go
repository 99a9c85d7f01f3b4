package crm

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/sovereign-gateway/sovereign/internal/crm/sfwire"
)

type collectionBody struct {
	AllOrNone bool              `json:"allOrNone"`
	Records   []json.RawMessage `json:"records"`
	IDs       []string          `json:"ids"`
	Fields    []string          `json:"fields"`
}

// collections serves sObject Collections: POST create, PATCH update, PATCH
// /{type}/{extField} upsert, DELETE ?ids=, and GET or POST /{type} retrieve.
func (rq *request) collections(p []string) {
	if len(p) > 0 && p[0] == "" {
		p = p[:0]
	}
	var body collectionBody
	if len(bytes.TrimSpace(rq.body)) > 0 {
		if err := json.Unmarshal(rq.body, &body); err != nil {
			rq.refuse(http.StatusBadRequest, sfwire.CodeJSONParser, `malformed JSON: expecting {"allOrNone":..., "records":[...]}`)
			return
		}
	}
	m := rq.r.Method
	if m == http.MethodDelete || m == http.MethodGet {
		q := rq.r.URL.Query()
		if ids := q.Get("ids"); ids != "" {
			body.IDs = strings.Split(ids, ",")
		}
		body.AllOrNone = q.Get("allOrNone") == "true"
		if fs := q.Get("fields"); fs != "" {
			body.Fields = strings.Split(fs, ",")
		}
	}
	if len(body.Records) > sfwire.MaxCollection || len(body.IDs) > sfwire.MaxCollection {
		rq.refuse(http.StatusBadRequest, sfwire.CodeExceededIDLimit, sfwire.MsgCollectionLimit)
		return
	}
	switch {
	case len(p) == 0 && m == http.MethodPost:
		rq.writeMany(body, opCreate, "", "")
	case len(p) == 0 && m == http.MethodPatch:
		rq.writeMany(body, opUpdate, "", "")
	case len(p) == 2 && m == http.MethodPatch:
		if _, ok := rq.f.policy[p[0]]; !ok {
			rq.notFound()
			return
		}
		rq.writeMany(body, opUpsert, p[0], p[1])
	case len(p) == 0 && m == http.MethodDelete:
		items := make([]*item, len(body.IDs))
		for i, id := range body.IDs {
			items[i] = &item{op: opDelete, id: strings.TrimSpace(id)}
			if reg, rec, err := rq.f.locate(rq.r.Context(), items[i].id); err == nil && rec != nil && reg != nil {
				items[i].object = rec.Object
			} else {
				items[i].fail = &failure{status: http.StatusBadRequest, code: sfwire.CodeInvalidID, msg: "invalid record id"}
			}
		}
		rq.finishMany(items, body.AllOrNone)
	case len(p) == 1 && (m == http.MethodGet || m == http.MethodPost):
		obj, ok := rq.f.policy[p[0]]
		if !ok {
			rq.notFound()
			return
		}
		rq.retrieveMany(obj, body.IDs, body.Fields)
	default:
		rq.notFound()
	}
}

// writeMany turns collection records into items and writes them together.
func (rq *request) writeMany(body collectionBody, op, object, extField string) {
	items := make([]*item, len(body.Records))
	for i, raw := range body.Records {
		it := &item{op: op, object: object, extField: extField, bytesIn: len(raw)}
		items[i] = it
		var attrs struct {
			Attributes struct {
				Type string `json:"type"`
			} `json:"attributes"`
			ID  string `json:"id"`
			ID2 string `json:"Id"`
		}
		fields, err := decodeFields(raw)
		if err != nil || json.Unmarshal(raw, &attrs) != nil {
			it.fail = &failure{status: http.StatusBadRequest, code: sfwire.CodeJSONParser, msg: "malformed record"}
			continue
		}
		it.fields = fields
		switch {
		case attrs.Attributes.Type == "" && object == "":
			it.fail = &failure{status: http.StatusBadRequest, code: sfwire.CodeInvalidType, msg: "No SObject Type defined in record"}
			continue
		case object != "" && attrs.Attributes.Type != "" && attrs.Attributes.Type != object:
			it.fail = &failure{status: http.StatusBadRequest, code: sfwire.CodeInvalidType, msg: "record type does not match the URL"}
			continue
		case object == "":
			it.object = attrs.Attributes.Type
		}
		if rq.f.policy[it.object] == nil {
			it.fail = &failure{status: http.StatusBadRequest, code: sfwire.CodeInvalidType, msg: "sObject type '" + safeCode(it.object) + "' is not supported."}
			continue
		}
		switch op {
		case opUpdate:
			it.id = attrs.ID
			if it.id == "" {
				it.id = attrs.ID2
			}
			if it.id == "" {
				it.fail = &failure{status: http.StatusBadRequest, code: sfwire.CodeInvalidID, msg: "Record id is not found in record"}
			}
		case opUpsert:
			var v string
			if json.Unmarshal(fields[extField], &v) != nil || v == "" {
				it.fail = &failure{status: http.StatusBadRequest, code: sfwire.CodeRequiredMissing, msg: "External ID field value is missing", fields: []string{extField}}
				continue
			}
			it.extValue = v
		}
	}
	rq.finishMany(items, body.AllOrNone)
}

// finishMany writes the items and answers with one save result per record.
func (rq *request) finishMany(items []*item, allOrNone bool) {
	var todo []*item
	for _, it := range items {
		if it.fail == nil {
			todo = append(todo, it)
		}
	}
	if allOrNone && len(todo) < len(items) {
		todo = nil // write() would refuse them all; skip the work
		for _, it := range items {
			if it.fail == nil {
				it.fail = &failure{status: http.StatusBadRequest, code: sfwire.CodeRolledBack, msg: sfwire.MsgRolledBack}
			}
		}
	}
	if len(todo) > 0 {
		if err := rq.write(todo, allOrNone); err != nil {
			rq.storeError(err)
			return
		}
	}
	results := make([]sfwire.SaveResult, len(items))
	queued := false
	for i, it := range items {
		switch {
		case it.fail != nil:
			results[i] = sfwire.SaveResult{Success: false, Errors: []sfwire.StatusError{it.fail.statusError(rq.rid)}}
			if it.op == opDelete && it.id != "" {
				results[i].ID = sfwire.Ptr(it.id)
			}
		case it.out.kind == rejected:
			errs := it.out.errs
			if len(errs) == 0 {
				var e []sfwire.Error
				_ = json.Unmarshal(it.out.body, &e)
				for _, x := range e {
					errs = append(errs, sfwire.StatusError{StatusCode: x.ErrorCode, Message: x.Message, Fields: nonNil(x.Fields)})
				}
			}
			results[i] = sfwire.SaveResult{Success: false, Errors: nonNilErrs(errs)}
		default:
			if it.out.kind != delivered {
				queued = true
			}
			var created *bool
			if it.op == opUpsert {
				c := it.created
				if it.out.created != nil {
					c = *it.out.created
				}
				created = &c
			}
			results[i] = sfwire.Success(it.answerID(), created)
		}
	}
	if queued {
		rq.w.Header().Set(HeaderDelivery, "queued")
	}
	sfwire.WriteJSON(rq.w, http.StatusOK, results)
}

func nonNilErrs(e []sfwire.StatusError) []sfwire.StatusError {
	if e == nil {
		return []sfwire.StatusError{}
	}
	return e
}
