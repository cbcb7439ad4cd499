package veid

import (
	"encoding/json"
	"time"
)

// RawRetention is how long raw evidence (images, videos inside the envelope) is kept after a scope
// was submitted (§3.10). Afterwards only the metadata and the payload hash remain: the score stays
// reproducible from the recorded input hash, but the pictures are gone.
const RawRetention = 7 * 24 * time.Hour

// PurgeExpired drops the evidence bytes of every scope submitted RawRetention or more before now
// and returns how many it purged. Scope ids, kinds, states and payload hashes are kept.
func (s *Scopes) PurgeExpired(now time.Time) int {
	n := 0
	for i := range s.list {
		sc := &s.list[i]
		if len(sc.Evidence) > 0 && !now.Before(sc.CreatedAt.Add(RawRetention)) {
			sc.Evidence, sc.UpdatedAt = nil, now
			n++
		}
	}
	return n
}

// Erase removes a scope entirely at the person's request (right to erasure): it is no longer listed,
// scored or counted.
func (s *Scopes) Erase(id string) error {
	for i := range s.list {
		if s.list[i].ID == id {
			s.list = append(s.list[:i], s.list[i+1:]...)
			return nil
		}
	}
	return newErr("SCOPE_NOT_FOUND", ErrScopeNotFound, "%q", id)
}

// Export returns everything held about the person's scopes as JSON (data portability): the scopes
// in insertion order with their envelopes, which only the person and the network can open.
func (s *Scopes) Export() ([]byte, error) {
	return json.Marshal(struct {
		Scopes []Scope `json:"scopes"`
	}{s.All()})
}
