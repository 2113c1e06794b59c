package workflows_test

import (
	"testing"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/sfconnect/sfconnect/workflows"
)

// sqlVisibilityLimits are the custom search attributes a namespace may have
// on SQL visibility (PostgreSQL, MySQL, SQLite), by type: the columns of
// Temporal's executions_visibility table (Keyword01…10, Int01…03, …). The
// production topology runs on it (README, Production); Elasticsearch allows
// more, the dev server the same as SQL.
var sqlVisibilityLimits = map[enumspb.IndexedValueType]int{
	enumspb.INDEXED_VALUE_TYPE_KEYWORD:      10,
	enumspb.INDEXED_VALUE_TYPE_INT:          3,
	enumspb.INDEXED_VALUE_TYPE_BOOL:         3,
	enumspb.INDEXED_VALUE_TYPE_DOUBLE:       3,
	enumspb.INDEXED_VALUE_TYPE_DATETIME:     3,
	enumspb.INDEXED_VALUE_TYPE_TEXT:         3,
	enumspb.INDEXED_VALUE_TYPE_KEYWORD_LIST: 3,
}

// TestSearchAttributesFitSQLVisibility fails when the product needs more
// search attributes of a type than SQL visibility gives a namespace: the
// namespace setup (deploy/temporal/setup.sh) would then fail in production.
func TestSearchAttributesFitSQLVisibility(t *testing.T) {
	n := map[enumspb.IndexedValueType]int{}
	for key := range workflows.SearchAttributes.GetUntypedValues() {
		n[key.GetValueType()]++
	}
	if len(n) == 0 {
		t.Fatal("workflows.SearchAttributes is empty")
	}
	for typ, count := range n {
		limit, ok := sqlVisibilityLimits[typ]
		if !ok {
			t.Errorf("search attributes of type %s: SQL visibility has no columns of this type", typ)
			continue
		}
		if count > limit {
			t.Errorf("%d search attributes of type %s; SQL visibility gives a namespace %d", count, typ, limit)
		}
	}
}
