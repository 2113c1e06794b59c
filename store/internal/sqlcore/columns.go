package sqlcore

import (
	"slices"
	"strings"
	"time"

	"github.com/sfconnect/sfconnect/store"
)

// The column lists both dialects share (the schemas name their columns
// alike), in the order of AppendMappingArgs and the scanners.

// MappingCols are a mapping's stored values, as read back.
const MappingCols = "connection_id, slack_user_id, workspace, org_id, " +
	"slack_email, slack_name_id, slack_name, " +
	"salesforce_user_id, salesforce_username, salesforce_email, " +
	"state, source, invite_expires_at, created_at, updated_at, updated_by"

// MappingInsertCols adds the folded search copies, which are written but
// never read.
const MappingInsertCols = MappingCols + ", " +
	"slack_user_id_lc, slack_email_lc, slack_name_lc, salesforce_username_lc, salesforce_email_lc"

// MappingInsertWidth is the number of MappingInsertCols.
const MappingInsertWidth = 21

// MappingValueCols are the values that make a mapping what it is: a row is
// changed by a write only when one of them differs (timestamps, UpdatedBy and
// the folded copies follow from them).
var MappingValueCols = []string{
	"workspace", "org_id", "slack_email", "slack_name_id", "slack_name",
	"salesforce_user_id", "salesforce_username", "salesforce_email",
	"state", "source", "invite_expires_at",
}

// MappingUpdateCols are set when an existing row changes; created_at stays.
var MappingUpdateCols = append(append([]string{}, MappingValueCols...),
	"updated_at", "updated_by",
	"slack_email_lc", "slack_name_lc", "salesforce_username_lc", "salesforce_email_lc")

// AppendMappingArgs appends m's MappingInsertCols values to dst; timeArg
// gives a time's database value (nil for the zero time).
func AppendMappingArgs(dst []any, m *store.Mapping, timeArg func(time.Time) any) []any {
	return append(dst,
		m.ConnectionID, m.SlackUserID, m.Workspace, m.OrgID,
		m.SlackEmail, m.SlackNameID, m.SlackName,
		m.SalesforceUserID, m.SalesforceUsername, m.SalesforceEmail,
		string(m.State), string(m.Source), timeArg(m.InviteExpiresAt),
		timeArg(m.CreatedAt), timeArg(m.UpdatedAt), m.UpdatedBy,
		Fold(m.SlackUserID), Fold(m.SlackEmail), Fold(m.SlackName),
		Fold(m.SalesforceUsername), Fold(m.SalesforceEmail),
	)
}

// MemberCols are a member's stored values, as read back.
const MemberCols = "workspace, user_id, name, real_name, email, saml_name_id, deleted, updated_at"

// MemberInsertCols adds the folded search copies.
const MemberInsertCols = MemberCols + ", user_id_lc, name_lc, real_name_lc, email_lc"

// MemberInsertWidth is the number of MemberInsertCols.
const MemberInsertWidth = 12

// MemberValueCols are the values that make a member what it is.
var MemberValueCols = []string{"name", "real_name", "email", "saml_name_id", "deleted"}

// MemberUpdateCols are set when an existing member changes.
var MemberUpdateCols = append(append([]string{}, MemberValueCols...),
	"updated_at", "name_lc", "real_name_lc", "email_lc")

// AppendMemberArgs appends m's MemberInsertCols values to dst.
func AppendMemberArgs(dst []any, m *store.Member, deleted any, timeArg func(time.Time) any) []any {
	return append(dst,
		m.Workspace, m.UserID, m.Name, m.RealName, m.Email, m.SAMLNameID,
		deleted, timeArg(m.UpdatedAt),
		Fold(m.UserID), Fold(m.Name), Fold(m.RealName), Fold(m.Email),
	)
}

// SetExcluded renders "c = excluded.c, …" for an upsert's DO UPDATE.
func SetExcluded(cols []string) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = c + " = excluded." + c
	}
	return strings.Join(parts, ", ")
}

// SearchedMappingCols are the folded columns of mappings SearchMappings
// scans; the Slack side is searched through the directory copy
// (SearchedMemberCols and member_words), the Slack user id through the
// primary key.
var SearchedMappingCols = []string{"salesforce_username_lc", "salesforce_email_lc"}

// SearchBranchCond is the extra condition of a searched column's branch:
// the index of the Salesforce email holds only the emails that differ from
// the Slack one (the others are the member's email, found through the
// directory copy), and a partial index serves only queries that name its
// condition.
var SearchBranchCond = map[string]string{
	"salesforce_email_lc": " AND salesforce_email_lc <> slack_email_lc",
}

// SearchedMemberCols are the folded member columns SearchMembers scans
// (member_words besides).
var SearchedMemberCols = []string{"name_lc", "real_name_lc", "email_lc", "user_id_lc"}

// MemberColsOfMappings are the member columns through which SearchMappings
// finds a mapping by its member: the id is searched in mappings' own key,
// which also holds the members the copy lacks.
var MemberColsOfMappings = []string{"name_lc", "real_name_lc", "email_lc"}

// JoinCols renders a column list.
func JoinCols(cols []string) string { return strings.Join(cols, ", ") }

// PrefixCols qualifies each column of a list with a table alias.
func PrefixCols(alias, cols string) string {
	parts := strings.Split(cols, ", ")
	for i, c := range parts {
		parts[i] = alias + "." + c
	}
	return strings.Join(parts, ", ")
}

// SetParams renders "c = ?, …" for an UPDATE.
func SetParams(cols []string) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = c + " = ?"
	}
	return strings.Join(parts, ", ")
}

// ArgIndexes returns the positions of cols within the list all.
func ArgIndexes(all string, cols []string) []int {
	names := strings.Split(all, ", ")
	idx := make([]int, len(cols))
	for i, c := range cols {
		idx[i] = slices.Index(names, c)
		if idx[i] < 0 {
			panic("store: column " + c + " is not in " + all)
		}
	}
	return idx
}

// The positions of the UPDATE columns within the INSERT arguments.
var (
	MemberUpdateArgs = ArgIndexes(MemberInsertCols, MemberUpdateCols)
)

// PickArgs appends to dst the values of src (a row's INSERT arguments) at
// idx, then extra.
func PickArgs(dst, src []any, idx []int, extra ...any) []any {
	for _, i := range idx {
		dst = append(dst, src[i])
	}
	return append(dst, extra...)
}

// SameMappingValues reports whether two mappings have the same
// MappingValueCols (keep the two in step).
func SameMappingValues(a, b store.Mapping) bool {
	return a.Workspace == b.Workspace && a.OrgID == b.OrgID &&
		a.SlackEmail == b.SlackEmail && a.SlackNameID == b.SlackNameID && a.SlackName == b.SlackName &&
		a.SalesforceUserID == b.SalesforceUserID && a.SalesforceUsername == b.SalesforceUsername &&
		a.SalesforceEmail == b.SalesforceEmail && a.State == b.State && a.Source == b.Source &&
		a.InviteExpiresAt.Equal(b.InviteExpiresAt)
}

// SameMemberValues reports whether two members have the same
// MemberValueCols (keep the two in step).
func SameMemberValues(a, b store.Member) bool {
	return a.Name == b.Name && a.RealName == b.RealName && a.Email == b.Email &&
		a.SAMLNameID == b.SAMLNameID && a.Deleted == b.Deleted
}
