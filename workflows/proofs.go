package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/sfconnect/sfconnect/activities"
	"github.com/sfconnect/sfconnect/identity"
)

// UsedProof is a step assertion a workflow has accepted. Assertions are
// single-use: the workflow remembers each one until it expires (after
// which no worker accepts it anyway) and carries the record through
// continue-as-new. Login tokens are session credentials, used again until
// they expire, and never recorded.
type UsedProof struct {
	ID      string    `json:"id"`
	Expires time.Time `json:"expires"`
}

// proofs is one workflow's bookkeeping of proofs: the assertions already
// used, and the proofs being verified now by a step in flight. It only
// Peeks at tokens; the activities verify them.
type proofs struct {
	used []UsedProof
	// verifying counts, by proof id, the steps whose role check is
	// verifying that proof now: another step with the same proof waits to
	// learn whether it was an assertion (then used) or a login token.
	verifying map[string]int
}

func newProofs(used []UsedProof) *proofs {
	return &proofs{used: append([]UsedProof(nil), used...), verifying: map[string]int{}}
}

// check is the validators' test, which writes nothing: a proof that is no
// token, or an assertion already used, is refused at once.
func (p *proofs) check(c Caller) error {
	if c.Proof == "" || p == nil {
		return nil
	}
	id, _, ok := identity.Peek(c.Proof)
	if !ok {
		return refusal(activities.ErrUnauthenticated, "%v: %s", identity.ErrMalformed, identity.SignInAgain(""))
	}
	if p.isUsed(id) {
		return replayed()
	}
	return nil
}

func replayed() error {
	return refusal(activities.ErrUnauthenticated, "%v: a console assertion is good for one step; %s", identity.ErrReplayed, identity.SignInAgain(""))
}

func (p *proofs) isUsed(id string) bool {
	for _, u := range p.used {
		if u.ID == id {
			return true
		}
	}
	return false
}

// take runs a step's role check (verify, an activity that verifies the
// proof) with the caller's proof, once no other step is verifying the
// same one, and records an accepted assertion as used. A replayed one is
// refused before any activity runs. A nil p keeps no record (a workflow
// of one step).
func (p *proofs) take(ctx workflow.Context, c Caller, verify func() (activities.Identity, error)) (activities.Identity, error) {
	if c.Proof == "" || p == nil {
		return verify()
	}
	if err := p.check(c); err != nil {
		return activities.Identity{}, err
	}
	id, expires, _ := identity.Peek(c.Proof)
	if err := workflow.Await(ctx, func() bool { return p.verifying[id] == 0 }); err != nil {
		return activities.Identity{}, err
	}
	if p.isUsed(id) {
		return activities.Identity{}, replayed()
	}
	p.verifying[id]++
	defer func() {
		if p.verifying[id]--; p.verifying[id] == 0 {
			delete(p.verifying, id)
		}
	}()
	who, err := verify()
	if err == nil && who.Kind == identity.KindAssertion {
		p.use(workflow.Now(ctx), UsedProof{ID: id, Expires: expires})
	}
	return who, err
}

// use records an assertion, forgetting those no worker would accept now.
func (p *proofs) use(now time.Time, u UsedProof) {
	p.used = append(p.live(now), u)
}

// live are the used assertions not yet expired at now (with the verifier's
// leeway): what continue-as-new carries over.
func (p *proofs) live(now time.Time) []UsedProof {
	if p == nil {
		return nil
	}
	var out []UsedProof
	for _, u := range p.used {
		if now.Before(u.Expires.Add(identity.Leeway)) {
			out = append(out, u)
		}
	}
	return out
}
