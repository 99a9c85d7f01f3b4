package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/sovereign-gateway/sovereign/examples"
	"github.com/sovereign-gateway/sovereign/internal/audit"
	"github.com/sovereign-gateway/sovereign/internal/config"
	"github.com/sovereign-gateway/sovereign/internal/crm"
	"github.com/sovereign-gateway/sovereign/internal/gateway"
	"github.com/sovereign-gateway/sovereign/internal/policy"
)

func init() {
	commands["serve"] = command{summary: "run the gateway (the embedded quick-start config without --config)", run: runServe}
}

const serveUsage = `usage: sovereign serve [--config FILE] [--listen HOST:PORT]

Runs the gateway: the OpenAI-compatible LLM face under /v1/, the Salesforce
face under /services/data/ when the config has a salesforce section, and
/healthz, /readyz and /metrics. Without --config it runs on the embedded
quick-start config (examples/quickstart.yaml) and keeps the demo client's key
in .sovereign/demo.key, generating it on first use.

  --config   the YAML config (see docs/config.md)
  --listen   overrides server.listen, e.g. 127.0.0.1:0 for any free port

Logs are JSON lines on standard error. SIGINT or SIGTERM shuts down
gracefully: in-flight requests finish (within timeouts.shutdown), then the
audit log is synced and a final checkpoint signed.

Exit status: 0 after a clean shutdown, 1 when the config is invalid or the
gateway cannot start or stops with an error, 2 for usage errors.
`

func runServe(args []string, _ io.Reader, _, stderr io.Writer) int {
	fset := flag.NewFlagSet("sovereign serve", flag.ContinueOnError)
	fset.SetOutput(stderr)
	fset.Usage = func() { fmt.Fprint(stderr, serveUsage) }
	cfgPath := fset.String("config", "", "")
	listen := fset.String("listen", "", "")
	if err := fset.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fset.NArg() > 0 {
		fmt.Fprintf(stderr, "sovereign serve: unexpected argument %q\n\n%s", fset.Arg(0), serveUsage)
		return 2
	}
	logger := slog.New(slog.NewJSONHandler(stderr, nil))
	cfg, err := loadServeConfig(*cfgPath, logger)
	if err != nil {
		fmt.Fprintf(stderr, "sovereign serve: %v\n", err)
		return 1
	}
	if *listen != "" {
		cfg.Server.Listen = *listen
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := serve(ctx, cfg, logger); err != nil {
		logger.Error("gateway stopped", "cause", err.Error())
		return 1
	}
	return 0
}

// loadServeConfig loads path, or the embedded quick-start config (creating
// its demo key) when path is empty.
func loadServeConfig(path string, logger *slog.Logger) (*config.Config, error) {
	if path != "" {
		return config.LoadFile(path, serveChecks...)
	}
	created, err := ensureDemoKey(examples.QuickstartKeyFile)
	if err != nil {
		return nil, err
	}
	logger.Info("no --config: running the embedded quick-start config (examples/quickstart.yaml)",
		"demo_key_file", examples.QuickstartKeyFile, "demo_key_created", created,
		"hint", "send 'Authorization: Bearer $(cat "+examples.QuickstartKeyFile+")'")
	return config.Parse(examples.Quickstart, examples.QuickstartName, config.OSEnv, serveChecks...)
}

// ensureDemoKey writes a random demo client key to path (0600) unless the
// file exists, and reports whether it created it. The key is never logged.
func ensureDemoKey(path string) (bool, error) {
	if _, err := os.Stat(path); err == nil {
		return false, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return false, fmt.Errorf("demo key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return false, fmt.Errorf("demo key: %w", err)
	}
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return false, fmt.Errorf("demo key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return false, nil // another process made it first
	}
	if err != nil {
		return false, fmt.Errorf("demo key: %w", err)
	}
	_, err = f.WriteString("sov-demo-" + hex.EncodeToString(b[:]) + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return false, fmt.Errorf("demo key: %w", err)
	}
	return true, nil
}

// serve runs the gateway for cfg until ctx ends.
func serve(ctx context.Context, cfg *config.Config, logger *slog.Logger) error {
	pol, err := policy.Compile(cfg)
	if err != nil {
		return err
	}
	cls, err := gateway.NewClassifier(cfg)
	if err != nil {
		return err
	}
	opts, err := auditOptions(cfg)
	if err != nil {
		return err
	}
	log, err := audit.Open(cfg.Audit.Dir, opts)
	if err != nil {
		if errors.Is(err, audit.ErrTampered) {
			return fmt.Errorf("the audit log in %s failed verification; refusing to serve until it is investigated (sovereign audit verify %s): %w",
				cfg.Audit.Dir, cfg.Audit.Dir, err)
		}
		return fmt.Errorf("open the audit log: %w", err)
	}
	defer func() {
		if err := log.Close(); err != nil {
			logger.Error("audit log close failed", "cause", err.Error())
		}
	}()

	mounts := map[string]http.Handler{}
	if cfg.Salesforce != nil {
		face, err := crm.New(crm.Options{Config: cfg, Audit: log, Classifier: cls, Logger: logger})
		if err != nil {
			return err
		}
		face.Start()
		defer func() {
			if err := face.Close(); err != nil {
				logger.Error("crm face close failed", "cause", err.Error())
			}
		}()
		mounts[crm.Prefix] = face
	}
	srv, err := gateway.New(gateway.Options{Config: cfg, Policy: pol, Classifier: cls, Audit: log, Logger: logger, Mounts: mounts})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Server.Listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	faces := []string{"llm"}
	if cfg.Salesforce != nil {
		faces = append(faces, "crm")
	}
	logger.Info("serving", "addr", "http://"+ln.Addr().String(), "config", cfg.Source,
		"faces", strings.Join(faces, ","), "audit_dir", cfg.Audit.Dir, "policy_hash", pol.Hash())
	err = srv.Serve(ctx, ln)
	logger.Info("shutting down")
	return err
}

// auditOptions maps the config's audit section onto the audit log's options.
func auditOptions(cfg *config.Config) (audit.Options, error) {
	a := cfg.Audit
	o := audit.Options{
		Mode: audit.Mode(a.Mode), BatchWindow: a.BatchWindow, Origin: a.Origin,
		SegmentMaxBytes: a.SegmentMaxBytes, SegmentMaxAge: a.SegmentMaxAge, CheckpointEvery: int64(a.CheckpointEvery),
		CheckpointInterval: a.CheckpointInterval, Retention: a.Retention,
	}
	if a.SigningKey.IsSet() {
		k, err := signingKey(a.SigningKey.Value())
		if err != nil {
			return o, fmt.Errorf("audit.signing_key: %w", err)
		}
		o.SigningKey = k
	}
	return o, nil
}

// signingKey reads an Ed25519 key as PEM (PKCS #8) or as a 32-byte seed in
// hex or base64. Errors never hold key material.
func signingKey(b []byte) (ed25519.PrivateKey, error) {
	if strings.Contains(string(b), "-----BEGIN") {
		return audit.ParseSigningKey(b)
	}
	seed, err := config.DecodeKey32(b)
	if err != nil {
		return nil, errors.New("want a PEM PKCS #8 Ed25519 key or a 32-byte seed (hex or base64)")
	}
	return ed25519.NewKeyFromSeed(seed), nil
}
