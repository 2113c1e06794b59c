package sqlite

import (
	"strings"

	"github.com/sfconnect/sfconnect/store"
	"github.com/sfconnect/sfconnect/store/internal/sqlcore"
)

// sqliteMappingCols are mappingCols on SQLite, where a mapping's
// connection is its number, conn (conns.go).
var sqliteMappingCols = "conn" + strings.TrimPrefix(sqlcore.MappingCols, "connection_id")

// sqliteMappingInsertCols are what SQLite stores of a mapping: the folded
// copies it searches, and not the Slack user id's (the id is searched
// through the primary key).
var sqliteMappingInsertCols = sqliteMappingCols + ", " +
	"slack_email_lc, slack_name_lc, salesforce_username_lc, salesforce_email_lc"

// sqliteMappingInsertWidth is the number of sqliteMappingInsertCols.
const sqliteMappingInsertWidth = 20

// appendSQLiteMappingArgs appends m's sqliteMappingInsertCols values, its
// connection being number conn.
func appendSQLiteMappingArgs(dst []any, m *store.Mapping, conn int64) []any {
	return append(dst,
		conn, m.SlackUserID, m.Workspace, m.OrgID,
		m.SlackEmail, m.SlackNameID, m.SlackName,
		m.SalesforceUserID, m.SalesforceUsername, m.SalesforceEmail,
		string(m.State), string(m.Source), sqliteTime(m.InviteExpiresAt),
		sqliteTime(m.CreatedAt), sqliteTime(m.UpdatedAt), m.UpdatedBy,
		sqlcore.Fold(m.SlackEmail), sqlcore.Fold(m.SlackName), sqlcore.Fold(m.SalesforceUsername), sqlcore.Fold(m.SalesforceEmail),
	)
}

// sqliteMappingUpdateArgs are the positions of the UPDATE columns within
// the INSERT arguments.
var sqliteMappingUpdateArgs = sqlcore.ArgIndexes(sqliteMappingInsertCols, sqlcore.MappingUpdateCols)
