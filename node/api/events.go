package api

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/virtengine/sdk/node/app"
)

// Event is one message of the event stream: a committed block and the application events in it.
// Events carry addresses, ids and amounts, never evidence or other personal data.
type Event struct {
	Height  int64               `json:"height"`
	Time    time.Time           `json:"time"`
	AppHash string              `json:"app_hash"`
	Txs     int                 `json:"txs"`
	Failed  int                 `json:"failed"`
	Events  []map[string]string `json:"events"`
}

func blockEvent(b app.BlockInfo) Event {
	e := Event{Height: b.Height, Time: b.Time, AppHash: hex.EncodeToString(b.AppHash), Txs: b.Txs, Failed: b.Failed, Events: []map[string]string{}}
	for _, ev := range b.Events {
		m := map[string]string{"type": ev.Type}
		for _, a := range ev.Attributes {
			m[a.Key] = a.Value
		}
		e.Events = append(e.Events, m)
	}
	return e
}

// subscriberBuffer is how many blocks a slow subscriber may lag before it is dropped.
const subscriberBuffer = 64

type hub struct {
	mu     sync.Mutex
	subs   map[chan Event]struct{}
	closed bool
}

func newHub() *hub { return &hub{subs: map[chan Event]struct{}{}} }

func (h *hub) subscribe() (chan Event, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, false
	}
	c := make(chan Event, subscriberBuffer)
	h.subs[c] = struct{}{}
	return c, true
}

func (h *hub) unsubscribe(c chan Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[c]; ok {
		delete(h.subs, c)
		close(c)
	}
}

// publish never blocks: a subscriber whose buffer is full is disconnected.
func (h *hub) publish(e Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.subs {
		select {
		case c <- e:
		default:
			delete(h.subs, c)
			close(c)
		}
	}
}

func (h *hub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for c := range h.subs {
		delete(h.subs, c)
		close(c)
	}
}

// stream serves GET /v1/events as Server-Sent Events (one "block" event per committed block).
func (s *Server) stream(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		writeJSON(w, http.StatusInternalServerError, apiError{Error: "streaming unsupported"})
		return
	}
	c, ok := s.hub.subscribe()
	if !ok {
		writeJSON(w, http.StatusServiceUnavailable, apiError{Error: "node stopping"})
		return
	}
	defer s.hub.unsubscribe(c)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	fl.Flush()
	for {
		select {
		case <-r.Context().Done():
			return
		case e, ok := <-c:
			if !ok {
				return
			}
			b, _ := json.Marshal(e)
			fmt.Fprintf(w, "event: block\nid: %d\ndata: %s\n\n", e.Height, b)
			fl.Flush()
		}
	}
}
