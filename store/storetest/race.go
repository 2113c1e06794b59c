//go:build race

package storetest

// raceEnabled: the race detector instruments every Go instruction, the
// pure-Go SQLite engine's included, which makes it some 15 times slower.
const raceEnabled = true
