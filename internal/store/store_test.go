package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var testKey = bytes.Repeat([]byte{7}, 32)

func openTest(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(context.Background(), Options{Path: path, Key: testKey})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

const canary = "canary-7f3a9c@example.org"

func putContact(t *testing.T, s *Store, localID string, claim bool) *OutboxRow {
	t.Helper()
	ctx := context.Background()
	row := &OutboxRow{LocalID: localID, Tenant: "shop", Object: "Contact", Op: OpUpsert, Version: 1,
		Payload: []byte(`{"Email":"tok_abc@token.invalid"}`)}
	err := s.Update(ctx, func(tx *Tx) error {
		r := &Record{LocalID: localID, Object: "Contact", Tenant: "shop", Jurisdiction: "EU", Version: 1,
			Fields: map[string]json.RawMessage{"Email": json.RawMessage(`"` + canary + `"`), "Age": json.RawMessage(`42`)}}
		if err := tx.PutRecord(ctx, r); err != nil {
			return err
		}
		if err := tx.PutToken(ctx, "shop", "tok_abc", "email", []byte(canary)); err != nil {
			return err
		}
		return tx.Enqueue(ctx, row, nil, claim)
	})
	if err != nil {
		t.Fatal(err)
	}
	return row
}

func TestRoundTripAndCanaryEncrypted(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "eu.db")
	s := openTest(t, path)
	ctx := context.Background()
	putContact(t, s, "sv1", false)

	r, err := s.Record(ctx, "sv1")
	if err != nil {
		t.Fatal(err)
	}
	if string(r.Fields["Email"]) != `"`+canary+`"` || string(r.Fields["Age"]) != "42" {
		t.Fatalf("fields = %v", r.Fields)
	}
	v, err := s.Token(ctx, "shop", "tok_abc")
	if err != nil || string(v) != canary {
		t.Fatalf("token = %q, %v", v, err)
	}
	if _, err := s.Token(ctx, "other-tenant", "tok_abc"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("token of another tenant: %v", err)
	}
	s.Close()
	for _, f := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(f)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(canary)) || bytes.Contains(b, []byte("canary-7f3a9c")) {
			t.Fatalf("%s holds the canary in clear", f)
		}
	}
}

func TestWrongKeyRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "eu.db")
	s := openTest(t, path)
	s.Close()
	_, err := Open(context.Background(), Options{Path: path, Key: bytes.Repeat([]byte{8}, 32)})
	if !errors.Is(err, ErrWrongKey) {
		t.Fatalf("want ErrWrongKey, got %v", err)
	}
}

func TestSecondOpenerLockedOut(t *testing.T) {
	path := filepath.Join(t.TempDir(), "eu.db")
	openTest(t, path)
	if s2, err := Open(context.Background(), Options{Path: path, Key: testKey}); err == nil {
		s2.Close()
		t.Fatal("a second owner opened a locked store")
	}
}

// A ciphertext moved to another record does not decrypt: the additional data
// binds it to tenant, object, local id and field.
func TestCiphertextBoundToPlace(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "eu.db"))
	ctx := context.Background()
	putContact(t, s, "sv1", false)
	putContact(t, s, "sv2", false)
	if _, err := s.w.Exec(`UPDATE records SET fields=(SELECT fields FROM records WHERE local_id='sv1') WHERE local_id='sv2'`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Record(ctx, "sv2"); err == nil {
		t.Fatal("swapped ciphertext decrypted")
	}
	if _, err := s.w.Exec(`UPDATE tokens SET tenant='evil'`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Token(ctx, "evil", "tok_abc"); err == nil {
		t.Fatal("token moved to another tenant decrypted")
	}
}

func TestOutboxOrderClaimRecover(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "eu.db")
	s := openTest(t, path)
	ctx := context.Background()
	putContact(t, s, "sv1", false)
	// A second write of the same record must wait behind the first.
	err := s.Update(ctx, func(tx *Tx) error {
		return tx.Enqueue(ctx, &OutboxRow{LocalID: "sv1", Tenant: "shop", Object: "Contact", Op: OpUpdate, Version: 2, Payload: []byte(`{}`)}, nil, false)
	})
	if err != nil {
		t.Fatal(err)
	}
	putContact(t, s, "sv2", true) // claimed by a synchronous attempt

	rows, err := s.Claim(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].LocalID != "sv1" || rows[0].Op != OpUpsert {
		t.Fatalf("claimed %+v, want only sv1's first row", rows)
	}
	if string(rows[0].Payload) != `{"Email":"tok_abc@token.invalid"}` {
		t.Fatalf("payload = %s", rows[0].Payload)
	}
	if again, _ := s.Claim(ctx, 10); len(again) != 0 {
		t.Fatalf("claimed in-flight rows twice: %+v", again)
	}
	if err := s.Done(ctx, []Delivered{{RowID: rows[0].ID, LocalID: "sv1", SFID: "003000000000001"}}); err != nil {
		t.Fatal(err)
	}
	if id, _ := s.SFID(ctx, "sv1"); id != "003000000000001" {
		t.Fatalf("sf id = %q", id)
	}
	rows, _ = s.Claim(ctx, 10)
	if len(rows) != 1 || rows[0].Op != OpUpdate {
		t.Fatalf("second row not released after the first: %+v", rows)
	}
	if err := s.Retry(ctx, rows[0].ID, "UNAVAILABLE", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if again, _ := s.Claim(ctx, 10); len(again) != 0 {
		t.Fatalf("row due before its time: %+v", again)
	}

	// A crash leaves sv2 in flight; reopening puts it back.
	s.Close()
	s = openTest(t, path)
	rows, err = s.Claim(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].LocalID != "sv2" {
		t.Fatalf("after reopen claimed %+v, want sv2", rows)
	}
	st, err := s.OutboxStats(ctx)
	if err != nil || st.Inflight != 1 || st.Pending != 1 {
		t.Fatalf("stats %+v %v", st, err)
	}
}

func TestRejectUndoesWrite(t *testing.T) {
	s := openTest(t, filepath.Join(t.TempDir(), "eu.db"))
	ctx := context.Background()
	row := putContact(t, s, "sv1", true)
	if err := s.Reject(ctx, row); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Record(ctx, "sv1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("rejected create still stored: %v", err)
	}

	putContact(t, s, "sv2", false)
	var upd OutboxRow
	err := s.Update(ctx, func(tx *Tx) error {
		prev, pv, err := tx.PrevFields(ctx, "sv2")
		if err != nil {
			return err
		}
		r, _ := tx.Record(ctx, "sv2")
		r.Fields["Email"] = json.RawMessage(`"new@example.org"`)
		r.Version = pv + 1
		if err := tx.PutRecord(ctx, r); err != nil {
			return err
		}
		upd = OutboxRow{LocalID: "sv2", Tenant: "shop", Object: "Contact", Op: OpUpdate, Version: r.Version, PrevVersion: pv, Payload: []byte(`{}`)}
		return tx.Enqueue(ctx, &upd, prev, true)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Reject(ctx, &upd); err != nil {
		t.Fatal(err)
	}
	r, err := s.Record(ctx, "sv2")
	if err != nil || string(r.Fields["Email"]) != `"`+canary+`"` || r.Version != 1 {
		t.Fatalf("update not undone: %v %v", r, err)
	}
}

// Types that hold record data log without it.
func TestLogValuesHideData(t *testing.T) {
	var buf bytes.Buffer
	lg := slog.New(slog.NewJSONHandler(&buf, nil))
	lg.Info("x", "record", &Record{LocalID: "sv1", Fields: map[string]json.RawMessage{"Email": json.RawMessage(`"` + canary + `"`)}},
		"row", &OutboxRow{LocalID: "sv1", ExtValue: canary, Payload: []byte(canary)})
	if bytes.Contains(buf.Bytes(), []byte("canary-7f3a9c")) || !bytes.Contains(buf.Bytes(), []byte(`"Email"`)) {
		t.Fatalf("log line: %s", buf.Bytes())
	}
}
