package sqlcore

// GetManyChunk bounds the ids of one IN list (SQLite's default limit on
// bound parameters is 32,766; a few hundred keep statements small).
const GetManyChunk = 500
