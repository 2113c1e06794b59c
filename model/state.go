package model

// State is where a connection is in its lifecycle (SPEC section 3). The
// names are part of the public interface: `status`, `list`, the search
// attribute SfState and the exports all carry them.
type State string

// The connection states.
const (
	StatePendingApproval   State = "pending_approval"
	StatePendingActivation State = "pending_activation"
	StateActive            State = "active"
	StateNeedsUpdate       State = "needs_update"
	StateRejected          State = "rejected"
	StateExpired           State = "expired"
	StateDisconnected      State = "disconnected"
)

// States lists every state, in lifecycle order, for validation and help texts.
var States = []State{
	StatePendingApproval, StatePendingActivation, StateActive, StateNeedsUpdate,
	StateRejected, StateExpired, StateDisconnected,
}

// Terminal reports whether the connection has ended: its workflow completes
// and its slot among the workspace's 20 is free again.
func (s State) Terminal() bool {
	return s == StateRejected || s == StateExpired || s == StateDisconnected
}

// Live reports whether the connection counts towards the workspace's limit
// and blocks a second request for the same org.
func (s State) Live() bool { return s != "" && !s.Terminal() }

// Valid reports whether s is one of States.
func (s State) Valid() bool {
	for _, known := range States {
		if s == known {
			return true
		}
	}
	return false
}
