// Command instrdrive scans one generated payload n times inside a single
// function, measured, so that a CPU simulator can count the instructions a
// scan costs. Wall-clock benchmarks on a shared 2-core machine vary by 20 to
// 40% from run to run; instruction counts do not, so they show a change of a
// few percent that timings cannot. scripts/bench-instructions.sh runs it under
// valgrind's callgrind and prints instructions per scan and per byte.
//
//	instrdrive KIND SIZE N
//
// KIND is a synth kind (customers, orders, chat, catalog, prose); chatreq,
// the 2 KiB chat request of BenchmarkChatRequest, scanned by JSON;
// chatcold, the same scanned by JSONIn with the memo emptied before each
// scan; chatturn, the last turn of the 2 KiB conversation of
// BenchmarkChatTurn, its earlier turns scanned (uncounted) before each scan;
// or chatlast, that last turn scanned by JSON, without the memo.
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
	var earlier [][]byte // chatturn's turns before body
	kind := os.Args[1]
	switch kind {
	case "chatreq", "chatcold":
		body = synth.Generate(synth.Chat, 2<<10, 3)
	case "chatturn", "chatlast":
		turns := synth.Conversation(2<<10, 3)
		body = turns[len(turns)-1]
		if kind == "chatturn" {
			earlier = turns[:len(turns)-1]
		}
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
	switch kind {
	case "chatcold":
		fmt.Println(len(body), measuredCold(e, body, n))
	case "chatturn":
		found := 0
		for range n {
			e.ForgetMemo()
			for _, t := range earlier {
				e.JSONIn("caller", t, nil)
			}
			found = measuredTurn(e, body)
		}
		fmt.Println(len(body), found)
	default:
		fmt.Println(len(body), measured(e, body, n))
	}
}

// measuredCold is measured for chatcold: JSONIn, the memo emptied first.
//
//go:noinline
func measuredCold(e *classify.Engine, body []byte, n int) int {
	dst := make([]classify.Finding, 0, 4096)
	for range n {
		e.ForgetMemo()
		dst, _ = e.JSONIn("caller", body, dst[:0])
	}
	return len(dst)
}

// measuredTurn is one scan of chatturn's last turn.
//
//go:noinline
func measuredTurn(e *classify.Engine, body []byte) int {
	dst, _ := e.JSONIn("caller", body, nil)
	return len(dst)
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
