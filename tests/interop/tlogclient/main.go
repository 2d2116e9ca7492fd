// Command tlogclient is an independent C2SP tlog-tiles client used for
// interop tests. It knows only the public specs (signed-note,
// tlog-checkpoint, tlog-tiles) and golang.org/x/mod v0.7.0's sumdb/note and
// sumdb/tlog packages; it deliberately shares nothing with ledgerd's C code,
// so a bug in our tree or tile encoding cannot be mirrored here.
//
// Usage:
//
//	tlogclient -url http://127.0.0.1:PORT -vkey 'name+id+base64'
//	    [-save FILE] [-trusted FILE] [-check-all] [-sample N] [-v]
//
// On success it prints one line
//
//	ok origin=<o> size=<n> root=<b64> entries_checked=<k>
//
// and exits 0. Any verification failure prints a line starting "FAIL:" and
// exits 1; a usage error exits 2.
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/bits"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

const (
	tileHeight = 8
	tileWidth  = 1 << tileHeight

	// Generous caps: a checkpoint with 100 signatures is ~15 KiB, and a
	// bundle is at most 256 entries of 2+65535 bytes.
	maxCheckpoint = 1 << 20
	maxTile       = tileWidth * tlog.HashSize
	maxBundle     = tileWidth * (2 + 65535)

	// DESIGN.md: /checkpoint is cacheable "for a few seconds at most".
	maxCheckpointMaxAge = 60
)

// failure is a verification failure (exit 1), as opposed to a usage error.
type failure struct{ msg string }

func (f *failure) Error() string { return f.msg }

func failf(format string, args ...interface{}) error {
	return &failure{fmt.Sprintf(format, args...)}
}

var verbose bool

func logf(format string, args ...interface{}) {
	if verbose {
		fmt.Fprintf(os.Stderr, "tlogclient: "+format+"\n", args...)
	}
}

// checkpoint is a parsed, signature-verified C2SP checkpoint.
type checkpoint struct {
	raw    []byte
	origin string
	size   int64
	root   tlog.Hash
}

// emptyRoot is MTH({}) = SHA-256(""). x/mod v0.7.0's TreeHash(0) returns
// zeros instead, so size 0 is handled without it.
var emptyRoot = tlog.Hash(sha256.Sum256(nil))

// openCheckpoint verifies msg with v and parses the checkpoint body by hand:
// x/mod's tlog.ParseTree only understands the sumdb "go.sum database tree"
// header, not C2SP checkpoints.
func openCheckpoint(msg []byte, v note.Verifier, what string) (*checkpoint, error) {
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return nil, failf("%s: signature: %v", what, err)
	}
	if !strings.HasSuffix(n.Text, "\n") {
		return nil, failf("%s: note text does not end in newline", what)
	}
	lines := strings.Split(strings.TrimSuffix(n.Text, "\n"), "\n")
	if len(lines) < 3 {
		return nil, failf("%s: %d body lines, need at least 3", what, len(lines))
	}
	for i, l := range lines {
		if l == "" {
			return nil, failf("%s: body line %d is empty", what, i+1)
		}
	}
	c := &checkpoint{raw: msg, origin: lines[0]}
	if c.origin != v.Name() {
		return nil, failf("%s: origin %q does not match key name %q", what, c.origin, v.Name())
	}
	c.size, err = parseSize(lines[1])
	if err != nil {
		return nil, failf("%s: tree size: %v", what, err)
	}
	raw, err := base64.StdEncoding.Strict().DecodeString(lines[2])
	if err != nil || len(raw) != tlog.HashSize ||
		base64.StdEncoding.EncodeToString(raw) != lines[2] {
		return nil, failf("%s: root hash %q is not canonical base64 of 32 bytes", what, lines[2])
	}
	copy(c.root[:], raw)
	return c, nil
}

// parseSize accepts only canonical decimal: no sign, no leading zeros.
func parseSize(s string) (int64, error) {
	if s == "" || len(s) > 19 || (len(s) > 1 && s[0] == '0') {
		return 0, fmt.Errorf("%q is not canonical decimal", s)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("%q is not canonical decimal", s)
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q: %v", s, err)
	}
	return n, nil
}

// fetcher does the HTTP side and checks the headers tlog-tiles (and
// DESIGN.md §3.4) require of each resource class.
type fetcher struct {
	base   string
	client *http.Client
	gzip   int // responses that arrived gzip-encoded
	gets   int
}

type kind int

const (
	kindCheckpoint kind = iota
	kindTile
	kindBundle
)

func (f *fetcher) get(path string, k kind, limit int64) ([]byte, error) {
	url := f.base + "/" + path
	f.gets++
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		return nil, failf("GET %s: %v", url, err)
	}
	// Leaving Accept-Encoding unset lets net/http ask for gzip and undo it
	// transparently, which is what tlog-tiles asks clients to accept.
	req.Header.Set("User-Agent", "ledgerd-interop-tlogclient/1")
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, failf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, failf("GET %s: status %s", url, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, failf("GET %s: reading body: %v", url, err)
	}
	if int64(len(body)) > limit {
		return nil, failf("GET %s: body exceeds %d bytes", url, limit)
	}
	if resp.Uncompressed {
		f.gzip++
	}
	logf("GET %s: %d bytes, gzip=%v", path, len(body), resp.Uncompressed)
	if err := checkHeaders(resp.Header, k); err != nil {
		return nil, failf("GET %s: %v", url, err)
	}
	return body, nil
}

func checkHeaders(h http.Header, k kind) error {
	ct := h.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return fmt.Errorf("bad Content-Type %q: %v", ct, err)
	}
	cc := cacheDirectives(h.Values("Cache-Control"))
	switch k {
	case kindCheckpoint:
		if mt != "text/plain" || !strings.EqualFold(params["charset"], "utf-8") {
			return fmt.Errorf("Content-Type %q, want text/plain; charset=utf-8", ct)
		}
		if _, ok := cc["immutable"]; ok {
			return errors.New("checkpoint is marked Cache-Control: immutable")
		}
		if v, ok := cc["max-age"]; ok {
			age, err := strconv.ParseInt(v, 10, 64)
			if err != nil || age > maxCheckpointMaxAge {
				return fmt.Errorf("checkpoint Cache-Control max-age=%s exceeds %ds", v, maxCheckpointMaxAge)
			}
		}
	default:
		if mt != "application/octet-stream" {
			return fmt.Errorf("Content-Type %q, want application/octet-stream", ct)
		}
		if _, ok := cc["immutable"]; !ok {
			return fmt.Errorf("Cache-Control %q lacks immutable", strings.Join(h.Values("Cache-Control"), ", "))
		}
	}
	return nil
}

// cacheDirectives splits Cache-Control header values into lower-cased
// directive names mapped to their (unquoted) arguments.
func cacheDirectives(values []string) map[string]string {
	m := make(map[string]string)
	for _, v := range values {
		for _, d := range strings.Split(v, ",") {
			d = strings.TrimSpace(d)
			if d == "" {
				continue
			}
			name, arg := d, ""
			if i := strings.IndexByte(d, '='); i >= 0 {
				name, arg = d[:i], strings.Trim(strings.TrimSpace(d[i+1:]), `"`)
			}
			m[strings.ToLower(strings.TrimSpace(name))] = arg
		}
	}
	return m
}

// c2spPath maps an x/mod tile path to the C2SP layout: tlog-tiles drops
// the height component and names data tiles "entries".
func c2spPath(t tlog.Tile) string {
	p := t.Path()
	if t.L == -1 {
		return "tile/entries/" + strings.TrimPrefix(p, fmt.Sprintf("tile/%d/data/", t.H))
	}
	return "tile/" + strings.TrimPrefix(p, fmt.Sprintf("tile/%d/", t.H))
}

// tileReader implements tlog.TileReader. tlog.TileHashReader re-plans and
// re-authenticates its tiles on every ReadHashes call, so tiles it has
// accepted (SaveTiles) are kept in memory to fetch each one once.
//
// x/mod's TileHashReader does not authenticate every tile it returns
// hashes from: its parent-check loop starts at len(stx), the number of
// subtree indexes of the tree size, not the number of distinct tiles they
// fall in, so the first index tiles after those are never checked against
// their parent (v0.7.0, unchanged at golang/mod HEAD). SaveTiles therefore
// re-checks every full tile against its parent itself; the stx tiles at the
// top of each chain are partial and were checked against the signed root.
type tileReader struct {
	f     *fetcher
	saved map[tlog.Tile][]byte
	err   error // sticky: a tile failed our own authentication
}

func (r *tileReader) Height() int { return tileHeight }

func (r *tileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	if r.err != nil {
		return nil, r.err
	}
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		if d, ok := r.saved[t]; ok {
			out[i] = d
			continue
		}
		if t.L < 0 {
			logf("unexpected data tile request %s", t.Path())
		}
		d, err := r.f.get(c2spPath(t), kindTile, maxTile)
		if err != nil {
			return nil, err
		}
		// TileHashReader checks the length too, but this names the tile.
		if len(d) != t.W*tlog.HashSize {
			return nil, failf("%s: %d bytes, want %d", c2spPath(t), len(d), t.W*tlog.HashSize)
		}
		out[i] = d
	}
	return out, nil
}

// tileRoot is the root of the perfect subtree whose bottom row is the 256
// hashes of a full tile, i.e. the hash its parent tile must hold for it.
func tileRoot(data []byte) tlog.Hash {
	row := make([]tlog.Hash, len(data)/tlog.HashSize)
	for i := range row {
		copy(row[i][:], data[i*tlog.HashSize:])
	}
	for len(row) > 1 {
		for i := 0; i < len(row)/2; i++ {
			row[i] = tlog.NodeHash(row[2*i], row[2*i+1])
		}
		row = row[:len(row)/2]
	}
	return row[0]
}

type tileKey struct {
	L int
	N int64
}

func (r *tileReader) SaveTiles(tiles []tlog.Tile, data [][]byte) {
	if r.err != nil {
		return
	}
	batch := make(map[tileKey]int, len(tiles))
	for i, t := range tiles {
		batch[tileKey{t.L, t.N}] = i
	}
	for i, t := range tiles {
		if _, done := r.saved[t]; done || t.W != tileWidth || t.L < 0 {
			continue // served from r.saved, so checked when first saved
		}
		var parent []byte
		if j, ok := batch[tileKey{t.L + 1, t.N >> tileHeight}]; ok {
			parent = data[j]
		} else {
			for pt, d := range r.saved {
				if pt.L == t.L+1 && pt.N == t.N>>tileHeight {
					parent = d
				}
			}
		}
		off := int(t.N&(tileWidth-1)) * tlog.HashSize
		if parent == nil || len(parent) < off+tlog.HashSize {
			r.err = failf("%s: no parent tile hash to authenticate it against", c2spPath(t))
			return
		}
		if h := tileRoot(data[i]); !bytes.Equal(h[:], parent[off:off+tlog.HashSize]) {
			r.err = failf("%s: downloaded inconsistent tile (does not match its parent tile; "+
				"x/mod's TileHashReader left it unchecked)", c2spPath(t))
			return
		}
	}
	for i, t := range tiles {
		r.saved[t] = data[i]
	}
}

// checkedReader surfaces tileReader.err, which SaveTiles cannot return:
// TileHashReader has already computed its answer when it calls SaveTiles.
type checkedReader struct {
	thr tlog.HashReader
	tr  *tileReader
}

func (c *checkedReader) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	h, err := c.thr.ReadHashes(indexes)
	if err != nil {
		return nil, err
	}
	if c.tr.err != nil {
		return nil, c.tr.err
	}
	return h, nil
}

// dropLeafTiles forgets full level-0 tiles once their bundle is done, so
// -check-all over a big log keeps memory bounded; the upper levels and the
// right-edge partial tiles are reused by every proof and stay.
func (r *tileReader) dropLeafTiles() {
	for t := range r.saved {
		if t.L == 0 && t.W == tileWidth {
			delete(r.saved, t)
		}
	}
}

// decodeBundle parses a tlog-tiles entry bundle strictly: a concatenation
// of uint16_be(len) || entry, with exactly want entries and no trailing
// bytes.
func decodeBundle(b []byte, want int) ([][]byte, error) {
	var entries [][]byte
	for len(b) > 0 {
		if len(b) < 2 {
			return nil, fmt.Errorf("truncated length prefix after %d entries", len(entries))
		}
		n := int(binary.BigEndian.Uint16(b))
		b = b[2:]
		if len(b) < n {
			return nil, fmt.Errorf("entry %d: length %d but only %d bytes left", len(entries), n, len(b))
		}
		entries = append(entries, b[:n])
		b = b[n:]
		if len(entries) > want {
			return nil, fmt.Errorf("more than %d entries", want)
		}
	}
	if len(entries) != want {
		return nil, fmt.Errorf("%d entries, want %d", len(entries), want)
	}
	return entries, nil
}

// bundlesToCheck lists, in increasing order, the entry bundles to verify:
// all of them, or those covering n sampled indexes (the first, the last and
// up to n-2 more spread evenly; n >= size means all).
func bundlesToCheck(size, n int64, all bool) []int64 {
	if size == 0 || (n <= 0 && !all) {
		return nil
	}
	if all || n >= size {
		out := make([]int64, (size+tileWidth-1)/tileWidth)
		for i := range out {
			out[i] = int64(i)
		}
		return out
	}
	set := map[int64]bool{(size - 1) / tileWidth: true}
	if n >= 2 {
		set[0] = true
		q, r := (size-1)/(n-1), uint64((size-1)%(n-1))
		for i := int64(1); i < n-1; i++ {
			// i*(size-1)/(n-1) without overflow: i*r < (n-1)^2 fits in
			// 128 bits and its quotient by n-1 fits in 64.
			hi, lo := bits.Mul64(uint64(i), r)
			frac, _ := bits.Div64(hi, lo, uint64(n-1))
			set[(i*q+int64(frac))/tileWidth] = true
		}
	}
	out := make([]int64, 0, len(set))
	for x := range set {
		out = append(out, x)
	}
	sort.Slice(out, func(a, b int) bool { return out[a] < out[b] })
	return out
}

// hashCache answers repeated ReadHashes calls from memory. x/mod's
// TileHashReader re-authenticates every tile it touches on each call (about
// a thousand SHA-256 per proof), so proving 256 entries one by one through
// it directly would cost ~100 us per entry. Soundness does not rest on the
// cache: every proof built from it is still checked by tlog.CheckRecord
// against the signed root.
type hashCache struct {
	thr tlog.HashReader
	m   map[int64]tlog.Hash
}

func (c *hashCache) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	var miss []int64
	for _, x := range indexes {
		if _, ok := c.m[x]; !ok {
			miss = append(miss, x)
		}
	}
	if len(miss) > 0 {
		h, err := c.thr.ReadHashes(miss)
		if err != nil {
			return nil, err
		}
		if len(h) != len(miss) {
			return nil, fmt.Errorf("ReadHashes(%d indexes) = %d hashes", len(miss), len(h))
		}
		for i, x := range miss {
			c.m[x] = h[i]
		}
	}
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		out[i] = c.m[x]
	}
	return out, nil
}

// newBundleCache preloads, in one TileHashReader call, every stored hash
// inside bundle bn's subtree (tree levels 0..7, complete nodes only), which
// is where the proofs of its w entries differ from one another.
func newBundleCache(thr tlog.HashReader, size, bn int64, w int) (*hashCache, error) {
	hc := &hashCache{thr: thr, m: make(map[int64]tlog.Hash)}
	var idx []int64
	for l := 0; l < tileHeight; l++ {
		first := bn << uint(tileHeight-l)
		for k := first; k < first+int64(w>>uint(l)); k++ {
			idx = append(idx, tlog.StoredHashIndex(l, k))
		}
	}
	_, err := hc.ReadHashes(idx)
	return hc, err
}

// checkEntries fetches each listed bundle once and proves every entry in
// it against the checkpoint root. It returns the number of entries verified.
func checkEntries(f *fetcher, tr *tileReader, thr tlog.HashReader, c *checkpoint, bundles []int64) (int64, error) {
	var checked int64
	for _, bn := range bundles {
		w := tileWidth
		if bn == c.size/tileWidth {
			w = int(c.size % tileWidth)
		}
		t := tlog.Tile{H: tileHeight, L: -1, N: bn, W: w}
		path := c2spPath(t)
		body, err := f.get(path, kindBundle, maxBundle)
		if err != nil {
			return checked, err
		}
		entries, err := decodeBundle(body, w)
		if err != nil {
			return checked, failf("%s: %v", path, err)
		}
		hc, err := newBundleCache(thr, c.size, bn, w)
		if err != nil {
			return checked, failf("%s: hashes from tiles: %v", path, err)
		}
		for i, e := range entries {
			x := bn*tileWidth + int64(i)
			p, err := tlog.ProveRecord(c.size, x, hc)
			if err != nil {
				return checked, failf("entry %d: inclusion proof from tiles: %v", x, err)
			}
			if err := tlog.CheckRecord(p, c.size, c.root, x, tlog.RecordHash(e)); err != nil {
				return checked, failf("entry %d (%s): %v", x, path, err)
			}
			checked++
		}
		tr.dropLeafTiles()
	}
	return checked, nil
}

// checkTrusted proves the served tree extends the trusted one, two ways:
// the sumdb way (recompute the old root from the new tree's tiles) and an
// RFC 6962 consistency proof built from the same tiles and checked against
// both signed roots, which does not depend on how well the tiles were
// authenticated.
func checkTrusted(old, cur *checkpoint, thr tlog.HashReader) error {
	if old.size > cur.size {
		return failf("log shrank: trusted size %d > served size %d (rollback or fork)", old.size, cur.size)
	}
	if old.size == 0 {
		if old.root != emptyRoot {
			return failf("trusted checkpoint of size 0 has root %s, want SHA-256(\"\")", old.root)
		}
		return nil
	}
	h, err := tlog.TreeHash(old.size, thr)
	if err != nil {
		return failf("recomputing trusted root at size %d: %v", old.size, err)
	}
	if h != old.root {
		return failf("FORK: served tree at size %d has root %s, trusted checkpoint says %s (history rewritten)",
			old.size, h, old.root)
	}
	p, err := tlog.ProveTree(cur.size, old.size, thr)
	if err != nil {
		return failf("consistency proof %d -> %d from tiles: %v", old.size, cur.size, err)
	}
	if err := tlog.CheckTree(p, cur.size, cur.root, old.size, old.root); err != nil {
		return failf("FORK: no valid consistency proof from trusted size %d to %d: %v", old.size, cur.size, err)
	}
	return nil
}

// writeFileAtomic replaces path so a crash never leaves half a checkpoint.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tlogclient-*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(name)
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		os.Remove(name)
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(name)
		return err
	}
	if err := os.Rename(name, path); err != nil {
		os.Remove(name)
		return err
	}
	return nil
}

type options struct {
	url, vkey, save, trusted string
	checkAll                 bool
	sample                   int64
	timeout                  time.Duration
}

func run(o *options, v note.Verifier) (string, error) {
	var trusted *checkpoint
	if o.trusted != "" {
		msg, err := os.ReadFile(o.trusted)
		if err != nil {
			return "", failf("reading trusted checkpoint: %v", err)
		}
		if trusted, err = openCheckpoint(msg, v, "trusted checkpoint"); err != nil {
			return "", err
		}
	}

	f := &fetcher{base: strings.TrimSuffix(o.url, "/"), client: &http.Client{Timeout: o.timeout}}
	msg, err := f.get("checkpoint", kindCheckpoint, maxCheckpoint)
	if err != nil {
		return "", err
	}
	cur, err := openCheckpoint(msg, v, "checkpoint")
	if err != nil {
		return "", err
	}
	logf("checkpoint origin=%s size=%d root=%s", cur.origin, cur.size, cur.root)

	var checked int64
	if cur.size == 0 {
		if cur.root != emptyRoot {
			return "", failf("empty tree has root %s, want SHA-256(\"\") %s", cur.root, emptyRoot)
		}
		if trusted != nil {
			if err := checkTrusted(trusted, cur, nil); err != nil {
				return "", err
			}
		}
	} else {
		tr := &tileReader{f: f, saved: make(map[tlog.Tile][]byte)}
		thr := &checkedReader{tlog.TileHashReader(tlog.Tree{N: cur.size, Hash: cur.root}, tr), tr}
		th, err := tlog.TreeHash(cur.size, thr)
		if err != nil {
			return "", failf("tree hash from tiles: %v", err)
		}
		if th != cur.root {
			return "", failf("tiles give root %s, checkpoint says %s", th, cur.root)
		}
		if trusted != nil {
			if err := checkTrusted(trusted, cur, thr); err != nil {
				return "", err
			}
		}
		bundles := bundlesToCheck(cur.size, o.sample, o.checkAll)
		if checked, err = checkEntries(f, tr, thr, cur, bundles); err != nil {
			return "", err
		}
	}
	logf("%d GETs, %d gzip-encoded", f.gets, f.gzip)

	if o.save != "" {
		if err := writeFileAtomic(o.save, cur.raw); err != nil {
			return "", failf("saving checkpoint: %v", err)
		}
	}
	return fmt.Sprintf("ok origin=%s size=%d root=%s entries_checked=%d",
		cur.origin, cur.size, cur.root, checked), nil
}

func usage() {
	fmt.Fprintf(os.Stderr, `usage: tlogclient -url URL -vkey VKEY [-save FILE] [-trusted FILE] [-check-all] [-sample N] [-v]

Verifies a C2SP tlog-tiles log: the signed checkpoint, every tile it needs,
consistency with a trusted checkpoint, and entry bundles. With -sample N the
bundles covering N indexes (first, last, spread evenly) are fetched, and every
entry in a fetched bundle is proved; -check-all fetches all bundles.
`)
	flag.PrintDefaults()
}

func main() {
	o := &options{}
	flag.StringVar(&o.url, "url", "", "log URL prefix, e.g. http://127.0.0.1:8080")
	flag.StringVar(&o.vkey, "vkey", "", "log verifier key name+id+base64 (name must equal the origin)")
	flag.StringVar(&o.save, "save", "", "write the verified checkpoint to `FILE`")
	flag.StringVar(&o.trusted, "trusted", "", "previously saved checkpoint `FILE` the log must extend")
	flag.BoolVar(&o.checkAll, "check-all", false, "verify every entry")
	flag.Int64Var(&o.sample, "sample", 16, "verify the bundles covering `N` sampled indexes (0: none)")
	flag.DurationVar(&o.timeout, "timeout", 60*time.Second, "per-request HTTP timeout")
	flag.BoolVar(&verbose, "v", false, "log each request to stderr")
	flag.Usage = usage
	flag.Parse()
	if flag.NArg() != 0 || o.url == "" || o.vkey == "" || o.sample < 0 {
		usage()
		os.Exit(2)
	}
	if !strings.HasPrefix(o.url, "http://") && !strings.HasPrefix(o.url, "https://") {
		fmt.Fprintf(os.Stderr, "tlogclient: -url must start with http:// or https://\n")
		os.Exit(2)
	}
	v, err := note.NewVerifier(o.vkey)
	if err != nil {
		fmt.Fprintf(os.Stderr, "tlogclient: -vkey: %v\n", err)
		os.Exit(2)
	}
	line, err := run(o, v)
	if err != nil {
		fmt.Printf("FAIL: %s\n", strings.ReplaceAll(err.Error(), "\n", " "))
		os.Exit(1)
	}
	fmt.Println(line)
}
