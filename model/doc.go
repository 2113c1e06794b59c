// Package model holds the vocabulary of sfconnect that workflows, activities
// and the CLI share: connection states, the account-mapping and matching
// fields, the directory roles of SPEC section 1 and the actions they allow.
// It has no dependencies, so every other package may import it.
package model
