package cli

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// console is stderr as the logger and the progress line share it: a log
// record clears the progress line, is written on a line of its own, and
// the progress line is drawn again below it, so the two never collide.
type console struct {
	mu   sync.Mutex
	w    io.Writer
	line string // the progress line on screen; "" = none
}

func (c *console) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.line != "" {
		io.WriteString(c.w, "\r\033[K")
	}
	n, err := c.w.Write(p)
	if c.line != "" {
		io.WriteString(c.w, c.line)
	}
	return n, err
}

// show replaces the progress line with line.
func (c *console) show(line string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintf(c.w, "\r\033[K%s", line)
	c.line = line
}

// clear removes the progress line.
func (c *console) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.line != "" {
		io.WriteString(c.w, "\r\033[K")
		c.line = ""
	}
}

// progressLine shows, on a terminal's stderr, each source's pages done of
// those planned, then the total, the rate and the time left:
// "jstor-daily 12/40  smithsonian 3/9 · 15/49 pages, 3.2/s, about 11s left".
type progressLine struct {
	mu      sync.Mutex
	con     *console
	on      bool
	now     func() time.Time
	started time.Time
	shown   map[string][2]int
	order   []string
}

func (m *Main) progress() *progressLine {
	return &progressLine{con: m.console(), on: isTerminal(m.Stderr), now: m.Now, started: m.Now(), shown: map[string][2]int{}}
}

func (p *progressLine) update(source string, done, total int) {
	if !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.shown[source]; !ok {
		p.order = append(p.order, source)
	}
	p.shown[source] = [2]int{done, total}
	p.con.show(p.text())
}

// text is the line for the counts so far.
func (p *progressLine) text() string {
	var b strings.Builder
	sumDone, sumTotal := 0, 0
	for _, s := range p.order {
		v := p.shown[s]
		fmt.Fprintf(&b, "%s %d/%d  ", s, v[0], v[1])
		sumDone, sumTotal = sumDone+v[0], sumTotal+v[1]
	}
	line := strings.TrimSpace(b.String())
	if len(p.order) > 1 {
		line += fmt.Sprintf(" · %d/%d pages", sumDone, sumTotal)
	} else {
		line += " pages"
	}
	elapsed := p.now().Sub(p.started)
	if sumDone > 0 && elapsed > 0 {
		rate := float64(sumDone) / elapsed.Seconds()
		line += fmt.Sprintf(", %.1f/s", rate)
		if left := sumTotal - sumDone; left > 0 {
			eta := time.Duration(float64(left) / rate * float64(time.Second))
			line += ", about " + roughDuration(eta) + " left"
		}
	}
	return line
}

func (p *progressLine) done() {
	if p.on {
		p.con.clear()
	}
}

// roughDuration is d to a reader's precision: "8s", "3m10s", "2h5m".
func roughDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return d.Round(time.Second).String()
	case d < time.Hour:
		return d.Round(10 * time.Second).String()
	}
	return strings.TrimSuffix(d.Round(time.Minute).String(), "m0s") + "m"
}
