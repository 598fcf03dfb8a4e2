package docs

import (
	"strings"
)

// Just enough Markdown for the tests: sections by heading, pipe tables, and
// fenced code blocks.

// section returns the lines under the heading line that equals heading
// (such as "## Inputs"), up to the next heading of the same or a higher
// level. ok is false when there is no such heading.
func section(md, heading string) (body string, ok bool) {
	level := strings.IndexFunc(heading, func(r rune) bool { return r != '#' })
	var out []string
	in, fenced := false, false
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(line, "```") {
			fenced = !fenced
		}
		if !fenced && strings.HasPrefix(line, "#") {
			l := strings.IndexFunc(line, func(r rune) bool { return r != '#' })
			if in && l > 0 && l <= level {
				break
			}
			if strings.TrimSpace(line) == heading {
				in, ok = true, true
				continue
			}
		}
		if in {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n"), ok
}

// table is a pipe table: its header cells and its rows of cells.
type table struct {
	Header []string
	Rows   [][]string
}

// column is the index of the header cell named name, or -1.
func (t table) column(name string) int {
	for i, h := range t.Header {
		if strings.EqualFold(h, name) {
			return i
		}
	}
	return -1
}

// tables lists the pipe tables in md, in order.
func tables(md string) []table {
	var out []table
	var cur *table
	for _, line := range strings.Split(md, "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "|") {
			cur = nil
			continue
		}
		cells := splitRow(line)
		switch {
		case cur == nil:
			out = append(out, table{Header: cells})
			cur = &out[len(out)-1]
		case isSeparator(cells):
		default:
			cur.Rows = append(cur.Rows, cells)
		}
	}
	return out
}

// splitRow splits a table row on unescaped pipes outside code spans.
func splitRow(line string) []string {
	line = strings.TrimSuffix(strings.TrimPrefix(line, "|"), "|")
	var cells []string
	var b strings.Builder
	code := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '\\' && i+1 < len(line) && line[i+1] == '|':
			b.WriteByte('|')
			i++
		case c == '`':
			code = !code
			b.WriteByte(c)
		case c == '|' && !code:
			cells = append(cells, strings.TrimSpace(b.String()))
			b.Reset()
		default:
			b.WriteByte(c)
		}
	}
	return append(cells, strings.TrimSpace(b.String()))
}

func isSeparator(cells []string) bool {
	for _, c := range cells {
		if strings.Trim(c, ":-") != "" || c == "" {
			return false
		}
	}
	return true
}

// firstCode is the first code span of a cell (`name` -> name), or "".
func firstCode(cell string) string {
	_, rest, ok := strings.Cut(cell, "`")
	if !ok {
		return ""
	}
	code, _, _ := strings.Cut(rest, "`")
	return code
}

// codeBlock is a fenced code block: its info string, first line number
// (1-based, the line after the fence) and content.
type codeBlock struct {
	Info string
	Line int
	Text string
}

// codeBlocks lists the fenced code blocks of md.
func codeBlocks(md string) []codeBlock {
	var out []codeBlock
	var cur *codeBlock
	var body []string
	for i, line := range strings.Split(md, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case cur == nil && strings.HasPrefix(trimmed, "```"):
			cur = &codeBlock{Info: strings.TrimSpace(strings.TrimPrefix(trimmed, "```")), Line: i + 2}
			body = nil
		case cur != nil && trimmed == "```":
			cur.Text = strings.Join(body, "\n") + "\n"
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			body = append(body, line)
		}
	}
	return out
}
