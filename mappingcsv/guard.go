package mappingcsv

import "io"

// rowGuard sits under the read buffer and refuses to deliver more than max
// bytes beyond the start of the current row. encoding/csv has no limit of
// its own: a file without line ends, or a quote that is never closed, would
// make it buffer the whole file. The reader moves base to each row's end,
// so a row may use max minus what the buffer has read ahead (at most
// bufSize) before the guard trips.
type rowGuard struct {
	src  io.Reader
	read int64 // bytes delivered so far
	base int64 // file offset where the current row starts
	max  int64
}

func (g *rowGuard) Read(p []byte) (int, error) {
	room := g.base + g.max - g.read
	if room <= 0 {
		return 0, ErrRowTooLong
	}
	if int64(len(p)) > room {
		p = p[:room]
	}
	n, err := g.src.Read(p)
	g.read += int64(n)
	return n, err
}
