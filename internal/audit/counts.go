package audit

import "sort"

// Counter accumulates finding counts for one record. The record stage adds
// each classify.Finding's type and class and stores List() in
// Record.Findings; spans, paths and values are never passed in, so a record
// says how much of what was found, never where or what it was. (The audit
// package takes strings rather than classify.Finding to stay a leaf package.)
type Counter struct {
	idx map[[2]string]int
	out []Count
}

// Add counts one finding of type typ and class class.
func (c *Counter) Add(typ, class string) {
	if c.idx == nil {
		c.idx = map[[2]string]int{}
	}
	k := [2]string{typ, class}
	if i, ok := c.idx[k]; ok {
		c.out[i].N++
		return
	}
	c.idx[k] = len(c.out)
	c.out = append(c.out, Count{Type: typ, Class: class, N: 1})
}

// List returns the counts sorted by class then type (nil when empty), the
// canonical order for records.
func (c *Counter) List() []Count {
	if len(c.out) == 0 {
		return nil
	}
	out := append([]Count(nil), c.out...)
	sort.Slice(out, func(i, j int) bool {
		if out[i].Class != out[j].Class {
			return out[i].Class < out[j].Class
		}
		return out[i].Type < out[j].Type
	})
	return out
}
