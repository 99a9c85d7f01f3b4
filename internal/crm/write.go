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
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/sovereign-gateway/sovereign/internal/audit"
	"github.com/sovereign-gateway/sovereign/internal/crm/sfwire"
	"github.com/sovereign-gateway/sovereign/internal/policy"
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
	err      error // a failure that refuses the whole request
	lateFail bool  // fail was set inside the commit, after the decision was recorded
}

// LogValue shows what an item is about, never its field values.
func (it *item) LogValue() slog.Value {
	return slog.GroupValue(slog.String("op", it.op), slog.String("object", it.object),
		slog.String("local_id", it.localID), slog.String("jurisdiction", it.jur), slog.Int("fields", len(it.fields)))
}

var _ slog.LogValuer = (*item)(nil)

// failure is a refusal by the gateway, before anything was written.
type failure struct {
	status int
	code   string
	msg    string
	fields []string
}

func (rq *request) refuseWith(e *failure) { rq.refuse(e.status, e.code, e.msg, e.fields...) }

func (e *failure) statusError(rid string) sfwire.StatusError {
	return sfwire.StatusError{StatusCode: e.code, Message: e.msg + " (request " + rid + ")", Fields: nonNil(e.fields)}
}

// writeOne serves a single-record write and answers as Salesforce would.
func (rq *request) writeOne(it *item, hasBody bool) {
	if hasBody {
		fields, err := decodeFields(rq.body)
		if err != nil {
			rq.refuse(http.StatusBadRequest, sfwire.CodeJSONParser, err.Error())
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
		rq.refuseWith(it.fail)
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
	status, code, msg := http.StatusServiceUnavailable, sfwire.CodeServerUnavailable, "the regional store is unavailable; nothing was sent to the org"
	switch {
	case errors.Is(err, errAudit):
		msg = "the audit log is unavailable; nothing was written or sent to the org"
	case errors.Is(err, errPolicy):
		status, code, msg = http.StatusInternalServerError, sfwire.CodeUnknown, "the transfer policy could not be evaluated; nothing was written or sent to the org"
	}
	rq.refuse(status, code, msg)
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
// refuses get fail set; with allOrNone one refusal refuses all. A policy,
// store or audit failure returns an error and nothing was sent to the org.
func (rq *request) write(items []*item, allOrNone bool) error {
	ctx := rq.r.Context()
	for _, it := range items {
		rq.prepare(ctx, it)
	}
	for _, it := range items {
		if it.err != nil {
			// Fail closed: record the refusal (best effort: the cause may
			// be the audit log itself) and write nothing.
			it.fail = &failure{status: http.StatusInternalServerError, code: sfwire.CodeUnknown, msg: "policy evaluation failed"}
			_ = rq.audit(ctx, it, "policy_error")
			return it.err
		}
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
		if err := rq.audit(ctx, it, ""); err != nil {
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
	for _, it := range items {
		if it.lateFail {
			rq.auditLate(ctx, it)
		}
	}
	queued := false
	for _, reg := range regs {
		var rows []store.OutboxRow
		var its []*item
		for _, it := range byStore[reg] {
			switch {
			case it.fail != nil:
				// refused inside the commit: nothing written, nothing to send
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
	fields, fail := f.canonicalFields(it.obj, it.fields)
	if fail != nil {
		it.fail = fail
		return
	}
	it.fields = fields
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
				it.fail = movedSubject(reg.jurisdiction, it.obj)
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
	sj := rq.subject(it.jur, tk)
	it.mech = sj.dest.Mechanism
	if it.op == opDelete {
		return
	}
	if fail := f.checkExternalIDs(ctx, it, rq.caller.Tenant, tk); fail != nil {
		it.fail = fail
		return
	}
	min, err := f.minimize(it.obj, sj, it.fields)
	switch {
	case errors.Is(err, errPolicyBlock):
		it.min = min
		it.fail = &failure{status: http.StatusForbidden, code: codePolicyBlocked,
			msg: fmt.Sprintf("the transfer policy blocks records of jurisdiction %s from %s (rules: %s)", it.jur, f.dest.Name, strings.Join(min.rules, ", "))}
		return
	case err != nil:
		it.err = err
		return
	}
	it.min = min
	if it.op == opUpsert {
		// The org matches on what it receives in the URL: the kept value or
		// its token. A value the policy keeps in the region cannot match.
		var sent string
		if raw, ok := min.central[it.extField]; !ok || json.Unmarshal(raw, &sent) != nil || sent == "" {
			it.fail = &failure{status: http.StatusForbidden, code: codePolicyBlocked,
				msg: "the transfer policy keeps external id field " + it.extField + " in the region, so the org cannot match on it", fields: []string{it.extField}}
			return
		}
		it.extSent = sent
		delete(min.central, it.extField) // it travels in the URL
	}
}

// subject is the policy's view of a record of jurisdiction jur.
func (rq *request) subject(jur string, tk tokenizer) subject {
	f := rq.f
	return subject{tenant: rq.caller.Tenant, purpose: rq.caller.Purpose, jurisdiction: jur,
		dest: policy.DestinationFor(f.cfg, f.dest, jur, f.now()), tk: tk}
}

func movedSubject(jur string, obj *objectPolicy) *failure {
	return &failure{status: http.StatusBadRequest, code: codeFieldIntegrity,
		msg: "the record's subject lives in jurisdiction " + jur + "; moving a subject between jurisdictions is not supported through the CRM face", fields: []string{obj.jurisdictionField}}
}

// canonicalFields spells field names as the policy declares them (Salesforce
// names are case-insensitive) and drops the record's Id and attributes.
func (f *Face) canonicalFields(obj *objectPolicy, in map[string]json.RawMessage) (map[string]json.RawMessage, *failure) {
	out := make(map[string]json.RawMessage, len(in))
	for k, v := range in {
		if strings.EqualFold(k, "Id") || k == "attributes" {
			continue
		}
		if strings.EqualFold(k, f.sf.SyncIDField) {
			return nil, &failure{status: http.StatusBadRequest, code: sfwire.CodeInvalidField, msg: f.sf.SyncIDField + " is set by the gateway", fields: []string{f.sf.SyncIDField}}
		}
		c := obj.canonical(k)
		if _, dup := out[c]; dup {
			return nil, &failure{status: http.StatusBadRequest, code: sfwire.CodeInvalidField, msg: "duplicate field " + safeCode(c) + " in the record", fields: []string{c}}
		}
		out[c] = v
	}
	return out, nil
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
	return "", &failure{status: http.StatusBadRequest, code: codeFieldIntegrity,
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

// externalKey is the vault key of an external id value: its token, never
// the value.
func externalKey(tk tokenizer, rule fieldRule, value string) string {
	return tk.token(rule.tokenType(), value)
}

// externalOwner finds the local record an external id value belongs to.
func (f *Face) externalOwner(ctx context.Context, tenant string, obj *objectPolicy, field, key string) (*regional, string, error) {
	for _, reg := range f.storeList {
		id, err := reg.st.External(ctx, tenant, obj.name, field, key)
		switch {
		case err == nil:
			return reg, id, nil
		case !errors.Is(err, store.ErrNotFound):
			return nil, "", err
		}
	}
	return nil, "", nil
}

// checkExternalIDs refuses a write that gives another record's external id
// value, as the org would (DUPLICATE_VALUE).
func (f *Face) checkExternalIDs(ctx context.Context, it *item, tenant string, tk tokenizer) *failure {
	for _, name := range it.obj.externalIDs {
		v, ok := stringField(it.fields, name)
		if !ok || v == "" || (it.op == opUpsert && name == it.extField) {
			continue
		}
		_, owner, err := f.externalOwner(ctx, tenant, it.obj, name, externalKey(tk, it.obj.fields[name], v))
		switch {
		case err != nil:
			return &failure{status: http.StatusServiceUnavailable, code: sfwire.CodeServerUnavailable, msg: "the regional store is unavailable"}
		case owner != "" && owner != it.localID:
			return &failure{status: http.StatusBadRequest, code: codeDuplicateValue,
				msg: "duplicate value found: " + name + " duplicates value on record with id: " + owner, fields: []string{name}}
		}
	}
	return nil
}

func stringField(fields map[string]json.RawMessage, name string) (string, bool) {
	raw, ok := fields[name]
	if !ok {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// prepareUpsert finds the record an external id value names, in any store.
func (rq *request) prepareUpsert(ctx context.Context, it *item, tk tokenizer, stated string) *failure {
	f := rq.f
	it.extField = it.obj.canonical(it.extField)
	rule, ok := it.obj.fields[it.extField]
	if !ok || !rule.externalID {
		return &failure{status: http.StatusNotFound, code: sfwire.CodeNotFound,
			msg: "Provided external ID field does not exist or is not accessible: " + safeCode(it.extField)}
	}
	if v, ok := it.fields[it.extField]; ok {
		var s string
		if json.Unmarshal(v, &s) != nil || s != it.extValue {
			return &failure{status: http.StatusBadRequest, code: sfwire.CodeInvalidField, msg: "The external ID field in the body must match the one in the URL", fields: []string{it.extField}}
		}
	}
	if it.extValue == "" {
		return &failure{status: http.StatusBadRequest, code: sfwire.CodeRequiredMissing, msg: "External ID field value is missing", fields: []string{it.extField}}
	}
	it.fields[it.extField] = jsonString(it.extValue)
	reg, id, err := f.externalOwner(ctx, rq.caller.Tenant, it.obj, it.extField, externalKey(tk, rule, it.extValue))
	if err != nil {
		return &failure{status: http.StatusServiceUnavailable, code: sfwire.CodeServerUnavailable, msg: "the regional store is unavailable"}
	}
	if id != "" {
		rec, err := reg.st.Record(ctx, id)
		if err == nil && !rec.Deleted {
			if stated != "" && stated != reg.jurisdiction {
				return movedSubject(reg.jurisdiction, it.obj)
			}
			it.reg, it.jur, it.localID, it.sfid = reg, reg.jurisdiction, rec.LocalID, rec.SFID
			return nil
		}
	}
	it.localID, it.created = newLocalID(), true
	return nil
}

// commit writes one store's items in one transaction: full records, tokens,
// external id mappings and outbox rows.
func (rq *request) commit(ctx context.Context, reg *regional, items []*item) error {
	tenant := rq.caller.Tenant
	tk := rq.f.tenants[tenant]
	err := reg.st.Update(ctx, func(tx *store.Tx) error {
		for _, it := range items {
			it.row, it.claimed = nil, false
			localID := it.localID
			if it.op == opUpsert {
				// Another upsert of the same value may have committed since
				// prepare: the mapping in this transaction is the truth.
				id, err := tx.External(ctx, tenant, it.object, it.extField, externalKey(tk, it.obj.fields[it.extField], it.extValue))
				switch {
				case err == nil:
					localID = id
				case !errors.Is(err, store.ErrNotFound):
					return err
				}
			}
			// A create's local id is fresh: no earlier version, no earlier
			// outbox row to wait behind.
			fresh := it.op == opCreate
			var prev []byte
			var pv int64
			if !fresh {
				var err error
				if prev, pv, err = tx.PrevFields(ctx, localID); err != nil {
					return err
				}
			}
			rec := &store.Record{LocalID: localID, Object: it.object, Tenant: tenant, Jurisdiction: reg.jurisdiction, Version: pv + 1}
			var old map[string]json.RawMessage
			if pv > 0 {
				cur, err := tx.Record(ctx, localID)
				if err != nil {
					return err
				}
				rec.Fields, rec.SFID, old = cur.Fields, cur.SFID, maps.Clone(cur.Fields)
				if cur.Deleted {
					rec.Fields = map[string]json.RawMessage{}
				}
				it.sfid = cur.SFID
				it.created = cur.Deleted
			} else {
				rec.Fields, rec.SFID = map[string]json.RawMessage{}, it.sfid
			}
			it.localID = localID
			// Another request may have given the same external id value to
			// another record since prepare: the transaction decides.
			if fail, err := rq.duplicateInTx(ctx, tx, it, tk); err != nil {
				return err
			} else if fail != nil {
				it.fail, it.lateFail = fail, true
				continue
			}
			row := &store.OutboxRow{LocalID: localID, Tenant: tenant, Object: it.object, Version: rec.Version, PrevVersion: pv}
			switch it.op {
			case opDelete:
				rec.Deleted, rec.Fields = true, map[string]json.RawMessage{}
				row.Op = store.OpDelete
				if err := tx.DeleteExternals(ctx, localID); err != nil {
					return err
				}
			default:
				maps.Copy(rec.Fields, it.fields)
				if err := rq.putExternals(ctx, tx, it, tk, old, localID); err != nil {
					return err
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
				case it.sfid == "":
					row.Op = store.OpUpsert
				}
			}
			if err := tx.PutRecord(ctx, rec); err != nil {
				return err
			}
			if row.Op == store.OpUpdate && len(it.min.central) == 0 {
				continue // every field stays in the region: nothing for the org
			}
			busy := false
			if !fresh {
				var err error
				if busy, err = tx.Unfinished(ctx, localID); err != nil {
					return err
				}
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

// duplicateInTx refuses an item whose external id value another record
// got since prepare.
func (rq *request) duplicateInTx(ctx context.Context, tx *store.Tx, it *item, tk tokenizer) (*failure, error) {
	if it.op == opDelete {
		return nil, nil
	}
	for _, name := range it.obj.externalIDs {
		v, ok := stringField(it.fields, name)
		if !ok || v == "" || (it.op == opUpsert && name == it.extField) {
			continue
		}
		owner, err := tx.External(ctx, rq.caller.Tenant, it.object, name, externalKey(tk, it.obj.fields[name], v))
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return nil, err
		case owner != it.localID:
			return &failure{status: http.StatusBadRequest, code: codeDuplicateValue,
				msg: "duplicate value found: " + name + " duplicates value on record with id: " + owner, fields: []string{name}}, nil
		}
	}
	return nil, nil
}

// putExternals maps the record's external id values (as tokens) to it and
// forgets the values it no longer has.
func (rq *request) putExternals(ctx context.Context, tx *store.Tx, it *item, tk tokenizer, old map[string]json.RawMessage, localID string) error {
	tenant := rq.caller.Tenant
	for _, name := range it.obj.externalIDs {
		v, ok := stringField(it.fields, name)
		if !ok {
			continue
		}
		rule := it.obj.fields[name]
		if was, ok := stringField(old, name); ok && was != "" && was != v {
			if err := tx.DeleteExternal(ctx, tenant, it.object, name, externalKey(tk, rule, was), localID); err != nil {
				return err
			}
		}
		if v == "" {
			continue
		}
		if err := tx.PutExternal(ctx, tenant, it.object, name, externalKey(tk, rule, v), localID); err != nil {
			return err
		}
	}
	return nil
}
