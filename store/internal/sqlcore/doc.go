// Package sqlcore is what the store's SQL engines share: column lists (the
// schemas name their columns alike), input checks and normalisation, search
// folding, job counting and the migration loader. It knows no engine.
package sqlcore
