package sandbox

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"go.uber.org/zap"
)

// Generated members and users, for benchmarks and scale tests: up to
// millions at once, built in a few large allocations (one array of records,
// one string holding every id, one holding every email) rather than one
// allocation per field, which keeps both the time and the memory of a
// million records small.
//
// Ids cannot collide with the fixed ones: Slack members are U1 + 9 digits
// (fixed ones are U0…), Salesforce users 0059 + 11 digits + AAA (fixed ones
// are 0050…). Numbers only grow, so new records append to the id-sorted
// slices without re-sorting.

// maxGenerate bounds one call, so that a typo cannot exhaust memory.
const maxGenerate = 5_000_000

// GenerateRequest asks for generated members and users.
type GenerateRequest struct {
	// Team is the workspace that gets Members generated members.
	Team    string `json:"team"`
	Members int    `json:"members"`
	// Org is the org (My Domain name or id) that gets Users generated users.
	Org   string `json:"org"`
	Users int    `json:"users"`
	// Match is the share (0 to 1) of the generated members that get a
	// matching active Salesforce user: same email and FederationIdentifier
	// as the member's email and SAML NameID. round(Match*Members) must not
	// exceed Users; the other users match no member.
	Match float64 `json:"match"`
}

// GenerateResult says what Generate added.
type GenerateResult struct {
	Team          string `json:"team,omitempty"`
	Members       int    `json:"members"`
	FirstMemberID string `json:"first_member_id,omitempty"`
	LastMemberID  string `json:"last_member_id,omitempty"`
	TotalMembers  int    `json:"total_members"`

	Org         string `json:"org,omitempty"`
	OrgID       string `json:"org_id,omitempty"`
	Users       int    `json:"users"`
	FirstUserID string `json:"first_user_id,omitempty"`
	LastUserID  string `json:"last_user_id,omitempty"`
	TotalUsers  int    `json:"total_users"`

	// Matched is how many generated members have a matching user.
	Matched    int           `json:"matched"`
	Duration   time.Duration `json:"-"`
	DurationMS int64         `json:"duration_ms"`
}

// Generate adds generated members to g.Team and users to g.Org. Generated
// member number N has the handle and SAML NameID gen<N> and the email
// gen<N>@<org>.example (the workspace's domain stands in for the org when
// none is given); a matching user has that email as Username and Email and
// gen<N> as FederationIdentifier.
func (s *Sandbox) Generate(g GenerateRequest) (GenerateResult, error) {
	start := time.Now()
	switch {
	case g.Members < 0 || g.Users < 0 || g.Members > maxGenerate || g.Users > maxGenerate:
		return GenerateResult{}, fmt.Errorf("%w: members and users must be between 0 and %d", ErrInvalid, maxGenerate)
	case math.IsNaN(g.Match) || g.Match < 0 || g.Match > 1:
		return GenerateResult{}, fmt.Errorf("%w: match must be between 0 and 1", ErrInvalid)
	case g.Members > 0 && g.Team == "":
		return GenerateResult{}, fmt.Errorf("%w: members need a team", ErrInvalid)
	case g.Users > 0 && g.Org == "":
		return GenerateResult{}, fmt.Errorf("%w: users need an org", ErrInvalid)
	}
	matched := int(math.Round(g.Match * float64(g.Members)))
	if matched > g.Users {
		return GenerateResult{}, fmt.Errorf("%w: match %.2f of %d members needs at least %d users, not %d",
			ErrInvalid, g.Match, g.Members, matched, g.Users)
	}

	s.genMu.Lock()
	defer s.genMu.Unlock()

	s.mu.RLock()
	var ws *workspace
	var o *org
	var domain string
	if g.Team != "" {
		if ws = s.workspaces[g.Team]; ws == nil {
			s.mu.RUnlock()
			return GenerateResult{}, fmt.Errorf("%w: no workspace %q", ErrNotFound, g.Team)
		}
		domain = ws.domain + ".example"
	}
	if g.Org != "" {
		if o = s.orgByName(g.Org); o == nil {
			s.mu.RUnlock()
			return GenerateResult{}, fmt.Errorf("%w: no org %q", ErrNotFound, g.Org)
		}
		domain = o.name + ".example"
	}
	s.mu.RUnlock()

	// Reserve the numbers: members take N = base+1…base+Members; matched
	// users reuse their member's N; the other users take fresh numbers.
	baseN := s.genN
	s.genN += int64(g.Members + g.Users - matched)
	rng := rand.New(rand.NewPCG(uint64(s.seed), uint64(s.genCalls)))
	s.genCalls++
	names := nameTable()
	now := time.Now().Unix()

	members, memberPtrs := s.buildMembers(g, baseN, domain, now, rng, names)
	users, userPtrs := s.buildUsers(g, matched, members, baseN, domain, rng, names)

	s.mu.Lock()
	res := GenerateResult{Team: g.Team, Members: g.Members, Users: g.Users, Matched: matched}
	if ws != nil {
		ws.addUsers(memberPtrs)
		res.TotalMembers = len(ws.users)
	}
	if o != nil {
		o.addUsers(userPtrs)
		res.Org, res.OrgID, res.TotalUsers = o.name, o.id, len(o.users)
	}
	s.mu.Unlock()
	if len(members) > 0 {
		res.FirstMemberID, res.LastMemberID = members[0].ID, members[len(members)-1].ID
	}
	if len(users) > 0 {
		res.FirstUserID, res.LastUserID = users[0].ID, users[len(users)-1].ID
	}
	res.Duration = time.Since(start)
	res.DurationMS = res.Duration.Milliseconds()
	s.log.Info("generated", zap.String("team", g.Team), zap.Int("members", g.Members),
		zap.String("org", g.Org), zap.Int("users", g.Users), zap.Int("matched", matched),
		zap.Duration("duration", res.Duration))
	return res, nil
}

// isMatched spreads the matched members evenly over the generated ones, so
// that any page of users.list holds its share of them.
func isMatched(j, matched, total int) bool {
	return (j+1)*matched/total > j*matched/total
}

func (s *Sandbox) buildMembers(g GenerateRequest, baseN int64, domain string, now int64, rng *rand.Rand, names *nameSet) ([]slackUser, []*slackUser) {
	if g.Members == 0 {
		return nil, nil
	}
	firstID := s.genSlack + 1
	s.genSlack += int64(g.Members)
	ids := packed(g.Members, 11, func(b []byte, j int) []byte {
		b = append(b, 'U', '1')
		return appendPadded(b, firstID+int64(j), 9)
	})
	emails, handleLen := packEmails(g.Members, func(j int) int64 { return baseN + 1 + int64(j) }, domain)

	members := make([]slackUser, g.Members)
	ptrs := make([]*slackUser, g.Members)
	for j := range members {
		email := emails[j]
		handle := email[:handleLen[j]]
		m := &members[j]
		*m = slackUser{
			ID: ids[j], TeamID: g.Team, Name: handle, RealName: names.full[rng.IntN(len(names.full))],
			DisplayName: handle, Email: email, SAMLNameID: handle, Updated: now,
		}
		ptrs[j] = m
	}
	return members, ptrs
}

func (s *Sandbox) buildUsers(g GenerateRequest, matched int, members []slackUser, baseN int64, domain string, rng *rand.Rand, names *nameSet) ([]sfUser, []*sfUser) {
	if g.Users == 0 {
		return nil, nil
	}
	firstID := s.genSF + 1
	s.genSF += int64(g.Users)
	ids := packed(g.Users, 18, func(b []byte, i int) []byte {
		b = append(b, "0059"...)
		b = appendPadded(b, firstID+int64(i), 11)
		return append(b, "AAA"...)
	})
	fresh := g.Users - matched
	freshBase := baseN + int64(g.Members)
	emails, handleLen := packEmails(fresh, func(i int) int64 { return freshBase + 1 + int64(i) }, domain)

	users := make([]sfUser, g.Users)
	ptrs := make([]*sfUser, g.Users)
	i := 0
	for j := range members {
		if !isMatched(j, matched, len(members)) {
			continue
		}
		// The same person on both sides: same email, NameID and name.
		m := &members[j]
		first, last := names.split(m.RealName)
		users[i] = sfUser{
			ID: ids[i], Username: m.Email, Email: m.Email, FederationID: m.SAMLNameID,
			FirstName: first, LastName: last, Name: m.RealName, ProfileID: profileStandard, IsActive: true,
		}
		i++
	}
	for f := 0; f < fresh; f++ {
		email := emails[f]
		k := rng.IntN(len(names.full))
		users[i] = sfUser{
			ID: ids[i], Username: email, Email: email, FederationID: email[:handleLen[f]],
			FirstName: names.first[k/len(names.last)], LastName: names.last[k%len(names.last)],
			Name: names.full[k], ProfileID: profileStandard, IsActive: true,
		}
		i++
	}
	for i := range users {
		ptrs[i] = &users[i]
	}
	return users, ptrs
}

// packed builds n fixed-width strings in one allocation and returns them as
// substrings of it.
func packed(n, width int, build func(b []byte, i int) []byte) []string {
	b := make([]byte, 0, n*width)
	for i := 0; i < n; i++ {
		b = build(b, i)
	}
	all := string(b)
	out := make([]string, n)
	for i := range out {
		out[i] = all[i*width : (i+1)*width]
	}
	return out
}

// packEmails builds gen<N>@domain for n numbers in one allocation, and the
// length of each gen<N> handle (a prefix of its email).
func packEmails(n int, number func(i int) int64, domain string) ([]string, []int) {
	if n == 0 {
		return nil, nil
	}
	b := make([]byte, 0, n*(len(domain)+14))
	ends := make([]int, n)
	handleLen := make([]int, n)
	for i := 0; i < n; i++ {
		start := len(b)
		b = append(b, "gen"...)
		b = strconv.AppendInt(b, number(i), 10)
		handleLen[i] = len(b) - start
		b = append(b, '@')
		b = append(b, domain...)
		ends[i] = len(b)
	}
	all := string(b)
	out := make([]string, n)
	start := 0
	for i, end := range ends {
		out[i] = all[start:end]
		start = end
	}
	return out, handleLen
}

func appendPadded(b []byte, v int64, width int) []byte {
	var digits [20]byte
	d := strconv.AppendInt(digits[:0], v, 10)
	for i := len(d); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, d...)
}

// nameSet holds every "First Last" combination once, so that a million
// generated names share a few thousand strings.
type nameSet struct {
	first, last, full []string
	index             map[string]int
}

func (n *nameSet) split(full string) (string, string) {
	k := n.index[full]
	return n.first[k/len(n.last)], n.last[k%len(n.last)]
}

var (
	namesOnce sync.Once
	allNames  *nameSet
)

func nameTable() *nameSet {
	namesOnce.Do(func() {
		n := &nameSet{
			first: []string{"Ada", "Alan", "Alice", "Amara", "Ana", "Ben", "Carla", "Chen", "Chloe", "Daniel",
				"Diego", "Elena", "Emma", "Farah", "Grace", "Hana", "Hugo", "Ines", "Ivan", "Jamal",
				"Julia", "Kenji", "Lea", "Leo", "Lina", "Lucas", "Maya", "Mei", "Nadia", "Noah",
				"Olga", "Omar", "Paula", "Priya", "Quentin", "Rosa", "Sam", "Sara", "Tariq", "Tom",
				"Uma", "Victor", "Wen", "Xavier", "Yara", "Yusuf", "Zoe", "Zara", "Marc", "Nina"},
			last: []string{"Adams", "Bauer", "Bernard", "Brown", "Chen", "Costa", "Dubois", "Diaz", "Evans", "Fischer",
				"Garcia", "Gomez", "Haddad", "Hansen", "Ito", "Jensen", "Kim", "Kowalski", "Laurent", "Lee",
				"Martin", "Meyer", "Moreau", "Nakamura", "Nguyen", "Novak", "Okafor", "Olsen", "Patel", "Petit",
				"Quinn", "Rossi", "Roux", "Santos", "Schmidt", "Silva", "Singh", "Smith", "Tanaka", "Thomas",
				"Ueda", "Vargas", "Wagner", "Wang", "Weber", "Wilson", "Xu", "Yamada", "Young", "Zhang"},
			index: map[string]int{},
		}
		for _, f := range n.first {
			for _, l := range n.last {
				n.index[f+" "+l] = len(n.full)
				n.full = append(n.full, f+" "+l)
			}
		}
		allNames = n
	})
	return allNames
}
