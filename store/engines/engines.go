// Package engines links every store engine into a binary: import it for
// its side effect, as a database/sql program imports its drivers.
//
//	import _ "github.com/sfconnect/sfconnect/store/engines"
package engines

import (
	// Each registers itself with store.Register.
	_ "github.com/sfconnect/sfconnect/store/postgres"
	_ "github.com/sfconnect/sfconnect/store/sqlite"
)
