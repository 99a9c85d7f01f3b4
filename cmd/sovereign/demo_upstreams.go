package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"

	"github.com/sovereign-gateway/sovereign/internal/llmtest"
)

func init() {
	commands["demo-upstreams"] = command{summary: "run OpenAI-compatible echo upstreams for trying the gateway", run: runDemoUpstreams}
}

const demoUpstreamsUsage = `usage: sovereign demo-upstreams [--listen NAME=HOST:PORT,...]

Runs OpenAI-compatible echo upstreams (the test double internal/llmtest) so
that the gateway can be tried without a model: chat completions (JSON and
SSE) answer with the last user message, embeddings with a small vector, and
GET /v1/models lists "regional" and "us-frontier". Each upstream prints every
request it receives to standard output, so you see exactly what crossed the
gateway: placeholders such as <EMAIL_1> where the policy pseudonymized.

  --listen   default eu=127.0.0.1:18081,uk=127.0.0.1:18082,us=127.0.0.1:18083,
             the upstreams of examples/quickstart.yaml and three-regions.yaml

Stops on SIGINT or SIGTERM. Exit status: 0 after a clean stop, 1 when a port
cannot be opened, 2 for usage errors.
`

func runDemoUpstreams(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("sovereign demo-upstreams", flag.ContinueOnError)
	fset.SetOutput(stderr)
	fset.Usage = func() { fmt.Fprint(stderr, demoUpstreamsUsage) }
	listen := fset.String("listen", "eu=127.0.0.1:18081,uk=127.0.0.1:18082,us=127.0.0.1:18083", "")
	if err := fset.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	var mu sync.Mutex
	var ups []*llmtest.Upstream
	defer func() {
		for _, u := range ups {
			u.Close()
		}
	}()
	for _, spec := range strings.Split(*listen, ",") {
		name, addr, ok := strings.Cut(strings.TrimSpace(spec), "=")
		if !ok || name == "" || addr == "" {
			fmt.Fprintf(stderr, "sovereign demo-upstreams: --listen wants NAME=HOST:PORT, got %q\n", spec)
			return 2
		}
		u, err := llmtest.StartOn(addr, llmtest.Options{
			Name: "demo-" + name, Models: []string{"regional", "us-frontier"},
			OnRequest: func(r llmtest.Request) {
				if r.Method != http.MethodPost {
					return // health checks
				}
				mu.Lock()
				defer mu.Unlock()
				fmt.Fprintf(stdout, "[%s] %s %s\n%s\n\n", name, r.Method, r.Path, r.Body)
			},
		})
		if err != nil {
			fmt.Fprintf(stderr, "sovereign demo-upstreams: %s: %v\n", name, err)
			return 1
		}
		ups = append(ups, u)
		fmt.Fprintf(stderr, "upstream %s: %s\n", name, u.URL())
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	return 0
}
