package crm

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/sovereign-gateway/sovereign/internal/config"
	"github.com/sovereign-gateway/sovereign/internal/crm/sfwire"
	"github.com/sovereign-gateway/sovereign/internal/store"
)

// mayReveal reports whether the caller may see plaintext of a subject of
// jurisdiction jur: it must be allowed that jurisdiction, and its purpose
// must be one the config lets see plaintext.
func (rq *request) mayReveal(jur string) bool {
	return slices.Contains(rq.caller.Client.Jurisdictions, jur) && slices.Contains(rq.f.sf.RevealPurposes, rq.caller.Purpose)
}

// splitFields removes the object's local-only fields (dropped under every
// mechanism) from a requested field list: the org never had them.
func splitFields(obj *objectPolicy, fields []string) (central, local []string) {
	for _, f := range fields {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if r, ok := obj.fields[f]; ok && r.localOnly() {
			local = append(local, f)
			continue
		}
		central = append(central, f)
	}
	return central, local
}

// get serves GET /sobjects/{type}/{id} and /sobjects/{type}/{extField}/{value}.
func (rq *request) get(obj *objectPolicy, id, extField, extValue string) {
	ctx := rq.r.Context()
	var requested []string
	if fs := rq.r.URL.Query().Get("fields"); fs != "" {
		requested = strings.Split(fs, ",")
	}
	central, local := splitFields(obj, requested)
	var reg *regional
	var rec *store.Record
	var err error
	var path string
	switch {
	case extField != "":
		extField = obj.canonical(extField)
		rule, ok := obj.fields[extField]
		if !ok || !rule.externalID {
			rq.refuse(http.StatusNotFound, sfwire.CodeNotFound, "Provided external ID field does not exist or is not accessible: "+safeCode(extField))
			return
		}
		tk := rq.f.tenants[rq.caller.Tenant]
		var owner string
		reg, owner, err = rq.f.externalOwner(ctx, rq.caller.Tenant, obj, extField, externalKey(tk, rule, extValue))
		if err == nil && owner != "" {
			rec, err = reg.st.Record(ctx, owner)
		}
		if err == nil && rec == nil {
			// Not written through the gateway: ask the org for the value
			// as the field policy sends it.
			sent := extValue
			if rule.action != config.FieldKeep {
				sent = format(externalKey(tk, rule, extValue), rule.typ == "email" || (rule.typ == "" && emailLike.MatchString(extValue)))
			}
			path = "/sobjects/" + obj.name + "/" + extField + "/" + url.PathEscape(sent)
		}
	case isLocalID(id):
		reg, rec, err = rq.f.locate(ctx, id)
		if err == nil && rec == nil {
			rq.notFound()
			return
		}
	default:
		path = "/sobjects/" + obj.name + "/" + url.PathEscape(id)
	}
	switch {
	case err != nil:
		rq.refuse(http.StatusServiceUnavailable, sfwire.CodeServerUnavailable, "the regional store is unavailable")
		return
	case rec != nil && (rec.Deleted || rec.Object != obj.name || rec.Tenant != rq.caller.Tenant):
		rq.notFound()
		return
	case rec != nil && rec.SFID == "":
		// Not in the org yet: answer from the region.
		sfwire.WriteJSON(rq.w, http.StatusOK, rq.localView(obj, reg, rec, requested))
		return
	case rec != nil:
		path = "/sobjects/" + obj.name + "/" + url.PathEscape(rec.SFID)
	}
	if len(central) > 0 || len(local) > 0 {
		if len(central) == 0 {
			central = []string{"Id"}
		}
		path += "?fields=" + url.QueryEscape(strings.Join(central, ","))
	}
	rep, err := rq.f.up.do(ctx, http.MethodGet, path, nil)
	if err != nil {
		rq.upstreamUnavailable(err)
		return
	}
	if rep.status != http.StatusOK {
		writeRaw(rq.w, rep.status, rep.body)
		return
	}
	var got map[string]json.RawMessage
	if json.Unmarshal(rep.body, &got) != nil {
		writeRaw(rq.w, rep.status, rep.body)
		return
	}
	rq.revealRecord(ctx, obj, got, local)
	sfwire.WriteJSON(rq.w, http.StatusOK, got)
}

// localView renders a record that has not reached the org yet: full for a
// caller allowed to see it, minimized as the org will get it otherwise.
func (rq *request) localView(obj *objectPolicy, reg *regional, rec *store.Record, requested []string) map[string]json.RawMessage {
	out := map[string]json.RawMessage{
		"attributes": mustJSON(map[string]string{"type": obj.name, "url": rq.base() + "/sobjects/" + obj.name + "/" + rec.LocalID}),
		"Id":         jsonString(rec.LocalID),
	}
	fields := rec.Fields
	if !rq.mayReveal(reg.jurisdiction) {
		fields = map[string]json.RawMessage{}
		if m, err := rq.f.minimize(obj, rq.subject(reg.jurisdiction, rq.f.tenants[rec.Tenant]), rec.Fields); err == nil {
			fields = m.central
		}
	}
	if requested == nil {
		for k, v := range fields {
			out[k] = v
		}
		return out
	}
	for _, k := range requested {
		if k = strings.TrimSpace(k); k == "Id" || k == "" {
			continue
		}
		if v, ok := fields[obj.canonical(k)]; ok {
			out[k] = v
		} else {
			out[k] = json.RawMessage("null")
		}
	}
	return out
}

// revealRecord puts plaintext back into one record from the org, in place,
// when the caller may see its subject; local lists requested fields that
// only the region holds.
func (rq *request) revealRecord(ctx context.Context, obj *objectPolicy, rec map[string]json.RawMessage, local []string) {
	id := recordID(rec)
	var reg *regional
	var full *store.Record
	if id != "" {
		for _, r := range rq.f.storeList {
			sr, err := r.st.RecordBySFID(ctx, id)
			if err == nil {
				reg, full = r, sr
				break
			}
		}
	}
	if full != nil && full.Tenant == rq.caller.Tenant {
		allowed := rq.mayReveal(reg.jurisdiction)
		mech := rq.f.cfg.Mechanism(reg.jurisdiction, rq.f.dest, rq.f.now())
		for k := range rec {
			if k == "attributes" || k == "Id" || !allowed {
				continue
			}
			// Kept fields show the org's value (it may be newer); the rest
			// were changed on the way out (by the field policy, or by the
			// transfer policy: a token or nothing where the value was) and
			// come back from the region.
			if v, ok := full.Fields[obj.canonical(k)]; ok && (changedCentrally(obj, k, mech) || string(rec[k]) == "null" || bytes.Contains(rec[k], []byte(tokenPrefix))) {
				rec[k] = v
			}
		}
		for _, k := range local {
			if v, ok := full.Fields[k]; ok && allowed {
				rec[k] = v
			} else {
				rec[k] = json.RawMessage("null")
			}
		}
		return
	}
	for _, k := range local {
		rec[k] = json.RawMessage("null")
	}
	// A record the gateway did not write may still carry tokens (copied by a
	// flow in the org): put back those the caller may see.
	rq.revealTokens(ctx, rec)
}

// changedCentrally reports whether the org holds something other than the
// value itself for field under mech.
func changedCentrally(obj *objectPolicy, field, mech string) bool {
	r, ok := obj.fields[field]
	if !ok {
		return obj.classifyUndeclared
	}
	return r.actionFor(mech) != config.FieldKeep
}

// revealTokens replaces tokens inside string values with their plaintext,
// from the stores of the jurisdictions the caller may see.
func (rq *request) revealTokens(ctx context.Context, rec map[string]json.RawMessage) {
	var toks []string
	for k, v := range rec {
		if k == "attributes" || !bytes.Contains(v, []byte(tokenPrefix)) {
			continue
		}
		for _, t := range tokenRe.FindAllString(string(v), -1) {
			toks = append(toks, bareToken(t))
		}
	}
	if len(toks) == 0 {
		return
	}
	plain := map[string]string{}
	for _, reg := range rq.f.storeList {
		if !rq.mayReveal(reg.jurisdiction) {
			continue
		}
		got, err := reg.st.Tokens(ctx, rq.caller.Tenant, toks)
		if err != nil {
			continue
		}
		for t, v := range got {
			plain[t] = string(v)
		}
	}
	if len(plain) == 0 {
		return
	}
	for k, v := range rec {
		var s string
		if k == "attributes" || len(v) == 0 || v[0] != '"' || json.Unmarshal(v, &s) != nil {
			continue
		}
		out := tokenRe.ReplaceAllStringFunc(s, func(t string) string {
			if p, ok := plain[bareToken(t)]; ok {
				return p
			}
			return t
		})
		if out != s {
			rec[k] = jsonString(out)
		}
	}
}

// recordID reads a record's Id, or the last segment of attributes.url.
func recordID(rec map[string]json.RawMessage) string {
	var id string
	if v, ok := rec["Id"]; ok && json.Unmarshal(v, &id) == nil && id != "" {
		return id
	}
	var attrs struct {
		URL string `json:"url"`
	}
	if v, ok := rec["attributes"]; ok && json.Unmarshal(v, &attrs) == nil && attrs.URL != "" {
		return attrs.URL[strings.LastIndexByte(attrs.URL, '/')+1:]
	}
	return ""
}

// revealTree walks a query answer and reveals every record in it, nested
// relationship records and subquery results included.
func (rq *request) revealTree(ctx context.Context, v json.RawMessage, local []string, depth int) json.RawMessage {
	if depth > 8 || len(v) == 0 || (v[0] != '{' && v[0] != '[') {
		return v
	}
	if v[0] == '[' {
		var arr []json.RawMessage
		if json.Unmarshal(v, &arr) != nil {
			return v
		}
		for i := range arr {
			arr[i] = rq.revealTree(ctx, arr[i], local, depth+1)
		}
		return mustJSON(arr)
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(v, &obj) != nil {
		return v
	}
	for k, child := range obj {
		if k != "attributes" && len(child) > 0 && (child[0] == '{' || child[0] == '[') {
			obj[k] = rq.revealTree(ctx, child, nil, depth+1)
		}
	}
	if a, ok := obj["attributes"]; ok {
		var attrs struct {
			Type string `json:"type"`
		}
		if json.Unmarshal(a, &attrs) == nil {
			if pol, ok := rq.f.policy[attrs.Type]; ok {
				rq.revealRecord(ctx, pol, obj, local)
			}
		}
	}
	return mustJSON(obj)
}

// retrieveMany serves GET/POST /composite/sobjects/{type} (ids and fields).
func (rq *request) retrieveMany(obj *objectPolicy, ids, fields []string) {
	ctx := rq.r.Context()
	central, local := splitFields(obj, fields)
	if len(central) == 0 {
		central = []string{"Id"}
	}
	sent := make([]string, len(ids))
	for i, id := range ids {
		sent[i] = strings.TrimSpace(id)
		if isLocalID(sent[i]) {
			if _, rec, err := rq.f.locate(ctx, sent[i]); err == nil && rec != nil && rec.SFID != "" {
				sent[i] = rec.SFID
			}
		}
	}
	rep, err := rq.f.up.do(ctx, http.MethodPost, "/composite/sobjects/"+obj.name, mustJSON(map[string]any{"ids": sent, "fields": central}))
	if err != nil {
		rq.upstreamUnavailable(err)
		return
	}
	if rep.status != http.StatusOK {
		writeRaw(rq.w, rep.status, rep.body)
		return
	}
	var recs []map[string]json.RawMessage
	if json.Unmarshal(rep.body, &recs) != nil {
		writeRaw(rq.w, rep.status, rep.body)
		return
	}
	for _, r := range recs {
		if r != nil {
			rq.revealRecord(ctx, obj, r, local)
		}
	}
	sfwire.WriteJSON(rq.w, http.StatusOK, recs)
}

// query serves GET /query?q= (and queryAll) and /query/{locator}.
func (rq *request) query(p []string) {
	ctx := rq.r.Context()
	var path string
	var local []string
	if len(p) == 2 {
		path = "/" + p[0] + "/" + url.PathEscape(p[1])
	} else {
		q := rq.r.URL.Query().Get("q")
		if q == "" {
			rq.refuse(http.StatusBadRequest, sfwire.CodeMalformedQuery, "A query string has to be specified")
			return
		}
		rewritten, l, fail := rq.f.rewriteSOQL(q, rq.f.tenants[rq.caller.Tenant])
		if fail != nil {
			rq.refuseWith(fail)
			return
		}
		local = l
		path = "/" + p[0] + "?q=" + url.QueryEscape(rewritten)
	}
	rep, err := rq.f.up.do(ctx, http.MethodGet, path, nil)
	if err != nil {
		rq.upstreamUnavailable(err)
		return
	}
	if rep.status != http.StatusOK {
		writeRaw(rq.w, rep.status, rep.body)
		return
	}
	var page map[string]json.RawMessage
	if json.Unmarshal(rep.body, &page) != nil {
		writeRaw(rq.w, rep.status, rep.body)
		return
	}
	if recs, ok := page["records"]; ok {
		page["records"] = rq.revealTree(ctx, recs, local, 0)
	}
	var next string
	if raw, ok := page["nextRecordsUrl"]; ok && json.Unmarshal(raw, &next) == nil {
		// The locator is the org's, the version the client's: clients
		// build the next call from this URL.
		if m := versionPrefixRe.FindString(next); m != "" {
			page["nextRecordsUrl"] = jsonString(rq.base() + next[len(m):])
		}
	}
	sfwire.WriteJSON(rq.w, http.StatusOK, orderedPage(page))
}

var versionPrefixRe = regexp.MustCompile(`^/services/data/v[0-9]{2}\.[0-9]`)

// orderedPage keeps Salesforce's member order: totalSize, done, nextRecordsUrl, records.
func orderedPage(page map[string]json.RawMessage) json.RawMessage {
	var b bytes.Buffer
	b.WriteByte('{')
	first := true
	for _, k := range []string{"totalSize", "done", "nextRecordsUrl", "records"} {
		if v, ok := page[k]; ok {
			if !first {
				b.WriteByte(',')
			}
			first = false
			b.Write(jsonString(k))
			b.WriteByte(':')
			b.Write(v)
		}
	}
	b.WriteByte('}')
	return b.Bytes()
}
