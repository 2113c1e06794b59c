package store

import (
	"slices"
	"strings"
	"time"
)

// The column lists both dialects share (the schemas name their columns
// alike), in the order of appendMappingArgs and the scanners.

// mappingCols are a mapping's stored values, as read back.
const mappingCols = "connection_id, slack_user_id, workspace, org_id, " +
	"slack_email, slack_name_id, slack_name, " +
	"salesforce_user_id, salesforce_username, salesforce_email, " +
	"state, source, invite_expires_at, created_at, updated_at, updated_by"

// mappingInsertCols adds the folded search copies, which are written but
// never read.
const mappingInsertCols = mappingCols + ", " +
	"slack_user_id_lc, slack_email_lc, slack_name_lc, salesforce_username_lc, salesforce_email_lc"

// mappingInsertWidth is the number of mappingInsertCols.
const mappingInsertWidth = 21

// sqliteMappingCols are mappingCols on SQLite, where a mapping's
// connection is its number, conn (sqlite_conns.go).
var sqliteMappingCols = "conn" + strings.TrimPrefix(mappingCols, "connection_id")

// sqliteMappingInsertCols are what SQLite stores of a mapping: the folded
// copies it searches, and not the Slack user id's (the id is searched
// through the primary key).
var sqliteMappingInsertCols = sqliteMappingCols + ", " +
	"slack_email_lc, slack_name_lc, salesforce_username_lc, salesforce_email_lc"

// sqliteMappingInsertWidth is the number of sqliteMappingInsertCols.
const sqliteMappingInsertWidth = 20

// appendSQLiteMappingArgs appends m's sqliteMappingInsertCols values, its
// connection being number conn.
func appendSQLiteMappingArgs(dst []any, m *Mapping, conn int64) []any {
	return append(dst,
		conn, m.SlackUserID, m.Workspace, m.OrgID,
		m.SlackEmail, m.SlackNameID, m.SlackName,
		m.SalesforceUserID, m.SalesforceUsername, m.SalesforceEmail,
		string(m.State), string(m.Source), sqliteTime(m.InviteExpiresAt),
		sqliteTime(m.CreatedAt), sqliteTime(m.UpdatedAt), m.UpdatedBy,
		fold(m.SlackEmail), fold(m.SlackName), fold(m.SalesforceUsername), fold(m.SalesforceEmail),
	)
}

// mappingValueCols are the values that make a mapping what it is: a row is
// changed by a write only when one of them differs (timestamps, UpdatedBy and
// the folded copies follow from them).
var mappingValueCols = []string{
	"workspace", "org_id", "slack_email", "slack_name_id", "slack_name",
	"salesforce_user_id", "salesforce_username", "salesforce_email",
	"state", "source", "invite_expires_at",
}

// mappingUpdateCols are set when an existing row changes; created_at stays.
var mappingUpdateCols = append(append([]string{}, mappingValueCols...),
	"updated_at", "updated_by",
	"slack_email_lc", "slack_name_lc", "salesforce_username_lc", "salesforce_email_lc")

// appendMappingArgs appends m's mappingInsertCols values to dst; timeArg
// gives a time's database value (nil for the zero time).
func appendMappingArgs(dst []any, m *Mapping, timeArg func(time.Time) any) []any {
	return append(dst,
		m.ConnectionID, m.SlackUserID, m.Workspace, m.OrgID,
		m.SlackEmail, m.SlackNameID, m.SlackName,
		m.SalesforceUserID, m.SalesforceUsername, m.SalesforceEmail,
		string(m.State), string(m.Source), timeArg(m.InviteExpiresAt),
		timeArg(m.CreatedAt), timeArg(m.UpdatedAt), m.UpdatedBy,
		fold(m.SlackUserID), fold(m.SlackEmail), fold(m.SlackName),
		fold(m.SalesforceUsername), fold(m.SalesforceEmail),
	)
}

// memberCols are a member's stored values, as read back.
const memberCols = "workspace, user_id, name, real_name, email, saml_name_id, deleted, updated_at"

// memberInsertCols adds the folded search copies.
const memberInsertCols = memberCols + ", user_id_lc, name_lc, real_name_lc, email_lc"

// memberInsertWidth is the number of memberInsertCols.
const memberInsertWidth = 12

// memberValueCols are the values that make a member what it is.
var memberValueCols = []string{"name", "real_name", "email", "saml_name_id", "deleted"}

// memberUpdateCols are set when an existing member changes.
var memberUpdateCols = append(append([]string{}, memberValueCols...),
	"updated_at", "name_lc", "real_name_lc", "email_lc")

// appendMemberArgs appends m's memberInsertCols values to dst.
func appendMemberArgs(dst []any, m *Member, deleted any, timeArg func(time.Time) any) []any {
	return append(dst,
		m.Workspace, m.UserID, m.Name, m.RealName, m.Email, m.SAMLNameID,
		deleted, timeArg(m.UpdatedAt),
		fold(m.UserID), fold(m.Name), fold(m.RealName), fold(m.Email),
	)
}

// setExcluded renders "c = excluded.c, …" for an upsert's DO UPDATE.
func setExcluded(cols []string) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = c + " = excluded." + c
	}
	return strings.Join(parts, ", ")
}

// searchedMappingCols are the folded columns of mappings SearchMappings
// scans; the Slack side is searched through the directory copy
// (searchedMemberCols and member_words), the Slack user id through the
// primary key.
var searchedMappingCols = []string{"salesforce_username_lc", "salesforce_email_lc"}

// searchBranchCond is the extra condition of a searched column's branch:
// the index of the Salesforce email holds only the emails that differ from
// the Slack one (the others are the member's email, found through the
// directory copy), and a partial index serves only queries that name its
// condition.
var searchBranchCond = map[string]string{
	"salesforce_email_lc": " AND salesforce_email_lc <> slack_email_lc",
}

// searchedMemberCols are the folded member columns SearchMembers scans
// (member_words besides).
var searchedMemberCols = []string{"name_lc", "real_name_lc", "email_lc", "user_id_lc"}

// memberColsOfMappings are the member columns through which SearchMappings
// finds a mapping by its member: the id is searched in mappings' own key,
// which also holds the members the copy lacks.
var memberColsOfMappings = []string{"name_lc", "real_name_lc", "email_lc"}

// joinCols renders a column list.
func joinCols(cols []string) string { return strings.Join(cols, ", ") }

// prefixCols qualifies each column of a list with a table alias.
func prefixCols(alias, cols string) string {
	parts := strings.Split(cols, ", ")
	for i, c := range parts {
		parts[i] = alias + "." + c
	}
	return strings.Join(parts, ", ")
}

// setParams renders "c = ?, …" for an UPDATE.
func setParams(cols []string) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = c + " = ?"
	}
	return strings.Join(parts, ", ")
}

// argIndexes returns the positions of cols within the list all.
func argIndexes(all string, cols []string) []int {
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
	sqliteMappingUpdateArgs = argIndexes(sqliteMappingInsertCols, mappingUpdateCols)
	memberUpdateArgs        = argIndexes(memberInsertCols, memberUpdateCols)
)

// pickArgs appends to dst the values of src (a row's INSERT arguments) at
// idx, then extra.
func pickArgs(dst, src []any, idx []int, extra ...any) []any {
	for _, i := range idx {
		dst = append(dst, src[i])
	}
	return append(dst, extra...)
}

// sameMappingValues reports whether two mappings have the same
// mappingValueCols (keep the two in step).
func sameMappingValues(a, b Mapping) bool {
	return a.Workspace == b.Workspace && a.OrgID == b.OrgID &&
		a.SlackEmail == b.SlackEmail && a.SlackNameID == b.SlackNameID && a.SlackName == b.SlackName &&
		a.SalesforceUserID == b.SalesforceUserID && a.SalesforceUsername == b.SalesforceUsername &&
		a.SalesforceEmail == b.SalesforceEmail && a.State == b.State && a.Source == b.Source &&
		a.InviteExpiresAt.Equal(b.InviteExpiresAt)
}

// sameMemberValues reports whether two members have the same
// memberValueCols (keep the two in step).
func sameMemberValues(a, b Member) bool {
	return a.Name == b.Name && a.RealName == b.RealName && a.Email == b.Email &&
		a.SAMLNameID == b.SAMLNameID && a.Deleted == b.Deleted
}
