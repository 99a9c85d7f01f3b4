package sfwire

import (
	"encoding/json"
	"net/http"
)

// Error is one element of the error array Salesforce answers a failed REST
// call with: [{"message":"...","errorCode":"NOT_FOUND","fields":[]}].
type Error struct {
	Message   string   `json:"message"`
	ErrorCode string   `json:"errorCode"`
	Fields    []string `json:"fields"`
}

// StatusError is an element of a collection or save result's errors array;
// there Salesforce calls the code statusCode.
type StatusError struct {
	StatusCode string   `json:"statusCode"`
	Message    string   `json:"message"`
	Fields     []string `json:"fields"`
}

// SaveResult is one record's result in sObject Collections, and the body of a
// single create or upsert.
type SaveResult struct {
	ID      *string       `json:"id"`
	Success bool          `json:"success"`
	Errors  []StatusError `json:"errors"`
	Created *bool         `json:"created,omitempty"` // upsert only
}

// Common error codes.
const (
	CodeNotFound          = "NOT_FOUND"
	CodeInvalidSession    = "INVALID_SESSION_ID"
	CodeJSONParser        = "JSON_PARSER_ERROR"
	CodeMalformedQuery    = "MALFORMED_QUERY"
	CodeInvalidField      = "INVALID_FIELD"
	CodeInvalidType       = "INVALID_TYPE"
	CodeExceededIDLimit   = "EXCEEDED_ID_LIMIT"
	CodeLimitExceeded     = "LIMIT_EXCEEDED"
	CodeRequiredMissing   = "REQUIRED_FIELD_MISSING"
	CodeInvalidEmail      = "INVALID_EMAIL_ADDRESS"
	CodeRolledBack        = "ALL_OR_NONE_OPERATION_ROLLED_BACK"
	CodeProcessingHalted  = "PROCESSING_HALTED"
	CodeMethodNotAllowed  = "METHOD_NOT_ALLOWED"
	CodeServerUnavailable = "SERVER_UNAVAILABLE"
	CodeInsufficient      = "INSUFFICIENT_ACCESS"
	CodeInvalidID         = "MALFORMED_ID"
	CodeDuplicateExtID    = "DUPLICATE_EXTERNAL_ID"
	CodeUnknown           = "UNKNOWN_EXCEPTION"
)

// Messages Salesforce uses, kept verbatim where clients match them.
const (
	MsgNotFound        = "The requested resource does not exist"
	MsgInvalidSession  = "Session expired or invalid"
	MsgCollectionLimit = "record limit reached. cannot submit more than 200 records into this call"
	MsgRolledBack      = "Record rolled back because not all records were valid and the request was using AllOrNone header"
	MsgHalted          = "The transaction was rolled back since another operation in the same transaction failed."
)

// Limits of the API.
const (
	MaxCollection = 200
	MaxComposite  = 25
)

// WriteErrors answers with status and a Salesforce error array.
func WriteErrors(w http.ResponseWriter, status int, errs ...Error) {
	for i := range errs {
		if errs[i].Fields == nil {
			errs[i].Fields = []string{}
		}
	}
	WriteJSON(w, status, errs)
}

// WriteJSON answers with status and v as JSON.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`[{"message":"response encoding failed","errorCode":"UNKNOWN_EXCEPTION","fields":[]}]`)
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// Success returns a successful SaveResult for id; created is set for upserts.
func Success(id string, created *bool) SaveResult {
	return SaveResult{ID: &id, Success: true, Errors: []StatusError{}, Created: created}
}

// Failure returns a failed SaveResult.
func Failure(code, msg string, fields ...string) SaveResult {
	if fields == nil {
		fields = []string{}
	}
	return SaveResult{Success: false, Errors: []StatusError{{StatusCode: code, Message: msg, Fields: fields}}}
}

// Ptr returns a pointer to v.
func Ptr[T any](v T) *T { return &v }
