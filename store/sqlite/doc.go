// Package sqlite is the store on SQLite, through the pure-Go
// modernc.org/sqlite: the default one-machine run, a file under .data/. It
// registers itself as the store engine "sqlite" (URLs "sqlite:PATH" or a
// plain file path); import store/engines to link it in.
package sqlite
