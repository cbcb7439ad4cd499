package veid

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"testing"
)

// Benchmarks come in pairs with a reference measured in the same run (TARGETS.md): the reference is
// the floor the operation cannot beat (the signature checks it must do, or a plain JSON pass).

func BenchmarkScore(b *testing.B) {
	f := feats(9000, 8000, 7000, 6000, 5000, 1000)
	for b.Loop() {
		Score(f)
	}
}

func BenchmarkVerifyUpload(b *testing.B) {
	client := ed25519.NewKeyFromSeed(vecClientSeed)
	user := ed25519.NewKeyFromSeed(vecUserSeed)
	reg := NewClientRegistry()
	id, _ := reg.AddKey(vecClientID, client.Public().(ed25519.PublicKey), t0)
	reg.Activate(vecClientID, id, t0)
	ups := make([]*Upload, 0, 1024)
	for i := range cap(ups) {
		salt := bytes.Repeat([]byte{byte(i), byte(i >> 8), 7}, 11)
		up, _ := SignUpload(vecBinding(salt), vecEvidence, client, user)
		ups = append(ups, up)
	}
	b.Run("veid", func(b *testing.B) {
		i := 0
		for b.Loop() {
			v := &Verifier{Clients: reg, Replay: NewReplayCache(0, 0)}
			if err := v.Verify(ups[i%len(ups)], vecCapture.Add(1e9)); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("reference-2-ed25519-verifies", func(b *testing.B) {
		p, _ := ups[0].Binding.SigningPayload()
		m := userMessage(p, ups[0].ClientSig)
		for b.Loop() {
			ed25519.Verify(client.Public().(ed25519.PublicKey), p, ups[0].ClientSig)
			ed25519.Verify(user.Public().(ed25519.PublicKey), m, ups[0].UserSig)
		}
	})
}

func BenchmarkVC(b *testing.B) {
	signed, pub, _ := loadW3C(b)
	b.Run("VerifyProof-eddsa-jcs-2022", func(b *testing.B) {
		for b.Loop() {
			if _, err := VerifyProof(signed, pub); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("reference-json-decode+ed25519", func(b *testing.B) {
		sig := ed25519.Sign(ed25519.NewKeyFromSeed(make([]byte, 32)), make([]byte, 64))
		for b.Loop() {
			var m map[string]any
			json.Unmarshal(signed, &m)
			ed25519.Verify(pub, make([]byte, 64), sig)
		}
	})
	b.Run("Canonicalize", func(b *testing.B) {
		for b.Loop() {
			Canonicalize(signed)
		}
	})
	b.Run("reference-json.Compact", func(b *testing.B) {
		var out bytes.Buffer
		for b.Loop() {
			out.Reset()
			json.Compact(&out, signed)
		}
	})
}

func BenchmarkTally(b *testing.B) {
	for _, n := range []int{4, 100} {
		vs := newValidators(b, make([]int64, n)...)
		for i := range vs {
			vs[i].info.Power = 1
		}
		set := setOf(vs)
		var votes []Vote
		for _, v := range vs {
			vote := Vote{RequestID: "r", Validator: v.info.Name, Model: CompositeV2Version, Score: 75, Passed: true}
			if err := SignVote(&vote, v.key); err != nil {
				b.Fatal(err)
			}
			votes = append(votes, vote)
		}
		b.Run(fmt.Sprintf("validators=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := Tally("r", set, votes); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("reference-%d-ed25519-verifies", n), func(b *testing.B) {
			for b.Loop() {
				for i := range votes {
					msg, _ := votes[i].message()
					ed25519.Verify(set[i].VoteKey, msg, votes[i].Sig)
				}
			}
		})
	}
}
