package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/cloudflare-purge/cloudflare-purge/internal/result"
)

// JSON is the result document, as --json prints it. It lists the items of
// failed batches, and of every batch on a dry run or when r.ListItems asks.
func JSON(r *result.Result) []byte {
	var b bytes.Buffer
	if err := encode(&b, r, slimming{}); err != nil {
		panic(fmt.Sprintf("report: result does not encode: %v", err)) // plain data into memory: cannot happen
	}
	return b.Bytes()
}

// WriteJSON writes JSON(r) and a line break to w, piece by piece: a run of
// 500,000 items in 50 environments lists 25 million of them, and its
// document is never held whole in memory.
func WriteJSON(w io.Writer, r *result.Result) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := encode(bw, r, slimming{}); err != nil {
		return err
	}
	if err := bw.WriteByte('\n'); err != nil {
		return err
	}
	return bw.Flush()
}

// JSONBounded is the result document in at most max bytes. When the whole
// is bigger it is slimmed in stages, each only if the last was not enough,
// and flagged so that a reader knows what is missing:
//
//  1. the purged batches' entries go (batches_omitted): purge_ids and the
//     counts still say what was purged; then the verified URLs' checks
//     (verification_omitted): the counts stay, and the stale ones; with
//     them the wait's ready URLs (wait_omitted);
//  2. the failed batches' items go (items_omitted);
//  3. the failed batches' entries go too: per environment, only the counts;
//     with them all the wait's URLs;
//  4. purge_ids goes (purge_ids_omitted; the purge-ids output has them);
//  5. the checks other than stale ones go, and the second purge's URLs
//     (the repurged checks name them), then the stale ones too, and the
//     warm failures (the counts stay);
//  6. the run's error is cut to textMax characters;
//  7. every other text, names included, is cut to nameMax characters.
//
// The last stage holds at most 50 environments (the input's limit), each
// with a few texts of at most nameMax characters: under 64 KiB, so a max
// from there up is always honoured, whatever the API or a site answered.
//
// Each stage is written piece by piece and given up as soon as it passes
// max: the whole document is never built.
func JSONBounded(r *result.Result, max int) []byte {
	var b bytes.Buffer
	var s slimming
	for _, stage := range jsonStages {
		stage(&s)
		b.Reset()
		err := encode(&capped{w: &b, left: max}, r, s)
		if err == nil {
			return b.Bytes()
		}
		if !errors.Is(err, errTooBig) {
			panic(fmt.Sprintf("report: result does not encode: %v", err))
		}
	}
	b.Reset()
	_ = encode(&b, r, s) // over max: the smallest there is
	return b.Bytes()
}

// slimming says what a document leaves out (see JSONBounded).
type slimming struct {
	purgedBatches, verifiedChecks, items, batches, purgeIDs, otherChecks, staleChecks, cutError, cutTexts bool
}

// jsonStages are JSONBounded's stages, in order; the first is the whole.
var jsonStages = []func(*slimming){
	func(*slimming) {},
	func(s *slimming) { s.purgedBatches = true },
	func(s *slimming) { s.verifiedChecks = true },
	func(s *slimming) { s.items = true },
	func(s *slimming) { s.batches = true },
	func(s *slimming) { s.purgeIDs = true },
	func(s *slimming) { s.otherChecks = true },
	func(s *slimming) { s.staleChecks = true },
	func(s *slimming) { s.cutError = true },
	func(s *slimming) { s.cutTexts = true },
}

// textMax is how much of the run's error the cutError stage keeps; nameMax
// how much of any other text the cutTexts stage keeps.
const (
	textMax = 1000
	nameMax = 200
)

// errTooBig stops a document that passed its bound.
var errTooBig = errors.New("the document passes its bound")

// capped writes to w until left bytes are used up.
type capped struct {
	w    io.Writer
	left int
}

func (c *capped) Write(p []byte) (int, error) {
	if len(p) > c.left {
		return 0, errTooBig
	}
	c.left -= len(p)
	return c.w.Write(p)
}

// keepBatch tells whether the document has an entry for b.
func (s slimming) keepBatch(b *result.Batch) bool {
	return !s.batches && !(s.purgedBatches && b.Status == result.Purged)
}

// keepWait tells whether the document has an entry for the wait URL c.
func (s slimming) keepWait(c *result.WaitCheck) bool {
	return !s.batches && !(s.verifiedChecks && c.State == result.WaitReady)
}

// keepCheck tells whether the document has an entry for c.
func (s slimming) keepCheck(c *result.URLCheck) bool {
	switch {
	case s.staleChecks:
		return false
	case s.otherChecks:
		return c.Verdict == result.VerdictStale
	case s.verifiedChecks:
		return c.Verdict != result.VerdictVerified
	}
	return true
}

// listItems tells whether b's entry lists its items: a failed batch's, or
// every batch's on a dry run or when r.ListItems asks.
func (s slimming) listItems(r *result.Result, b *result.Batch) bool {
	return !s.items && (r.DryRun || r.ListItems || b.Status == result.Failed)
}

// encode writes r's document as s slims it, one environment, batch and
// check at a time. The pieces are json.Marshal's own: the document is
// byte for byte the one json.Marshal would make of the slimmed result.
func encode(w io.Writer, r *result.Result, s slimming) error {
	top := *r
	top.Environments = nil
	if s.purgeIDs && len(r.PurgeIDs) > 0 {
		top.PurgeIDs, top.PurgeIDsOmitted = []string{}, true
	}
	if s.cutError && r.Error != nil {
		e := *r.Error
		e.Message, e.Hint = cut(e.Message, textMax), cut(e.Hint, textMax)
		top.Error = &e
	}
	if s.cutTexts {
		top.ZoneName, top.Expect = cut(top.ZoneName, nameMax), cut(top.Expect, nameMax)
		top.Error = cutError(top.Error)
		if sm := top.Sitemap; sm != nil {
			c := *sm
			c.URL, c.Error = cut(c.URL, nameMax), cut(c.Error, nameMax)
			top.Sitemap = &c
		}
	}
	// The wait's URLs, like the environments, are written one at a time.
	var wait *result.Wait
	if r.Wait != nil {
		wc := *r.Wait
		if s.cutTexts {
			wc.Reason, wc.Expect = cut(wc.Reason, nameMax), cut(wc.Expect, nameMax)
		}
		if wc.URLs != nil {
			wc.URLs, wait = nil, r.Wait
			for k := range wait.URLs {
				if !s.keepWait(&wait.URLs[k]) {
					top.WaitOmitted = true
				}
			}
		}
		top.Wait = &wc
	}
	for i := range r.Environments {
		e := &r.Environments[i]
		for j := range e.Batches {
			b := &e.Batches[j]
			if !s.keepBatch(b) {
				top.BatchesOmitted = true
			}
			if s.items && len(b.Items) > 0 && (slimming{}).listItems(r, b) {
				top.ItemsOmitted = true
			}
		}
		if v := e.Verification; v != nil {
			for k := range v.URLs {
				if !s.keepCheck(&v.URLs[k]) {
					top.VerificationOmitted = true
				}
			}
			if s.otherChecks && v.Repurge != nil && len(v.Repurge.URLs) > 0 {
				top.VerificationOmitted = true
			}
		}
	}
	if r.Environments == nil && wait == nil {
		return marshalTo(w, &top)
	}
	doc, err := json.Marshal(&top)
	if err != nil {
		return err
	}
	var lists []spliced
	if wait != nil {
		// "wait" comes before "environments", whose null holds no "urls".
		lists = append(lists, spliced{`"urls":null`, `"urls":[`, func() error {
			n := 0
			for k := range wait.URLs {
				if !s.keepWait(&wait.URLs[k]) {
					continue
				}
				if n > 0 {
					if _, err := io.WriteString(w, ","); err != nil {
						return err
					}
				}
				n++
				if err := marshalTo(w, &wait.URLs[k]); err != nil {
					return err
				}
			}
			return nil
		}})
	}
	if r.Environments != nil {
		lists = append(lists, spliced{`"environments":null`, `"environments":[`, func() error {
			for i := range r.Environments {
				if i > 0 {
					if _, err := io.WriteString(w, ","); err != nil {
						return err
					}
				}
				if err := encodeEnvironment(w, r, &r.Environments[i], s); err != nil {
					return err
				}
			}
			return nil
		}})
	}
	return spliceAll(w, doc, lists...)
}

// cutError is a copy of e with its message and hint cut to nameMax.
func cutError(e *result.Error) *result.Error {
	if e == nil {
		return nil
	}
	c := *e
	c.Message, c.Hint = cut(c.Message, nameMax), cut(c.Hint, nameMax)
	return &c
}

// encodeEnvironment writes one environment's entry.
func encodeEnvironment(w io.Writer, r *result.Result, e *result.Environment, s slimming) error {
	c := *e
	c.Batches = nil
	if s.cutTexts {
		c.Name, c.Ref = cut(c.Name, nameMax), cut(c.Ref, nameMax)
	}
	var v *result.Verification
	if e.Verification != nil {
		vc := *e.Verification
		vc.URLs = nil
		if s.cutTexts {
			vc.Reason, vc.Selector = cut(vc.Reason, nameMax), cut(vc.Selector, nameMax)
		}
		if rp := vc.Repurge; rp != nil && (s.otherChecks || s.cutTexts) {
			rc := *rp
			if s.otherChecks && len(rc.URLs) > 0 {
				rc.URLs = []string{}
			}
			if s.cutTexts {
				rc.Error = cutError(rc.Error)
			}
			vc.Repurge = &rc
		}
		c.Verification, v = &vc, e.Verification
	}
	if wm := e.Warm; wm != nil && (s.staleChecks || s.cutTexts) {
		wc := *wm
		if s.staleChecks && len(wc.Failures) > 0 {
			wc.Failures = []result.WarmFailure{}
		}
		if s.cutTexts {
			wc.Reason, wc.Selector = cut(wc.Reason, nameMax), cut(wc.Selector, nameMax)
		}
		c.Warm = &wc
	}
	doc, err := json.Marshal(&c)
	if err != nil {
		return err
	}
	// The batches: null stays null, unless they were all left out.
	batches := func() error {
		n := 0
		for j := range e.Batches {
			b := e.Batches[j]
			if !s.keepBatch(&b) {
				continue
			}
			if !s.listItems(r, &b) {
				b.Items = nil
			}
			if n > 0 {
				if _, err := io.WriteString(w, ","); err != nil {
					return err
				}
			}
			n++
			if err := marshalTo(w, &b); err != nil {
				return err
			}
		}
		return nil
	}
	const batchesNull = `"batches":null`
	i := bytes.Index(doc, []byte(batchesNull))
	if i < 0 {
		return fmt.Errorf("no %s in %s", batchesNull, doc)
	}
	if _, err := w.Write(doc[:i]); err != nil {
		return err
	}
	if e.Batches == nil && !s.batches {
		_, err = io.WriteString(w, batchesNull)
	} else {
		_, err = io.WriteString(w, `"batches":[`)
		if err == nil {
			err = batches()
		}
		if err == nil {
			_, err = io.WriteString(w, "]")
		}
	}
	if err != nil {
		return err
	}
	rest := doc[i+len(batchesNull):]
	if v == nil || v.URLs == nil {
		_, err := w.Write(rest)
		return err
	}
	return splice(w, rest, `"urls":null`, `"urls":[`, func() error {
		n := 0
		for k := range v.URLs {
			if !s.keepCheck(&v.URLs[k]) {
				continue
			}
			if n > 0 {
				if _, err := io.WriteString(w, ","); err != nil {
					return err
				}
			}
			n++
			if err := marshalTo(w, &v.URLs[k]); err != nil {
				return err
			}
		}
		return nil
	})
}

// spliced is one list written in place of its marker in a document.
type spliced struct {
	marker, open string
	list         func() error
}

// splice writes doc with its first marker replaced by open, what list
// writes, and "]". A marker such as "batches":null cannot occur inside a
// JSON string, whose quotes are escaped, so the first is the field's.
func splice(w io.Writer, doc []byte, marker, open string, list func() error) error {
	return spliceAll(w, doc, spliced{marker, open, list})
}

// spliceAll splices each list in turn, each marker looked for after the
// one before.
func spliceAll(w io.Writer, doc []byte, lists ...spliced) error {
	for _, l := range lists {
		i := bytes.Index(doc, []byte(l.marker))
		if i < 0 {
			return fmt.Errorf("no %s in %s", l.marker, doc)
		}
		if _, err := w.Write(doc[:i]); err != nil {
			return err
		}
		if _, err := io.WriteString(w, l.open); err != nil {
			return err
		}
		if err := l.list(); err != nil {
			return err
		}
		if _, err := io.WriteString(w, "]"); err != nil {
			return err
		}
		doc = doc[i+len(l.marker):]
	}
	_, err := w.Write(doc)
	return err
}

func marshalTo(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}
