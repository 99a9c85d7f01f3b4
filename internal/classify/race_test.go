//go:build race

package classify

// The race detector makes sync.Pool drop items at random, so allocation
// counts are not meaningful under -race.
func init() { raceEnabled = true }
