package config

import (
	"fmt"
	"sort"
	"strings"
)

// Problem is one thing wrong with a config, with where it is.
type Problem struct {
	Line int    // 1-based line in the source, 0 when unknown
	Path string // key path, e.g. clients[0].jurisdictions[1]
	Msg  string
}

func (p Problem) String() string {
	var b strings.Builder
	if p.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", p.Line)
	}
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// Problems is the error Load returns: every problem found, not just the first.
type Problems struct {
	Source string
	List   []Problem
}

func (ps *Problems) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d problem(s)", ps.Source, len(ps.List))
	for _, p := range ps.List {
		b.WriteString("\n  ")
		b.WriteString(ps.Source)
		if p.Line > 0 {
			fmt.Fprintf(&b, ":%d", p.Line)
		}
		b.WriteString(": ")
		if p.Path != "" {
			b.WriteString(p.Path)
			b.WriteString(": ")
		}
		b.WriteString(p.Msg)
	}
	return b.String()
}

// Sort orders problems by line, then path, so output is stable.
func (ps *Problems) Sort() {
	sort.SliceStable(ps.List, func(i, j int) bool {
		if ps.List[i].Line != ps.List[j].Line {
			return ps.List[i].Line < ps.List[j].Line
		}
		return ps.List[i].Path < ps.List[j].Path
	})
}

// Err returns ps as an error, or nil when there are no problems.
func (ps *Problems) Err() error {
	if len(ps.List) == 0 {
		return nil
	}
	ps.Sort()
	return ps
}

// Merge adds the problems of other that are not at a path ps already
// reports, so that two checks of one field do not list it twice.
func (ps *Problems) Merge(other *Problems) {
	seen := map[string]bool{}
	for _, p := range ps.List {
		if p.Path != "" {
			seen[p.Path] = true
		}
	}
	for _, p := range other.List {
		if p.Path == "" || !seen[p.Path] {
			ps.List = append(ps.List, p)
		}
	}
}
