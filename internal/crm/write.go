package crm

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/sovereign-gateway/sovereign/internal/audit"
	"github.com/sovereign-gateway/sovereign/internal/config"
	"github.com/sovereign-gateway/sovereign/internal/crm/sfwire"
	"github.com/sovereign-gateway/sovereign/internal/store"
)

// Client-facing operations.
const (
	opCreate = "create"
	opUpdate = "update"
	opUpsert = "upsert"
	opDelete = "delete"
)

// localPrefix starts every gateway-assigned id: 18 characters like a
// Salesforce Id, but never one (no Salesforce key prefix starts with "sv0").
const localPrefix = "sv0"

var idEnc = base32.NewEncoding("0123456789abcdefghijklmnopqrstuv").WithPadding(base32.NoPadding)

func newLocalID() string {
	var b [10]byte
	_, _ = rand.Read(b[:])
	return localPrefix + idEnc.EncodeToString(b[:])[:15]
}

func isLocalID(id string) bool { return len(id) == 18 && strings.HasPrefix(id, localPrefix) }

// item is one record write, alone or inside a collection.
type item struct {
	op       string
	object   string
	fields   map[string]json.RawMessage
	id       string // update, delete: the id the client gave
	extField string // upsert
	extValue string // upsert: the client's value

	obj      *objectPolicy
	reg      *regional
	jur      string
	mech     string
	min      *minimized
	localID  string
	sfid     string // known central Id (update, delete, upsert of a known record)
	extSent  string // upsert: the external id value the org receives
	created  bool   // a new local record
	row      *store.OutboxRow
	claimed  bool
	fail     *failure
	out      outcome
	bytesIn  int
	auditRec *audit.Record
}

// failure is a refusal by the gateway, before anything was written.
type failure struct {
	status int
	code   string
	msg    string
	fields []string
}

func (e *failure) write(w http.ResponseWriter) {
	sfwire.WriteErrors(w, e.status, sfwire.Error{Message: e.msg, ErrorCode: e.code, Fields: e.fields})
}

func (e *failure) statusError() sfwire.StatusError {
	return sfwire.StatusError{StatusCode: e.code, Message: e.msg, Fields: nonNil(e.fields)}
}

// writeOne serves a single-record write and answers as Salesforce would.
func (rq *request) writeOne(it *item, hasBody bool) {
	if hasBody {
		fields, err := decodeFields(rq.body)
		if err != nil {
			sfwire.WriteErrors(rq.w, http.StatusBadRequest, sfwire.Error{Message: err.Error(), ErrorCode: sfwire.CodeJSONParser})
			return
		}
		it.fields = fields
		it.bytesIn = len(rq.body)
	}
	items := []*item{it}
	if err := rq.write(items, false); err != nil {
		rq.storeError(err)
		return
	}
	if it.fail != nil {
		it.fail.write(rq.w)
		return
	}
	queued := it.out.kind == transient || it.out.kind == 0
	if queued {
		rq.w.Header().Set(HeaderDelivery, "queued")
	}
	if it.out.kind == rejected {
		if it.out.body != nil {
			writeRaw(rq.w, it.out.status, it.out.body)
			return
		}
		writeStatusErrors(rq.w, it.out.errs)
		return
	}
	id := it.answerID()
	switch it.op {
	case opCreate:
		sfwire.WriteJSON(rq.w, http.StatusCreated, sfwire.Success(id, nil))
	case opUpsert:
		created := it.created
		if it.out.created != nil {
			created = *it.out.created
		}
		status := http.StatusOK
		if created {
			status = http.StatusCreated
		}
		sfwire.WriteJSON(rq.w, status, sfwire.Success(id, &created))
	default:
		rq.w.WriteHeader(http.StatusNoContent)
	}
}

// answerID is the Id the client gets: the org's when known, else the local id.
func (it *item) answerID() string {
	switch {
	case it.out.sfid != "":
		return it.out.sfid
	case it.sfid != "":
		return it.sfid
	}
	return it.localID
}

func writeStatusErrors(w http.ResponseWriter, errs []sfwire.StatusError) {
	out := make([]sfwire.Error, 0, len(errs))
	for _, e := range errs {
		out = append(out, sfwire.Error{Message: e.Message, ErrorCode: e.StatusCode, Fields: e.Fields})
	}
	if len(out) == 0 {
		out = append(out, sfwire.Error{Message: "the central org refused the record", ErrorCode: sfwire.CodeUnknown})
	}
	sfwire.WriteErrors(w, http.StatusBadRequest, out...)
}

func (rq *request) storeError(err error) {
	rq.f.log.Error("crm write failed", slog.String("request_id", rq.rid), slog.String("error", err.Error()))
	status, code, msg := http.StatusServiceUnavailable, sfwire.CodeServerUnavailable, "the regional store is unavailable; nothing was written"
	if errors.Is(err, errAudit) {
		msg = "the audit log is unavailable; nothing was written"
	}
	sfwire.WriteErrors(rq.w, status, sfwire.Error{Message: msg, ErrorCode: code})
}

var errAudit = errors.New("crm: audit append failed")

// decodeFields parses a record body into its fields, without attributes.
func decodeFields(b []byte) (map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil, errors.New("malformed JSON: expecting a JSON object with the record's fields")
	}
	if dec.More() {
		return nil, errors.New("malformed JSON: trailing data after the record")
	}
	delete(m, "attributes")
	return m, nil
}

// write decides, records, commits and delivers items. Items the gateway
// refuses get fail set; with allOrNone one refusal refuses all. A store or
// audit failure returns an error and nothing was written.
func (rq *request) write(items []*item, allOrNone bool) error {
	ctx := rq.r.Context()
	for _, it := range items {
		rq.prepare(ctx, it)
	}
	if allOrNone && slices.ContainsFunc(items, func(it *item) bool { return it.fail != nil }) {
		for _, it := range items {
			if it.fail == nil {
				it.fail = &failure{status: http.StatusBadRequest, code: sfwire.CodeRolledBack, msg: sfwire.MsgRolledBack}
			}
		}
	}
	// Record every decision before anything is written: a write the audit
	// log cannot hold does not happen.
	for _, it := range items {
		if err := rq.audit(ctx, it); err != nil {
			return err
		}
	}
	byStore := map[*regional][]*item{}
	var regs []*regional
	for _, it := range items {
		if it.fail != nil {
			continue
		}
		if _, ok := byStore[it.reg]; !ok {
			regs = append(regs, it.reg)
		}
		byStore[it.reg] = append(byStore[it.reg], it)
	}
	for _, reg := range regs {
		if err := rq.commit(ctx, reg, byStore[reg]); err != nil {
			return err
		}
	}
	if rq.f.afterCmt != nil && len(regs) > 0 {
		rq.f.afterCmt()
	}
	queued := false
	for _, reg := range regs {
		var rows []store.OutboxRow
		var its []*item
		for _, it := range byStore[reg] {
			switch {
			case it.row == nil:
				it.out = outcome{kind: delivered} // nothing for the org: all fields stay local
			case it.claimed:
				rows = append(rows, *it.row)
				its = append(its, it)
			default:
				queued = true // waits behind an earlier row of the same record
			}
		}
		if len(rows) == 0 {
			continue
		}
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), rq.f.sf.Delivery.Timeout)
		outs := rq.f.deliver(dctx, reg, rows, allOrNone)
		cancel()
		if err := rq.f.settle(ctx, reg, rows, outs, true); err != nil {
			return err
		}
		for i, it := range its {
			it.out = outs[i]
			if outs[i].kind == transient {
				queued = true
			}
			if outs[i].kind == rejected {
				rq.auditRejected(ctx, it)
			}
		}
	}
	if queued {
		rq.f.kick()
	}
	return nil
}

// prepare decides where a record lives and what the org gets, reading but
// not writing the stores.
func (rq *request) prepare(ctx context.Context, it *item) {
	f := rq.f
	it.obj = f.policy[it.object]
	if it.obj == nil {
		it.fail = &failure{status: http.StatusNotFound, code: sfwire.CodeNotFound, msg: sfwire.MsgNotFound}
		return
	}
	tk, ok := f.tenants[rq.caller.Tenant]
	if !ok {
		it.fail = &failure{status: http.StatusForbidden, code: sfwire.CodeInsufficient, msg: "the caller's tenant has no token key for the CRM face"}
		return
	}
	if it.fields == nil {
		it.fields = map[string]json.RawMessage{}
	}
	delete(it.fields, "Id")
	delete(it.fields, "id")
	if _, ok := it.fields[f.sf.SyncIDField]; ok {
		it.fail = &failure{status: http.StatusBadRequest, code: sfwire.CodeInvalidField, msg: f.sf.SyncIDField + " is set by the gateway", fields: []string{f.sf.SyncIDField}}
		return
	}
	stated, fail := f.statedJurisdiction(it.obj, it.fields)
	if fail != nil {
		it.fail = fail
		return
	}
	switch it.op {
	case opCreate:
		it.localID, it.created = newLocalID(), true
	case opUpdate, opDelete:
		reg, rec, err := f.locate(ctx, it.id)
		switch {
		case err != nil:
			it.fail = &failure{status: http.StatusServiceUnavailable, code: sfwire.CodeServerUnavailable, msg: "the regional store is unavailable"}
			return
		case rec != nil:
			if stated != "" && stated != reg.jurisdiction {
				it.fail = &failure{status: http.StatusBadRequest, code: "FIELD_INTEGRITY_EXCEPTION",
					msg: "the record's subject lives in jurisdiction " + reg.jurisdiction + "; moving a subject between jurisdictions is not supported through the CRM face", fields: []string{it.obj.jurisdictionField}}
				return
			}
			if rec.Object != it.object || rec.Tenant != rq.caller.Tenant || (rec.Deleted && it.op == opUpdate) {
				it.fail = &failure{status: http.StatusNotFound, code: sfwire.CodeNotFound, msg: sfwire.MsgNotFound}
				return
			}
			it.reg, it.jur, it.localID, it.sfid = reg, reg.jurisdiction, rec.LocalID, rec.SFID
		case isLocalID(it.id):
			it.fail = &failure{status: http.StatusNotFound, code: sfwire.CodeNotFound, msg: sfwire.MsgNotFound}
			return
		default:
			// A record the org has but the gateway never saw: adopt it.
			it.localID, it.sfid, it.created = newLocalID(), it.id, true
		}
	case opUpsert:
		if fail := rq.prepareUpsert(ctx, it, tk, stated); fail != nil {
			it.fail = fail
			return
		}
	}
	if it.jur == "" {
		it.jur = stated
		if it.jur == "" {
			if !rq.jurSet {
				it.fail = &failure{status: http.StatusForbidden, code: sfwire.CodeInsufficient,
					msg: "the data subject's jurisdiction is unknown: send the Sovereign-Jurisdiction header" + jurFieldHint(it.obj)}
				return
			}
			it.jur = rq.caller.Jurisdiction
		}
	}
	if !slices.Contains(rq.caller.Client.Jurisdictions, it.jur) {
		it.fail = &failure{status: http.StatusForbidden, code: sfwire.CodeInsufficient,
			msg: fmt.Sprintf("data subjects of jurisdiction %s are not allowed for this client", it.jur)}
		return
	}
	if it.reg == nil {
		if it.reg = f.stores[it.jur]; it.reg == nil {
			it.fail = &failure{status: http.StatusForbidden, code: sfwire.CodeInsufficient,
				msg: fmt.Sprintf("no regional store holds records of jurisdiction %s, so they cannot pass the CRM face", it.jur)}
			return
		}
	}
	it.mech = f.cfg.Mechanism(it.jur, f.dest, f.now())
	if it.op == opUpsert {
		if fail := f.upsertValue(it, tk); fail != nil {
			it.fail = fail
			return
		}
	}
	if it.op != opDelete {
		it.min = f.minimize(it.obj, tk, it.mech, it.fields)
		if it.op == opUpsert {
			delete(it.min.central, it.extField) // it travels in the URL
		}
	}
}

func jurFieldHint(obj *objectPolicy) string {
	if obj.jurisdictionField == "" {
		return ""
	}
	return " or set " + obj.jurisdictionField
}

// statedJurisdiction maps the object's jurisdiction field, when present, to
// a jurisdiction id. A value that maps to none is an error: the record says
// where its subject is, and the gateway does not know that place.
func (f *Face) statedJurisdiction(obj *objectPolicy, fields map[string]json.RawMessage) (string, *failure) {
	if obj.jurisdictionField == "" {
		return "", nil
	}
	raw, ok := fields[obj.jurisdictionField]
	if !ok {
		return "", nil
	}
	var s string
	if json.Unmarshal(raw, &s) != nil || strings.TrimSpace(s) == "" {
		return "", nil
	}
	s = strings.TrimSpace(s)
	if _, ok := f.cfg.Jurisdiction(s); ok {
		return s, nil
	}
	if j, ok := f.cfg.JurisdictionOfCountry(strings.ToUpper(s)); ok {
		return j, nil
	}
	return "", &failure{status: http.StatusBadRequest, code: "FIELD_INTEGRITY_EXCEPTION",
		msg: obj.jurisdictionField + " must be an ISO 3166 alpha-2 country code of a configured jurisdiction", fields: []string{obj.jurisdictionField}}
}

// locate finds a record by the org's Id or the local id in every store.
func (f *Face) locate(ctx context.Context, id string) (*regional, *store.Record, error) {
	for _, reg := range f.storeList {
		var rec *store.Record
		var err error
		if isLocalID(id) {
			rec, err = reg.st.Record(ctx, id)
		} else {
			rec, err = reg.st.RecordBySFID(ctx, id)
		}
		switch {
		case err == nil:
			return reg, rec, nil
		case !errors.Is(err, store.ErrNotFound):
			return nil, nil, err
		}
	}
	return nil, nil, nil
}

// prepareUpsert finds the record an external id value names, in any store.
func (rq *request) prepareUpsert(ctx context.Context, it *item, tk tokenizer, stated string) *failure {
	f := rq.f
	// Only declared fields can be external ids: the gateway must know how
	// the org receives the value.
	rule, ok := it.obj.fields[it.extField]
	if !ok {
		return &failure{status: http.StatusNotFound, code: sfwire.CodeNotFound,
			msg: "Provided external ID field does not exist or is not accessible: " + it.extField}
	}
	if v, ok := it.fields[it.extField]; ok {
		var s string
		if json.Unmarshal(v, &s) != nil || s != it.extValue {
			return &failure{status: http.StatusBadRequest, code: sfwire.CodeInvalidField, msg: "The external ID field in the body must match the one in the URL", fields: []string{it.extField}}
		}
	}
	it.fields[it.extField] = jsonString(it.extValue)
	key := tk.token(rule.tokenType(), it.extValue)
	for _, reg := range f.storeList {
		id, err := reg.st.External(ctx, rq.caller.Tenant, it.object, it.extField, key)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return &failure{status: http.StatusServiceUnavailable, code: sfwire.CodeServerUnavailable, msg: "the regional store is unavailable"}
		}
		rec, err := reg.st.Record(ctx, id)
		if err != nil {
			continue
		}
		if stated != "" && stated != reg.jurisdiction {
			return &failure{status: http.StatusBadRequest, code: "FIELD_INTEGRITY_EXCEPTION",
				msg: "the record's subject lives in jurisdiction " + reg.jurisdiction + "; moving a subject between jurisdictions is not supported through the CRM face", fields: []string{it.obj.jurisdictionField}}
		}
		it.reg, it.jur, it.localID, it.sfid = reg, reg.jurisdiction, rec.LocalID, rec.SFID
		return nil
	}
	it.localID, it.created = newLocalID(), true
	return nil
}

// upsertValue decides what external id value the org receives: the value
// itself when the field is kept, its token when tokenized. Masked or dropped
// fields cannot identify a record centrally.
func (f *Face) upsertValue(it *item, tk tokenizer) *failure {
	rule := it.obj.fields[it.extField]
	action, _ := rule.actionFor(it.mech)
	switch action {
	case config.FieldKeep:
		it.extSent = it.extValue
	case config.FieldTokenize:
		it.extSent = format(tk.token(rule.tokenType(), it.extValue), rule.typ == "email" || (rule.typ == "" && emailLike.MatchString(it.extValue)))
	default:
		return &failure{status: http.StatusBadRequest, code: sfwire.CodeInvalidField,
			msg: "external id field " + it.extField + " is " + action + "ed before the org; upsert needs keep or tokenize", fields: []string{it.extField}}
	}
	return nil
}

// commit writes one store's items in one transaction: full records, tokens,
// external id mappings and outbox rows.
func (rq *request) commit(ctx context.Context, reg *regional, items []*item) error {
	tenant := rq.caller.Tenant
	err := reg.st.Update(ctx, func(tx *store.Tx) error {
		for _, it := range items {
			it.row, it.claimed = nil, false
			localID := it.localID
			if it.op == opUpsert {
				key := rq.f.tenants[tenant].token(it.obj.fields[it.extField].tokenType(), it.extValue)
				id, err := tx.External(ctx, tenant, it.object, it.extField, key)
				switch {
				case err == nil:
					localID = id
				case !errors.Is(err, store.ErrNotFound):
					return err
				}
				if err := tx.PutExternal(ctx, tenant, it.object, it.extField, key, localID); err != nil {
					return err
				}
			}
			prev, pv, err := tx.PrevFields(ctx, localID)
			if err != nil {
				return err
			}
			rec := &store.Record{LocalID: localID, Object: it.object, Tenant: tenant, Jurisdiction: reg.jurisdiction, Version: pv + 1}
			if pv > 0 {
				cur, err := tx.Record(ctx, localID)
				if err != nil {
					return err
				}
				rec.Fields, rec.SFID = cur.Fields, cur.SFID
				it.sfid = cur.SFID
				it.created = false
			} else {
				rec.Fields, rec.SFID = map[string]json.RawMessage{}, it.sfid
			}
			it.localID = localID
			row := &store.OutboxRow{LocalID: localID, Tenant: tenant, Object: it.object, Version: rec.Version, PrevVersion: pv}
			switch it.op {
			case opDelete:
				rec.Deleted, rec.Fields = true, map[string]json.RawMessage{}
				row.Op = store.OpDelete
			default:
				for k, v := range it.fields {
					rec.Fields[k] = v
				}
				for _, t := range it.min.tokens {
					if err := tx.PutToken(ctx, tenant, t.token, t.typ, []byte(t.value)); err != nil {
						return err
					}
				}
				row.Op, row.Payload = store.OpUpdate, mustJSON(it.min.central)
				switch {
				case it.op == opUpsert:
					row.Op, row.ExtField, row.ExtValue = store.OpUpsertExternal, it.extField, it.extSent
				case pv == 0 && it.sfid == "":
					row.Op = store.OpUpsert
				}
			}
			if err := tx.PutRecord(ctx, rec); err != nil {
				return err
			}
			if row.Op == store.OpUpdate && len(it.min.central) == 0 {
				continue // every field stays in the region: nothing for the org
			}
			busy, err := tx.Unfinished(ctx, localID)
			if err != nil {
				return err
			}
			if err := tx.Enqueue(ctx, row, prev, !busy); err != nil {
				return err
			}
			it.row, it.claimed = row, !busy
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("crm: commit to store %s: %w", reg.region, err)
	}
	return nil
}
