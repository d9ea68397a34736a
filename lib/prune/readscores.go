package prune

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path"
	"strconv"
	"strings"
)

// ScoreFileRules says how ReadScores reads a score file; commands print it
// in their --help.
const ScoreFileRules = `Score files: how they are read
  Layout: text rows of an example ID and a score, separated by commas, tabs,
  semicolons or spaces (decided from the first line). A UTF-8 byte-order mark
  is ignored; leading lines starting with # are comments (numpy.savetxt's
  header: the last one names the columns if it has as many fields as a row).
  Header: line 1 is a header when one of its fields is a known column name
  (id, filename, path, image, score, label, ... or the name given to --column
  or --id-column) or its first field is empty while the data's is not (the
  pandas index column: ",0", ",score"). A line 1 of names only whose fields
  are not known names is refused as ambiguous (a header, or a row with a bad
  score?): say which with --header yes|no. No row is ever dropped or added.
  Columns: --column NAME|INDEX picks the score column and --id-column
  NAME|INDEX the ID column (a header name first, else an index counted from
  0). Otherwise the ID column is one named like an ID, else the one column
  that is not numbers; the score column is one named score, else the one
  numeric column left (a pandas index and columns named label, class or
  target are never scores). When two columns qualify the file is refused as
  ambiguous, naming them. A file of one numeric column has no IDs: row k is
  the dataset's example k.
  IDs: file names and paths are reduced to the base name without image
  extension (train/n01440764/n01440764_10026.JPEG -> n01440764_10026).
  Every ID once.
  Scores: numbers; NaN, Inf and empty fields (pandas' NaN) are refused with
  file and line, or left out with --nan drop (the count is reported).
  Wrong files: empty files, header-only files, Git LFS pointers, HTML pages,
  gzip/zip archives and binary (.npy) files are refused, saying what they are.
  Row count: checked against the dataset's size when one is known (--dataset),
  against the sidecar FILE.json when present, and against 1,281,167 when every
  ID is an ILSVRC-2012 training ID (nXXXXXXXX_N); --partial allows a file
  that scores only part of the dataset.`

// ILSVRCTrainImages is the number of images in the ILSVRC-2012 (ImageNet-1k)
// training set.
const ILSVRCTrainImages = 1281167

// NaNPolicy says what ReadScores does with NaN, Inf and empty scores.
type NaNPolicy int

const (
	NaNError NaNPolicy = iota // refuse the file, naming the line
	NaNDrop                   // leave the row out, counting it in Layout.Dropped
)

// ParseNaNPolicy parses "error" or "drop".
func ParseNaNPolicy(s string) (NaNPolicy, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "error", "":
		return NaNError, nil
	case "drop":
		return NaNDrop, nil
	}
	return 0, fmt.Errorf("unknown NaN policy %q: use error or drop", s)
}

// HeaderMode says whether line 1 of a score file is a header.
type HeaderMode int

const (
	HeaderAuto HeaderMode = iota // decide by the rules in ScoreFileRules
	HeaderYes
	HeaderNo
)

// ParseHeaderMode parses "auto", "yes" or "no".
func ParseHeaderMode(s string) (HeaderMode, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "auto", "":
		return HeaderAuto, nil
	case "yes", "true":
		return HeaderYes, nil
	case "no", "false":
		return HeaderNo, nil
	}
	return 0, fmt.Errorf("unknown header mode %q: use auto, yes or no", s)
}

// ReadOptions say how to read a score file; the zero value reads by the
// rules of ScoreFileRules.
type ReadOptions struct {
	Column   string // the score column: a header name or an index from 0
	IDColumn string // the ID column, likewise
	Header   HeaderMode
	NaN      NaNPolicy
	// Rows, when not 0, is the number of rows the file must have (the
	// dataset's size).
	Rows int
	// Partial allows a file that scores only part of a dataset: no check
	// against ILSVRC's size or the sidecar's count.
	Partial bool
}

// Layout is what ReadScores found in a file.
type Layout struct {
	Delimiter   string // "comma", "tab", "semicolon" or "whitespace"
	Header      bool
	IDColumn    string // e.g. `"filename" (column 0)`; "" when Positional
	ScoreColumn string
	// Positional is true for a file without IDs: row k is example k.
	Positional bool
	Dropped    int  // rows left out for NaN/Inf/empty scores (NaNDrop)
	ILSVRC     bool // every ID is an ILSVRC-2012 training ID
}

func (l Layout) String() string {
	h := "no header"
	if l.Header {
		h = "header"
	}
	id := "IDs " + l.IDColumn
	if l.Positional {
		id = "no IDs (row k is example k)"
	}
	s := fmt.Sprintf("%s-separated, %s, %s, scores %s", l.Delimiter, h, id, l.ScoreColumn)
	if l.Dropped > 0 {
		s += fmt.Sprintf(", %d rows with NaN/Inf/empty scores left out", l.Dropped)
	}
	return s
}

var (
	idNames    = []string{"id", "ids", "example_id", "image_id", "example", "filename", "file_name", "file", "path", "filepath", "image", "img", "name", "key"}
	scoreNames = []string{"score", "scores", "value"}
	labelNames = []string{"label", "labels", "class", "class_id", "target", "targets", "y", "wnid", "synset"}
)

func isOneOf(s string, names []string) bool {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, n := range names {
		if s == n {
			return true
		}
	}
	return false
}

// ReadScores reads a score file by the rules of ScoreFileRules, and its
// sidecar path+".json" if present.
func ReadScores(p string) (*Scores, error) {
	return ReadScoresWith(p, ReadOptions{})
}

// ReadScoresWith reads a score file as ReadScores does, with options.
func ReadScoresWith(p string, opt ReadOptions) (*Scores, error) {
	var meta Meta
	if b, err := os.ReadFile(p + ".json"); err == nil {
		if err := json.Unmarshal(b, &meta); err != nil {
			return nil, fmt.Errorf("%s.json: %w", p, err)
		}
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	size := int64(0)
	if st, err := f.Stat(); err == nil {
		size = st.Size()
	}
	sum := sha256.New()
	s, err := decodeScores(p, io.TeeReader(f, sum), opt, meta.ExamplesScored, size)
	if err != nil {
		return nil, err
	}
	if meta.CSVSHA256 != "" { // Partial too: a subset is fine, a file changed under its sidecar is not
		if _, err := io.Copy(sum, f); err != nil { // whatever the decoder left unread
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if got := hex.EncodeToString(sum.Sum(nil)); got != meta.CSVSHA256 {
			return nil, fmt.Errorf("%s does not match its sidecar %s.json (SHA-256 %.12s…, the sidecar records %.12s…): the two come from different writes, e.g. a run stopped between writing one and the other, or an edit; score again, or delete the sidecar to use the file without its record", p, p, got, meta.CSVSHA256)
		}
	}
	s.Meta = meta
	return s, nil
}

// decodeScores reads a score file's text; name is used in errors.
// sidecarRows, when not 0, is the number of rows the sidecar says the file
// has; size, when not 0, is the file's size in bytes (to size the slices
// once).
func decodeScores(name string, r io.Reader, opt ReadOptions, sidecarRows int, size int64) (*Scores, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	head, err := br.Peek(8192)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if bytes.HasPrefix(head, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
		head = head[3:]
	}
	if err := sniff(name, head, len(head) < 8192); err != nil {
		return nil, err
	}
	// Leading comment lines: the last may name the columns (numpy.savetxt).
	line := 0
	var comment []string
	for {
		b, _ := br.Peek(1)
		if len(b) == 0 || b[0] != '#' {
			break
		}
		l, err := br.ReadString('\n')
		line++
		comment = []string{strings.TrimSpace(strings.TrimLeft(l, "#"))}
		if err != nil {
			break
		}
	}
	first, _ := br.Peek(4096)
	delim := "whitespace"
	var rows rowReader
	firstLine := string(first)
	if i := strings.IndexByte(firstLine, '\n'); i >= 0 {
		firstLine = firstLine[:i]
	}
	comma := rune(0)
	switch {
	case strings.Contains(firstLine, ","):
		comma, delim = ',', "comma"
	case strings.Contains(firstLine, "\t"):
		comma, delim = '\t', "tab"
	case strings.Contains(firstLine, ";"):
		comma, delim = ';', "semicolon"
	}
	if comma != 0 {
		cr := csv.NewReader(br)
		cr.Comma = comma
		cr.FieldsPerRecord = -1
		cr.ReuseRecord = true
		rows = &csvRows{r: cr, offset: line}
	} else {
		sc := bufio.NewScanner(br)
		sc.Buffer(make([]byte, 1<<16), 1<<24)
		rows = &fieldRows{s: sc, line: line}
	}
	if len(comment) == 1 {
		if comma != 0 {
			comment = strings.Split(comment[0], string(comma))
		} else {
			comment = strings.Fields(comment[0])
		}
	}

	// A sample of the first rows decides the header and the columns.
	type sampled struct {
		rec  []string
		line int
	}
	var sample []sampled
	for len(sample) < 1000 {
		rec, l, err := rows.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		sample = append(sample, sampled{trimAll(rec), l})
	}
	if len(sample) == 0 {
		return nil, fmt.Errorf("%s has no rows, only comments: the export stopped before writing scores; write or fetch the file again", name)
	}
	recs := make([][]string, len(sample))
	for i := range sample {
		recs[i] = sample[i].rec
	}
	var header []string
	headerRow := false // line 1 is the header, not data
	switch {
	case opt.Header == HeaderYes:
		headerRow = true
	case opt.Header == HeaderNo:
	case len(comment) > 0 && len(comment) == len(recs[0]):
		header = comment // numpy.savetxt(header=...): not a row
	default:
		if headerRow, err = detectHeader(recs, opt); err != nil {
			return nil, fmt.Errorf("%s: line %d: %w", name, sample[0].line, err)
		}
	}
	data := recs
	if headerRow {
		header, data, sample = recs[0], recs[1:], sample[1:]
	}
	if len(data) == 0 {
		return nil, fmt.Errorf("%s has a header (%s) and no rows: the export stopped before writing scores, or the file was cut; write or fetch it again", name, strings.Join(header, ","))
	}
	ncol := len(data[0])
	if header != nil {
		ncol = len(header)
	}
	idCol, scoreCol, err := chooseColumns(header, data, ncol, opt)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	lay := Layout{Delimiter: delim, Header: header != nil, ScoreColumn: describeColumn(header, scoreCol)}
	if idCol < 0 {
		lay.Positional = true
	} else {
		lay.IDColumn = describeColumn(header, idCol)
	}

	s := &Scores{}
	expect := len(data)
	if size > 0 && len(data) > 0 {
		// rows ≈ size / the sample's bytes per row (+5%), at most 1e8.
		bytes := 0
		for _, rec := range data {
			for _, f := range rec {
				bytes += len(f) + 1
			}
		}
		perRow := float64(bytes) / float64(len(data))
		expect = max(expect, int(min(1.05*float64(size)/perRow, 1e8)))
	}
	s.IDs = make([]string, 0, expect)
	s.Values = make([]float64, 0, expect)
	seen := make(map[string]int32, expect)
	total := 0
	add := func(rec []string, line int) error {
		if len(rec) != ncol {
			what := "the first row"
			if header != nil {
				what = "the header"
			}
			return fmt.Errorf("%s: line %d has %d fields, %s has %d (a cut or corrupt line?)", name, line, len(rec), what, ncol)
		}
		total++
		field := strings.TrimSpace(rec[scoreCol])
		v, err := strconv.ParseFloat(field, 64)
		bad := ""
		switch {
		case field == "":
			bad = "empty (pandas writes NaN as an empty field)"
		case err != nil:
			hint := ""
			if strings.Contains(field, ",") {
				hint = " (a decimal comma? write the file with a decimal point)"
			}
			return fmt.Errorf("%s: line %d: score %q in column %s is not a number%s", name, line, field, lay.ScoreColumn, hint)
		case math.IsNaN(v):
			bad = "NaN"
		case math.IsInf(v, 0):
			bad = "infinite"
		}
		if bad != "" {
			if opt.NaN == NaNDrop {
				lay.Dropped++
				return nil
			}
			return fmt.Errorf("%s: line %d: score is %s; fix the file, or pass --nan drop to leave such rows out", name, line, bad)
		}
		var id string
		if idCol < 0 {
			id = strconv.Itoa(total - 1)
		} else if id = NormaliseID(rec[idCol]); id == "" {
			return fmt.Errorf("%s: line %d: empty ID in column %s", name, line, lay.IDColumn)
		}
		if prev, dup := seen[id]; dup {
			return fmt.Errorf("%s: ID %q appears on lines %d and %d", name, id, prev, line)
		}
		seen[id] = int32(line)
		s.IDs = append(s.IDs, id)
		s.Values = append(s.Values, v)
		return nil
	}
	for _, sm := range sample {
		if err := add(sm.rec, sm.line); err != nil {
			return nil, err
		}
	}
	for {
		rec, l, err := rows.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		if err := add(rec, l); err != nil {
			return nil, err
		}
	}
	if len(s.IDs) == 0 {
		return nil, fmt.Errorf("%s: all %d rows have NaN, infinite or empty scores", name, total)
	}
	lay.ILSVRC = !lay.Positional
	for _, id := range s.IDs {
		if !IsILSVRCTrainID(id) {
			lay.ILSVRC = false
			break
		}
	}
	switch {
	case opt.Rows > 0 && total != opt.Rows:
		return nil, fmt.Errorf("%s has %d rows, the dataset has %d examples: a file cut short, or scores of another dataset or split", name, total, opt.Rows)
	case opt.Partial || opt.Rows > 0:
	case sidecarRows > 0 && total != sidecarRows:
		return nil, fmt.Errorf("%s has %d rows, its sidecar %s.json says %d examples were scored: the file was cut or changed; write it again (or pass --partial)", name, total, name, sidecarRows)
	case sidecarRows == 0 && lay.ILSVRC && total != ILSVRCTrainImages:
		return nil, fmt.Errorf("%s has %d rows of ILSVRC-2012 training IDs, the training set has %d images: the file was cut short (fetch it again), or it scores a subset (pass --partial)", name, total, ILSVRCTrainImages)
	}
	s.Layout = lay
	return s, nil
}

// sniff refuses files that are not score tables, saying what they are.
func sniff(name string, head []byte, whole bool) error {
	text := strings.TrimSpace(string(head))
	lower := strings.ToLower(text)
	switch {
	case whole && text == "":
		return fmt.Errorf("%s is empty (%d bytes): the download or export produced nothing; fetch or write the file again", name, len(head))
	case strings.HasPrefix(text, "version https://git-lfs.github.com/spec/"):
		oid := ""
		for _, l := range strings.Split(text, "\n") {
			if strings.HasPrefix(l, "oid ") || strings.HasPrefix(l, "size ") {
				oid += " " + strings.TrimSpace(l)
			}
		}
		return fmt.Errorf("%s is a Git LFS pointer (%s), not the scores: run `git lfs pull` in the repository it came from, or download the file through the repository's web page (Download/Raw button)", name, strings.TrimSpace(oid))
	case strings.HasPrefix(lower, "<!doctype html") || strings.HasPrefix(lower, "<html") || strings.HasPrefix(lower, "<head") ||
		(strings.HasPrefix(lower, "<") && strings.Contains(lower, "<html")):
		return fmt.Errorf("%s is an HTML page (a saved web page or a login/download page), not the scores: download the file itself (GitHub's Raw button, or the release's direct link, e.g. with curl -L)", name)
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		return fmt.Errorf("%s is gzip-compressed: uncompress it first (gunzip %s)", name, name)
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return fmt.Errorf("%s is a zip archive: unzip it and give the CSV file inside", name)
	case bytes.HasPrefix(head, []byte("\x93NUMPY")):
		return fmt.Errorf("%s is a NumPy .npy array, not a text score file: write it with numpy.savetxt or pandas' to_csv (one row per example: ID and score)", name)
	case bytes.IndexByte(head, 0) >= 0:
		return fmt.Errorf("%s is a binary file, not a text score file (CSV of ID and score)", name)
	}
	return nil
}

func isNumber(s string) bool {
	_, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return err == nil
}

// detectHeader decides whether recs[0] is a header (rules in ScoreFileRules).
func detectHeader(recs [][]string, opt ReadOptions) (bool, error) {
	row := recs[0]
	for _, f := range row {
		if isOneOf(f, idNames) || isOneOf(f, scoreNames) || isOneOf(f, labelNames) ||
			(opt.Column != "" && f == opt.Column && !isNumber(f)) || (opt.IDColumn != "" && f == opt.IDColumn && !isNumber(f)) {
			return true, nil
		}
	}
	if len(recs) > 1 && len(row) >= 2 && row[0] == "" && recs[1][0] != "" && pandasNames(row[1:]) {
		return true, nil // pandas' index column has no name
	}
	for _, f := range row {
		if isNumber(f) {
			return false, nil
		}
	}
	// Names only, none known: a header, or a first row with a bad score.
	for c := range row {
		if len(recs) > 1 && numericColumn(recs[1:], c) {
			return false, fmt.Errorf("%q is either a header or a row with a bad score (its fields are not numbers where the other rows have numbers): say which with --header yes or --header no", strings.Join(row, ","))
		}
	}
	return false, nil
}

// pandasNames reports whether fields are column names pandas writes after
// an unnamed index: names, or the default labels 0, 1, ... (so that a data
// row with an empty ID, ",0.5", is not taken for a header).
func pandasNames(fields []string) bool {
	for c, f := range fields {
		if isNumber(f) && f != strconv.Itoa(c) {
			return false
		}
	}
	return true
}

// numericColumn reports whether most non-empty fields of column c are
// numbers.
func numericColumn(recs [][]string, c int) bool {
	num, nonEmpty := 0, 0
	for _, r := range recs {
		if c >= len(r) || strings.TrimSpace(r[c]) == "" {
			continue
		}
		nonEmpty++
		if isNumber(r[c]) {
			num++
		}
	}
	return num > 0 && 2*num >= nonEmpty
}

func describeColumn(header []string, c int) string {
	if header == nil {
		return fmt.Sprintf("%d", c)
	}
	return fmt.Sprintf("%q (column %d)", header[c], c)
}

// resolveColumn finds a --column/--id-column value: a header name, else an
// index from 0.
func resolveColumn(flag, spec string, header []string, ncol int) (int, error) {
	for i, h := range header {
		if h == spec {
			return i, nil
		}
	}
	found := -1
	for i, h := range header {
		if strings.EqualFold(h, spec) {
			if found >= 0 {
				return 0, fmt.Errorf("--%s %q matches columns %d and %d: give the exact name or the index", flag, spec, found, i)
			}
			found = i
		}
	}
	if found >= 0 {
		return found, nil
	}
	if n, err := strconv.Atoi(spec); err == nil {
		if n < 0 || n >= ncol {
			return 0, fmt.Errorf("--%s %d: the file has %d columns (indices 0 to %d)", flag, n, ncol, ncol-1)
		}
		return n, nil
	}
	if header == nil {
		return 0, fmt.Errorf("--%s %q: the file has no header, so give the column's index (0 to %d)", flag, spec, ncol-1)
	}
	return 0, fmt.Errorf("--%s %q: no such column; the header is %q", flag, spec, strings.Join(header, ","))
}

func listColumns(header []string, cols []int) string {
	var parts []string
	for _, c := range cols {
		parts = append(parts, describeColumn(header, c))
	}
	return strings.Join(parts, ", ")
}

// chooseColumns returns the ID column (-1: none, row k is example k) and
// the score column.
func chooseColumns(header []string, data [][]string, ncol int, opt ReadOptions) (idCol, scoreCol int, err error) {
	idCol, scoreCol = -2, -2
	if opt.Column != "" {
		if scoreCol, err = resolveColumn("column", opt.Column, header, ncol); err != nil {
			return 0, 0, err
		}
	}
	if opt.IDColumn != "" {
		if idCol, err = resolveColumn("id-column", opt.IDColumn, header, ncol); err != nil {
			return 0, 0, err
		}
	}
	numeric := make([]bool, ncol)
	for c := range numeric {
		numeric[c] = numericColumn(data, c)
	}
	pandasIndex := header != nil && ncol >= 2 && header[0] == ""
	if idCol == -2 && header != nil {
		var named []int
		for c, h := range header {
			if c != scoreCol && isOneOf(h, idNames) {
				named = append(named, c)
			}
		}
		switch len(named) {
		case 1:
			idCol = named[0]
		case 0:
		default:
			return 0, 0, fmt.Errorf("cannot tell the ID column: %s are all named like IDs; choose with --id-column NAME|INDEX", listColumns(header, named))
		}
	}
	if idCol == -2 {
		var cand []int
		for c := range ncol {
			if c != scoreCol && !numeric[c] && !(header != nil && isOneOf(header[c], labelNames)) {
				cand = append(cand, c)
			}
		}
		if pandasIndex && len(cand) > 1 && cand[0] == 0 {
			cand = cand[1:]
		}
		switch {
		case len(cand) == 1:
			idCol = cand[0]
		case len(cand) > 1:
			return 0, 0, fmt.Errorf("cannot tell the ID column: %s all hold text; choose with --id-column NAME|INDEX", listColumns(header, cand))
		case ncol == 1:
			idCol = -1 // scores only
		case ncol == 2:
			idCol = 0
			if scoreCol == 0 {
				idCol = 1
			}
		case pandasIndex && scoreCol != 0:
			idCol = 0
		default:
			return 0, 0, fmt.Errorf("cannot tell the ID column: all %d columns are numbers; choose with --id-column NAME|INDEX", ncol)
		}
	}
	if scoreCol == -2 && header != nil {
		for c, h := range header {
			if c != idCol && isOneOf(h, scoreNames) {
				scoreCol = c
				break
			}
		}
	}
	if scoreCol == -2 {
		var cand []int
		for c := range ncol {
			if c == idCol || !numeric[c] || (pandasIndex && c == 0) || (header != nil && isOneOf(header[c], labelNames)) {
				continue
			}
			cand = append(cand, c)
		}
		switch len(cand) {
		case 1:
			scoreCol = cand[0]
		case 0:
			return 0, 0, fmt.Errorf("no column of numbers besides the ID column %s: which column holds the scores? choose with --column NAME|INDEX", describeColumn(header, max(idCol, 0)))
		default:
			return 0, 0, fmt.Errorf("cannot tell the score column: %s are all numbers; choose with --column NAME|INDEX", listColumns(header, cand))
		}
	}
	if idCol == scoreCol {
		return 0, 0, fmt.Errorf("the ID column and the score column are both %s", describeColumn(header, idCol))
	}
	return idCol, scoreCol, nil
}

func trimAll(rec []string) []string {
	out := make([]string, len(rec))
	for i, f := range rec {
		out[i] = strings.TrimSpace(f)
	}
	return out
}

// rowReader yields a file's records with their 1-based line numbers.
type rowReader interface {
	next() ([]string, int, error)
}

type csvRows struct {
	r      *csv.Reader
	offset int // lines consumed before the CSV reader started
}

func (c *csvRows) next() ([]string, int, error) {
	rec, err := c.r.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, 0, fmt.Errorf("line %d: %v (a broken quote or a cut line?)", pe.Line+c.offset, pe.Err)
		}
		return nil, 0, err
	}
	line, _ := c.r.FieldPos(0)
	return rec, line + c.offset, nil
}

type fieldRows struct {
	s    *bufio.Scanner
	line int
}

func (f *fieldRows) next() ([]string, int, error) {
	for f.s.Scan() {
		f.line++
		if fields := strings.Fields(f.s.Text()); len(fields) > 0 {
			return fields, f.line, nil
		}
	}
	if err := f.s.Err(); err != nil {
		return nil, 0, fmt.Errorf("line %d: %w", f.line+1, err)
	}
	return nil, 0, io.EOF
}

// NormaliseID maps a file name or path to the readers' ID: an image file's
// base name without extension, and an ILSVRC-2012 file name without folder
// or extension whatever its extension; other IDs are returned unchanged.
func NormaliseID(id string) string {
	id = strings.TrimSpace(id)
	ext := strings.ToLower(path.Ext(id))
	switch ext {
	case ".jpeg", ".jpg", ".png":
		return strings.TrimSuffix(path.Base(id), path.Ext(id))
	}
	if base := ilsvrcBase(id); IsILSVRCTrainID(base) {
		return base
	}
	return id
}

// ilsvrcBase drops any folder (/ or \) and extension.
func ilsvrcBase(id string) string {
	if i := strings.LastIndexAny(id, `/\`); i >= 0 {
		id = id[i+1:]
	}
	if i := strings.IndexByte(id, '.'); i >= 0 {
		id = id[:i]
	}
	return id
}

// IsILSVRCTrainID reports whether id is an ILSVRC-2012 training file's name
// without extension: its class's WordNet ID, "_", a number
// (n01440764_10026).
func IsILSVRCTrainID(id string) bool {
	if len(id) < 11 || id[0] != 'n' || id[9] != '_' {
		return false
	}
	for i := 1; i < len(id); i++ {
		if i != 9 && (id[i] < '0' || id[i] > '9') {
			return false
		}
	}
	return true
}

// positions are the IDs of a file without IDs: "0", "1", ...
func positions(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = strconv.Itoa(i)
	}
	return out
}
