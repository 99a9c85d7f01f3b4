// Command instrdrive scans one generated payload n times inside a single
// function, measured, so that a CPU simulator can count the instructions a
// scan costs. Wall-clock benchmarks on a shared 2-core machine vary by 20 to
// 40% from run to run; instruction counts do not, so they show a change of a
// few percent that timings cannot. scripts/bench-instructions.sh runs it under
// valgrind's callgrind and prints instructions per scan and per byte.
//
//	instrdrive KIND SIZE N
//
// KIND is a synth kind (customers, orders, chat, catalog, prose) or chatreq,
// the 2 KiB chat request of BenchmarkChatRequest.
package main

import (
	"fmt"
	"os"
	"strconv"

	"github.com/sovereign-gateway/sovereign/internal/classify"
	"github.com/sovereign-gateway/sovereign/internal/synth"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: instrdrive KIND SIZE N")
		os.Exit(2)
	}
	size, err1 := strconv.Atoi(os.Args[2])
	n, err2 := strconv.Atoi(os.Args[3])
	if err1 != nil || err2 != nil || size < 1 || n < 1 {
		fmt.Fprintln(os.Stderr, "instrdrive: SIZE and N must be positive integers")
		os.Exit(2)
	}
	var body []byte
	switch kind := os.Args[1]; kind {
	case "chatreq":
		body = synth.Generate(synth.Chat, 2<<10, 3)
	default:
		valid := false
		for _, k := range synth.Kinds {
			valid = valid || string(k) == kind
		}
		if !valid {
			fmt.Fprintf(os.Stderr, "instrdrive: unknown kind %q\n", kind)
			os.Exit(2)
		}
		body = synth.Generate(synth.Kind(kind), size, 1)
	}
	e, err := classify.New(classify.Config{Serial: true}) // one walker's instructions
	if err != nil {
		fmt.Fprintln(os.Stderr, "instrdrive:", err)
		os.Exit(1)
	}
	e.Scan(body, nil) // warm the pools and the lazily built tables
	fmt.Println(len(body), measured(e, body, n))
}

// measured is the function the simulator counts (--toggle-collect).
//
//go:noinline
func measured(e *classify.Engine, body []byte, n int) int {
	dst := make([]classify.Finding, 0, 4096)
	for range n {
		dst = e.Scan(body, dst[:0])
	}
	return len(dst)
}
